import { Prisma, type PrismaClient } from '../db/generated/client.js';
import type { AgentState as AgentStateRow, Session as SessionRow, Task as TaskRow } from '../db/generated/client.js';
import type { RawQuery } from '../db/database.js';
import {
  buildAgentState,
  buildMessage,
  buildTextOrBlocks,
  type AgentStateDraft,
  type MessageDraft,
  type TaskDraft,
  type TextOrBlocksDraft,
} from './drafts.js';
import { isDatabaseUnavailable } from '../db/availability.js';
import { claimKey, purgeExpiredKeys, recordOutcome } from '../db/idempotency-keys.js';
import { InvalidInputError, SessionNotFoundError, VersionConflictError, WriteOutcomeUnknownError } from './errors.js';
import {
  assertIdempotencyKey,
  deletedOutcome,
  fingerprintOf,
  keyReusedError,
  sessionOutcome,
  writtenOutcome,
  type OutcomeCodec,
  type WriteOptions,
  type WriteRequest,
} from './idempotency.js';
import { LIMITS } from './limits.js';
import type { SessionEventKind, SessionEvents } from './events.js';
import { newId } from './ids.js';
import { sessionCountsSql, sessionPagesSql, type SessionFilter, type SessionListWindow } from './listing.js';
import type { AgentStateRecord, Caller, Message, SessionRecord, SessionRef, SessionSource, Task } from './model.js';
import {
  buildChatModelConfig,
  planSessionPatch,
  planStatePatch,
  type AgentStatePatch,
  type ChatModelConfigDraft,
  type SessionPatch,
} from './patch.js';
import { referenceCheckOff, type Reference, type ReferenceCheck } from './references.js';
import {
  messageRows,
  nullableJson,
  stateColumns,
  taskRows,
  toAgentStateRecord,
  toMessage,
  toSessionRecord,
  toTask,
  type MessageRow,
} from './rows.js';
import { addTask, changedTasks, patchTask, removeTask, type TaskPatch } from './tasks.js';
import { assertStorableText } from './text.js';

export interface NewSession {
  agentId: string;
  workspaceId?: string | null;
  name?: string | null;
  chatModelConfig?: ChatModelConfigDraft | null;
  source?: SessionSource | null;
  sourceScheduleId?: string | null;
  state?: AgentStateDraft | null;
}

export {
  DEFAULT_ORDER,
  type SessionFilter,
  type SessionListPosition,
  type SessionListWindow,
  type SessionOrder,
  type SessionOrderField,
} from './listing.js';

export interface SessionListQuery extends SessionListWindow {
  agentId: string;
}

export interface SessionPage {
  sessions: SessionRecord[];
  hasNextPage: boolean;
}

export interface MessageWindow {
  offset: number;
  limit: number;
}

export interface MessagePage {
  /** Oldest first. */
  messages: Message[];
  isRunning: boolean;
}

/** A window of a history: the first messages after a position, or the last ones before it. */
export type HistoryWindow = { first: number; afterSeq?: number } | { last: number; beforeSeq?: number };

export interface HistoryMessage extends Message {
  /** Position in the history, from 1. */
  seq: number;
}

export interface HistoryPage {
  messages: HistoryMessage[];
  /** More messages lie beyond the window, in its reading direction. */
  hasMore: boolean;
}

type Transaction = Prisma.TransactionClient;

/**
 * Sessions: create, read, list, PATCH, state writes and delete, each scoped to the caller and the
 * session's agent. Every write runs in one transaction that first bumps `version` and `updatedAt`
 * on the session row (taking its lock, so writes to one session apply one after another, each
 * changing only what it names) and, given `expectedVersion`, applies only to that version; given
 * an `idempotencyKey`, it applies at most once per key (WriteOptions, in idempotency.ts). After a
 * write commits (or is replayed under its key), `events` hears of it, whichever front door asked.
 */
export class SessionService {
  /** When expired idempotency keys were last purged (ms since the epoch). */
  private lastPurge = 0;

  constructor(
    private readonly prisma: PrismaClient,
    /** The driver itself, for the message windows: rows come back as plain objects, no per-row processing. */
    private readonly query: RawQuery,
    private readonly events?: SessionEvents,
    /** Asked before a write names an agent or credential; the REST list asks it too. */
    readonly references: ReferenceCheck = referenceCheckOff,
  ) {}

  async create(
    caller: Caller,
    input: NewSession,
    options: Omit<WriteOptions, 'expectedVersion'> = {},
  ): Promise<SessionRecord> {
    assertStorableText(input);
    await this.references.assertOwned(caller, referencesNamed(input.agentId, input.chatModelConfig));
    const now = new Date();
    const { context, tasks, ...state } = buildAgentState(input.state ?? {}, now);
    const id = newId();
    const request = { operation: 'create', input };
    const created = await this.transaction(caller, request, options, sessionOutcome, async (tx) => {
      const row = await tx.session.create({
        data: {
          id,
          userId: caller.userId,
          agentId: input.agentId,
          workspaceId: input.workspaceId ?? newId(),
          name: input.name ?? defaultSessionName(now),
          chatModelConfig: nullableJson(input.chatModelConfig ? buildChatModelConfig(input.chatModelConfig) : null),
          source: input.source ?? 'user',
          sourceScheduleId: input.sourceScheduleId ?? null,
          createdAt: now,
          updatedAt: now,
          state: { create: stateColumns(state) },
          messages: { createMany: { data: messageRows(id, context, 0).map(({ sessionId: _, ...row }) => row) } },
          tasks: { createMany: { data: taskRows(id, positioned(tasks)).map(({ sessionId: _, ...row }) => row) } },
        },
      });
      return toSessionRecord(row);
    });
    return this.told('created', created);
  }

  async get(caller: Caller, ref: SessionRef): Promise<SessionRecord | null> {
    const row = await this.prisma.session.findFirst({ where: ownedBy(caller, ref) });
    return row && toSessionRecord(row);
  }

  /**
   * The caller's sessions among `ids`, whatever their agent, in one statement: for references that
   * carry only a session id (federation). Ids that are absent or someone else's are missing from the map.
   */
  async getMany(caller: Caller, ids: readonly string[]): Promise<Map<string, SessionRecord>> {
    const rows = await this.prisma.session.findMany({ where: { id: { in: [...ids] }, userId: caller.userId } });
    return new Map(rows.map((row) => [row.id, toSessionRecord(row)]));
  }

  async list(caller: Caller, { agentId, ...window }: SessionListQuery): Promise<SessionPage> {
    return (await this.listOfAgents(caller, [agentId], window)).get(agentId)!;
  }

  /** The same page of the caller's sessions of each agent, in one statement (federation's `Agent.sessions`). */
  async listOfAgents(
    caller: Caller,
    agentIds: readonly string[],
    window: SessionListWindow,
  ): Promise<Map<string, SessionPage>> {
    const { sql, params } = sessionPagesSql(caller, agentIds, window);
    const rows = groupBy(await this.query<SessionRow>(sql, params), (row) => row.agentId, toSessionRecord);
    return new Map(
      agentIds.map((agentId) => {
        const sessions = rows.get(agentId) ?? [];
        return [agentId, { sessions: sessions.slice(0, window.first), hasNextPage: sessions.length > window.first }];
      }),
    );
  }

  async count(caller: Caller, agentId: string, filter?: SessionFilter): Promise<number> {
    return (await this.countOfAgents(caller, [agentId], filter)).get(agentId)!;
  }

  /** How many of the caller's sessions of each agent pass `filter`, in one statement. */
  async countOfAgents(
    caller: Caller,
    agentIds: readonly string[],
    filter?: SessionFilter,
  ): Promise<Map<string, number>> {
    const { sql, params } = sessionCountsSql(caller, agentIds, filter);
    const counts = new Map(
      (await this.query<{ agentId: string; count: number }>(sql, params)).map((row) => [row.agentId, row.count]),
    );
    return new Map(agentIds.map((agentId) => [agentId, counts.get(agentId) ?? 0]));
  }

  async update(
    caller: Caller,
    ref: SessionRef,
    patch: SessionPatch,
    options: WriteOptions = {},
  ): Promise<SessionRecord> {
    assertStorableText(patch);
    const changes = planSessionPatch(patch);
    // Outside the write's transaction: no row stays locked while another service answers.
    await this.references.assertOwned(caller, referencesNamed(undefined, patch.chatModelConfig));
    const { chatModelConfig, ...columns } = changes.session;
    const sessionColumns = {
      ...columns,
      ...(chatModelConfig !== undefined && { chatModelConfig: nullableJson(chatModelConfig) }),
    };
    return this.write(
      caller,
      ref,
      { operation: 'update', input: patch },
      options,
      sessionColumns,
      async (tx, session) => {
        if (changes.state.permissionMode) {
          await tx.agentState.update({
            where: { sessionId: session.id },
            data: { permissionMode: changes.state.permissionMode },
          });
        }
      },
    );
  }

  /**
   * What the agent runtime saves after a turn: the whole state. The given context becomes the
   * context; its messages already in the history are rewritten in place, new ones are appended, and
   * the history keeps everything else.
   */
  replaceState(
    caller: Caller,
    ref: SessionRef,
    draft: AgentStateDraft,
    options: WriteOptions = {},
  ): Promise<SessionRecord> {
    assertStorableText(draft);
    const { context, tasks, ...state } = buildAgentState(draft);
    return this.write(caller, ref, { operation: 'replaceState', input: draft }, options, {}, async (tx, session) => {
      await tx.agentState.update({ where: { sessionId: session.id }, data: stateColumns(state) });
      const known = await tx.message.findMany({
        where: { sessionId: session.id, id: { in: context.map((m) => m.id) } },
        select: { id: true, seq: true },
      });
      const knownSeq = new Map(known.map((message) => [message.id, message.seq]));
      assertContextOrder(context, knownSeq);
      // Taken before the rewrite below removes rows, so new messages never reuse a sequence number.
      const lastSeq = await this.lastSeq(tx, session.id);
      await tx.message.updateMany({ where: { sessionId: session.id, inContext: true }, data: { inContext: false } });
      await tx.message.deleteMany({ where: { sessionId: session.id, id: { in: [...knownSeq.keys()] } } });
      const fresh = context.filter((message) => !knownSeq.has(message.id));
      const rewritten = context
        .filter((message) => knownSeq.has(message.id))
        .flatMap((message) => messageRows(session.id, [message], knownSeq.get(message.id)! - 1));
      await tx.message.createMany({ data: [...rewritten, ...messageRows(session.id, fresh, lastSeq)] });
      await tx.task.deleteMany({ where: { sessionId: session.id } });
      await tx.task.createMany({ data: taskRows(session.id, positioned(tasks)) });
    });
  }

  /**
   * Appends messages to the history and to the context, in order; returns them as stored (ids and
   * times settled; a replay returns those of the first write).
   */
  async appendMessages(
    caller: Caller,
    ref: SessionRef,
    drafts: MessageDraft[],
    options: WriteOptions = {},
  ): Promise<{ session: SessionRecord; messages: Message[] }> {
    assertStorableText(drafts);
    const createdAt = new Date().toISOString();
    const messages = drafts.map((draft) => buildMessage(draft, createdAt));
    const { session, made } = await this.writeMaking(
      caller,
      ref,
      { operation: 'appendMessages', input: drafts },
      options,
      messages,
      async (tx, session) => {
        await assertNewMessageIds(tx, session.id, messages);
        await assertContextRoom(tx, session.id, messages.length);
        const lastSeq = await this.lastSeq(tx, session.id);
        await tx.message.createMany({ data: messageRows(session.id, messages, lastSeq) });
      },
    );
    return { session, messages: made };
  }

  /**
   * The agent summarised its older context: store the summary and keep only the newest `keepLast`
   * messages in the context. The history keeps every message.
   */
  compactContext(
    caller: Caller,
    ref: SessionRef,
    keepLast: number,
    summary: TextOrBlocksDraft,
    options: WriteOptions = {},
  ): Promise<SessionRecord> {
    assertStorableText(summary);
    return this.write(
      caller,
      ref,
      { operation: 'compactContext', input: { keepLast, summary } },
      options,
      {},
      async (tx, session) => {
        await tx.agentState.update({
          where: { sessionId: session.id },
          data: stateColumns({ summary: buildTextOrBlocks(summary) }),
        });
        const [newestDropped] = await tx.message.findMany({
          where: { sessionId: session.id, inContext: true },
          orderBy: { seq: 'desc' },
          skip: keepLast,
          take: 1,
          select: { seq: true },
        });
        if (newestDropped) {
          await tx.message.updateMany({
            where: { sessionId: session.id, inContext: true, seq: { lte: newestDropped.seq } },
            data: { inContext: false },
          });
        }
      },
    );
  }

  /** A small write between turns: only the state fields the patch names change. */
  updateState(
    caller: Caller,
    ref: SessionRef,
    patch: AgentStatePatch,
    options: WriteOptions = {},
  ): Promise<SessionRecord> {
    assertStorableText(patch);
    const changes = planStatePatch(patch);
    return this.write(caller, ref, { operation: 'updateState', input: patch }, options, {}, async (tx, session) => {
      if (Object.keys(changes).length > 0)
        await tx.agentState.update({ where: { sessionId: session.id }, data: stateColumns(changes) });
    });
  }

  /** Adds a task; returns its id (generated when absent; a replay returns that of the first write). */
  async createTask(
    caller: Caller,
    ref: SessionRef,
    draft: TaskDraft,
    options: WriteOptions = {},
  ): Promise<{ session: SessionRecord; taskId: string }> {
    assertStorableText(draft);
    const task = { ...draft, id: draft.id ?? newId() };
    const { session, made } = await this.writeMaking(
      caller,
      ref,
      { operation: 'createTask', input: draft },
      options,
      task.id,
      (tx, session) => this.editTasks(tx, session, (tasks) => addTask(tasks, task)),
    );
    return { session, taskId: made };
  }

  updateTask(
    caller: Caller,
    ref: SessionRef,
    taskId: string,
    patch: TaskPatch,
    options: WriteOptions = {},
  ): Promise<SessionRecord> {
    assertStorableText(patch);
    return this.writeTasks(caller, ref, { operation: 'updateTask', input: { taskId, patch } }, options, (tasks) =>
      patchTask(tasks, taskId, patch),
    );
  }

  deleteTask(caller: Caller, ref: SessionRef, taskId: string, options: WriteOptions = {}): Promise<SessionRecord> {
    return this.writeTasks(caller, ref, { operation: 'deleteTask', input: { taskId } }, options, (tasks) =>
      removeTask(tasks, taskId),
    );
  }

  /** The agent runtime marks a session as running when a turn starts and clears the mark when it ends. */
  setRunning(caller: Caller, ref: SessionRef, running: boolean, options: WriteOptions = {}): Promise<SessionRecord> {
    return this.write(caller, ref, { operation: 'setRunning', input: running }, options, { running }, async () => {});
  }

  /** Returns the version the session had when it was deleted. */
  async delete(caller: Caller, ref: SessionRef, options: WriteOptions = {}): Promise<number> {
    const { expectedVersion } = options;
    const request = { operation: 'delete', input: { ref, expectedVersion } };
    const deleted = await this.transaction(caller, request, options, deletedOutcome, async (tx) => {
      // RETURNING gives the deleted event its last version without a second statement.
      const [row] = await tx.$queryRaw<Array<{ version: number }>>`
        DELETE FROM sessions
        WHERE id = ${ref.id} AND user_id = ${caller.userId} AND agent_id = ${ref.agentId}
          AND (${expectedVersion ?? null}::int IS NULL OR version = ${expectedVersion ?? null}::int)
        RETURNING version`;
      if (!row) throw await missedWrite(tx, caller, ref, expectedVersion);
      return row;
    });
    this.events?.published({
      kind: 'deleted',
      sessionId: ref.id,
      userId: caller.userId,
      agentId: ref.agentId,
      version: deleted.version,
    });
    return deleted.version;
  }

  /**
   * A window of the session's history, oldest first, and whether it is running: one statement finds
   * the session, one reads the window (OFFSET/LIMIT over the history's primary key).
   */
  async messagesPage(caller: Caller, ref: SessionRef, { offset, limit }: MessageWindow): Promise<MessagePage> {
    const session = await this.get(caller, ref);
    if (!session) throw new SessionNotFoundError(ref.id);
    const rows = await this.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = $1 ORDER BY seq OFFSET $2 LIMIT $3`,
      [session.id, offset, limit],
    );
    return { messages: rows.map(toMessage), isRunning: session.isRunning };
  }

  /* Batch reads for sessions the caller already holds: one statement for any number of sessions. */

  // These batch reads go through the driver too, with columns aliased to the model's field names so
  // the rows are the ones Prisma would return.

  async statesOf(sessionIds: readonly string[]): Promise<Map<string, AgentStateRecord>> {
    const rows = await this.query<AgentStateRow>(
      `SELECT ${STATE_COLUMNS} FROM agent_states WHERE session_id = ANY($1::varchar[])`,
      [[...sessionIds]],
    );
    return new Map(rows.map((row) => [row.sessionId, toAgentStateRecord(row)]));
  }

  async tasksOf(sessionIds: readonly string[]): Promise<Map<string, Task[]>> {
    const rows = await this.query<TaskRow>(
      `SELECT ${TASK_COLUMNS} FROM tasks WHERE session_id = ANY($1::varchar[]) ORDER BY session_id, position`,
      [[...sessionIds]],
    );
    return groupBy(rows, (row) => row.sessionId, toTask);
  }

  /** Each session's context, oldest first; with `last`, only its newest `last` messages. */
  async contextsOf(sessionIds: readonly string[], last?: number): Promise<Map<string, Message[]>> {
    // A LATERAL subquery per session walks messages_context_idx backwards: a window per session,
    // never the whole history.
    const rows = await this.query<MessageRow>(
      `SELECT m.* FROM unnest($1::varchar[]) AS s(id)
       CROSS JOIN LATERAL (
         SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = s.id AND in_context ORDER BY seq DESC LIMIT $2::int
       ) m
       ORDER BY m.session_id, m.seq`,
      [[...sessionIds], last ?? null],
    );
    return groupBy(rows, (row) => row.session_id, toMessage);
  }

  /** A window of each session's history, oldest first. */
  async historiesOf(sessionIds: readonly string[], window: HistoryWindow): Promise<Map<string, HistoryPage>> {
    const forward = 'first' in window;
    const size = forward ? window.first : window.last;
    const bound = forward ? (window.afterSeq ?? 0) : (window.beforeSeq ?? 2 ** 31 - 1);
    // One more than asked for tells whether the history goes on. The bound is a row comparison on the
    // primary key (session_id, seq) and the order is the key's own: the planner then walks the key from
    // the bound, whereas `seq > $2 ORDER BY seq` gets a bitmap scan and a sort of the whole history.
    const rows = await this.query<MessageRow>(
      `SELECT m.* FROM unnest($1::varchar[]) AS s(id)
       CROSS JOIN LATERAL (
         SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = s.id AND ${
           forward
             ? '(session_id, seq) > (s.id, $2) ORDER BY session_id, seq'
             : '(session_id, seq) < (s.id, $2) ORDER BY session_id DESC, seq DESC'
         } LIMIT $3
       ) m`,
      [[...sessionIds], bound, size + 1],
    );
    const windows = groupBy(
      rows,
      (row) => row.session_id,
      (row): HistoryMessage => ({ ...toMessage(row), seq: row.seq }),
    );
    return new Map(
      sessionIds.map((id) => {
        const messages = windows.get(id) ?? [];
        const page = messages.slice(0, size);
        return [id, { messages: forward ? page : page.reverse(), hasMore: messages.length > size }];
      }),
    );
  }

  async historyLengthsOf(sessionIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.prisma.message.groupBy({
      by: ['sessionId'],
      where: { sessionId: { in: [...sessionIds] } },
      _count: { _all: true },
    });
    return new Map(rows.map((row) => [row.sessionId, row._count._all]));
  }

  /**
   * Runs one write: bumps the version on the caller's session row (locking it), then `work`.
   * Zero rows matched means the session is not the caller's, or is at another version.
   */
  private async write(
    caller: Caller,
    ref: SessionRef,
    { operation, input }: WriteRequest,
    options: WriteOptions,
    sessionColumns: Prisma.SessionUpdateManyMutationInput,
    work: (tx: Transaction, session: SessionRow) => Promise<void>,
  ): Promise<SessionRecord> {
    const request = { operation, input: { ref, input, expectedVersion: options.expectedVersion } };
    return this.told(
      'updated',
      await this.transaction(caller, request, options, sessionOutcome, (tx) =>
        this.applied(tx, caller, ref, options, sessionColumns, work),
      ),
    );
  }

  /**
   * A write (as `write`) that also made `made` before it ran (generated ids, times), which its
   * caller returns: stored with the outcome, so a replay returns what the first write made.
   */
  private async writeMaking<Made>(
    caller: Caller,
    ref: SessionRef,
    { operation, input }: WriteRequest,
    options: WriteOptions,
    made: Made,
    work: (tx: Transaction, session: SessionRow) => Promise<void>,
  ): Promise<{ session: SessionRecord; made: Made }> {
    const request = { operation, input: { ref, input, expectedVersion: options.expectedVersion } };
    const written = await this.transaction(caller, request, options, writtenOutcome<Made>(), async (tx) => ({
      session: await this.applied(tx, caller, ref, options, {}, work),
      made,
    }));
    this.told('updated', written.session);
    return written;
  }

  /** Bumps the session's version (when it is the caller's, at the expected version), then runs `work`. */
  private async applied(
    tx: Transaction,
    caller: Caller,
    ref: SessionRef,
    { expectedVersion }: WriteOptions,
    sessionColumns: Prisma.SessionUpdateManyMutationInput,
    work: (tx: Transaction, session: SessionRow) => Promise<void>,
  ): Promise<SessionRecord> {
    const [session] = await tx.session.updateManyAndReturn({
      where: matching(caller, ref, expectedVersion),
      data: { ...sessionColumns, version: { increment: 1 }, updatedAt: new Date() },
    });
    if (!session) throw await missedWrite(tx, caller, ref, expectedVersion);
    await work(tx, session);
    return toSessionRecord(session);
  }

  /**
   * Runs `work` in one transaction. Under an idempotency key, the key is claimed first (a concurrent
   * write with the same key waits for this one) and the outcome is stored with it before COMMIT; a
   * key already used returns the stored outcome instead, and nothing runs. A connection lost during
   * COMMIT leaves the outcome unknown, and the error says so.
   */
  private async transaction<Outcome>(
    caller: Caller,
    request: WriteRequest,
    { idempotencyKey: key }: WriteOptions,
    codec: OutcomeCodec<Outcome>,
    work: (tx: Transaction) => Promise<Outcome>,
  ): Promise<Outcome> {
    if (key != null) assertIdempotencyKey(key);
    const fingerprint = key != null ? fingerprintOf(request) : '';
    let committing = false;
    try {
      return await this.prisma.$transaction(async (tx) => {
        if (key != null) {
          const now = new Date();
          const expiredBefore = new Date(now.getTime() - LIMITS.idempotencyKeyLifetimeHours * 3_600_000);
          await this.purgeExpiredKeys(tx, now, expiredBefore);
          const earlier = await claimKey(tx, { userId: caller.userId, key, fingerprint, now, expiredBefore });
          if (earlier) {
            if (earlier.fingerprint !== fingerprint) throw keyReusedError();
            return codec.decode(earlier.outcome);
          }
        }
        const outcome = await work(tx);
        if (key != null) await recordOutcome(tx, caller.userId, key, codec.encode(outcome) as Prisma.InputJsonValue);
        committing = true;
        return outcome;
      });
    } catch (error) {
      if (committing && isDatabaseUnavailable(error)) throw new WriteOutcomeUnknownError(key != null, { cause: error });
      throw error;
    }
  }

  /** At most once a minute, a keyed write also deletes the keys that have expired. */
  private async purgeExpiredKeys(tx: Transaction, now: Date, expiredBefore: Date): Promise<void> {
    if (now.getTime() - this.lastPurge < 60_000) return;
    this.lastPurge = now.getTime();
    await purgeExpiredKeys(tx, expiredBefore);
  }

  /** Publishes a committed write of `session` and returns it. */
  private told(kind: SessionEventKind, session: SessionRecord): SessionRecord {
    this.events?.published({
      kind,
      sessionId: session.id,
      userId: session.userId,
      agentId: session.agentId,
      version: session.version,
    });
    return session;
  }

  /** A task write: the session's task list, edited by a pure function (editTasks). */
  private writeTasks(
    caller: Caller,
    ref: SessionRef,
    request: WriteRequest,
    options: WriteOptions,
    edit: (tasks: Task[]) => Task[],
  ) {
    return this.write(caller, ref, request, options, {}, (tx, session) => this.editTasks(tx, session, edit));
  }

  /** The session's task list, edited by a pure function, written back where it changed. */
  private async editTasks(tx: Transaction, session: SessionRow, edit: (tasks: Task[]) => Task[]): Promise<void> {
    const rows = await tx.task.findMany({ where: { sessionId: session.id }, orderBy: { position: 'asc' } });
    const before = rows.map(toTask);
    const after = edit(before);
    const { written, removedIds } = changedTasks(before, after);
    const positions = new Map(rows.map((row) => [row.id, row.position]));
    let nextPosition = (rows.at(-1)?.position ?? -1) + 1;
    const placed = written.map((task) => ({ ...task, position: positions.get(task.id) ?? nextPosition++ }));
    await tx.task.deleteMany({
      where: { sessionId: session.id, id: { in: [...removedIds, ...written.map((task) => task.id)] } },
    });
    await tx.task.createMany({ data: taskRows(session.id, placed) });
  }

  private async lastSeq(tx: Transaction, sessionId: string): Promise<number> {
    // A plain max() reads one entry of the primary key; Prisma's aggregate wraps the read in an OFFSET
    // subquery that reads the whole history (38 ms at 34,000 messages), under the session's lock.
    const [last] = await tx.$queryRaw<
      Array<{ seq: number | null }>
    >`SELECT max(seq) AS seq FROM messages WHERE session_id = ${sessionId}`;
    return last?.seq ?? 0;
  }
}

/**
 * The context is a window of the history, read in history order: messages already in the history
 * keep their relative order and come before new ones, which are appended.
 */
function assertContextOrder(context: Message[], knownSeq: Map<string, number>): void {
  let lastKnown = 0;
  let seenNew = false;
  const issues = context.flatMap((message, index) => {
    const seq = knownSeq.get(message.id);
    if (seq === undefined) {
      seenNew = true;
      return [];
    }
    const outOfOrder = seenNew || seq < lastKnown;
    lastKnown = seq;
    return outOfOrder
      ? [
          {
            path: ['context', index],
            message: 'Messages already in the history keep their order in the context, and new messages follow them.',
          },
        ]
      : [];
  });
  if (issues.length > 0) throw new InvalidInputError(issues);
}

/**
 * The context never grows past its limit: an append that would is refused (the runtime compacts
 * first), so the state the runtime reads back is one it can write again.
 */
async function assertContextRoom(tx: Transaction, sessionId: string, appended: number): Promise<void> {
  const inContext = await tx.message.count({ where: { sessionId, inContext: true } });
  if (inContext + appended > LIMITS.contextMessages) {
    throw new InvalidInputError([
      {
        // The appended messages as a whole (paths are relative to them).
        path: [],
        message: `The context holds ${inContext} messages; ${appended} more would exceed its ${LIMITS.contextMessages}. Compact it first (compactSessionContext).`,
      },
    ]);
  }
}

async function assertNewMessageIds(tx: Transaction, sessionId: string, messages: Message[]): Promise<void> {
  const seen = new Set<string>();
  const known = new Set(
    (
      await tx.message.findMany({ where: { sessionId, id: { in: messages.map((m) => m.id) } }, select: { id: true } })
    ).map((m) => m.id),
  );
  const issues = messages.flatMap((message, index) => {
    const repeated = known.has(message.id) || seen.has(message.id);
    seen.add(message.id);
    return repeated
      ? [{ path: [index, 'id'], message: `Message '${message.id}' is already in this session's history.` }]
      : [];
  });
  if (issues.length > 0) throw new InvalidInputError(issues);
}

const STATE_COLUMNS = `session_id AS "sessionId", summary, reply_id AS "replyId", cur_iter AS "curIter",
  permission_mode AS "permissionMode", working_directories AS "workingDirectories", allow_rules AS "allowRules",
  deny_rules AS "denyRules", ask_rules AS "askRules", max_cache_files AS "maxCacheFiles", max_cache_bytes AS "maxCacheBytes",
  read_file_cache AS "readFileCache", activated_groups AS "activatedGroups"`;
const TASK_COLUMNS = `session_id AS "sessionId", id, position, subject, description, metadata, created_at AS "createdAt",
  state, owner, blocks, blocked_by AS "blockedBy"`;

/** What a message read needs: everything but the context flag. */
const MESSAGE_COLUMNS = 'session_id, seq, id, name, role, content, metadata, created_at, finished_at, usage';

function ownedBy(caller: Caller, ref: SessionRef) {
  return { id: ref.id, userId: caller.userId, agentId: ref.agentId };
}

/** The caller's session, and only at the expected version when one is given. */
function matching(caller: Caller, ref: SessionRef, expectedVersion: number | null | undefined) {
  return { ...ownedBy(caller, ref), ...(expectedVersion != null && { version: expectedVersion }) };
}

/** Why a write matched no row: a stale expected version of an existing session, or no such session. */
async function missedWrite(
  client: Pick<Transaction, 'session'>,
  caller: Caller,
  ref: SessionRef,
  expectedVersion: number | null | undefined,
): Promise<Error> {
  const current =
    expectedVersion != null
      ? await client.session.findFirst({ where: ownedBy(caller, ref), select: { version: true } })
      : null;
  return current
    ? new VersionConflictError(ref.id, expectedVersion!, current.version)
    : new SessionNotFoundError(ref.id);
}

/** The agent and the credential a write names. */
function referencesNamed(agentId: string | undefined, config: ChatModelConfigDraft | null | undefined): Reference[] {
  return [
    ...(agentId !== undefined ? [{ type: 'Agent' as const, id: agentId }] : []),
    ...(config ? [{ type: 'Credential' as const, id: config.credentialId }] : []),
  ];
}

function positioned(tasks: Task[]) {
  return tasks.map((task, position) => ({ ...task, position }));
}

function groupBy<Row, Item>(
  rows: Row[],
  keyOf: (row: Row) => string,
  convert: (row: Row) => Item,
): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(convert(row));
    else groups.set(key, [convert(row)]);
  }
  return groups;
}

/** Upstream names a new session after its creation time, `YYYY-MM-DD HH:MM:SS` (UTC). */
function defaultSessionName(now: Date): string {
  return now.toISOString().slice(0, 19).replace('T', ' ');
}
