import { Prisma, type PrismaClient } from '../db/generated/client.js';
import type { AgentState as AgentStateRow, Session as SessionRow, Task as TaskRow } from '../db/generated/client.js';
import type { RawQuery } from '../db/database.js';
import { buildAgentState, buildMessage, buildTextOrBlocks, type AgentStateDraft, type MessageDraft, type TaskDraft, type TextOrBlocksDraft } from './drafts.js';
import { InvalidInputError, SessionNotFoundError, VersionConflictError } from './errors.js';
import type { SessionEventKind, SessionEvents } from './events.js';
import { newId } from './ids.js';
import type {
  AgentStateRecord,
  Caller,
  Message,
  SessionRecord,
  SessionRef,
  SessionSource,
  Task,
} from './model.js';
import { buildChatModelConfig, planSessionPatch, planStatePatch, type AgentStatePatch, type ChatModelConfigDraft, type SessionPatch } from './patch.js';
import { messageRows, nullableJson, stateColumns, taskRows, toAgentStateRecord, toMessage, toSessionRecord, toTask, type MessageRow } from './rows.js';
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

export interface SessionFilter {
  workspaceId?: string | null;
  source?: SessionSource | null;
  sourceScheduleId?: string | null;
  /** Case-insensitive substring of the name. */
  nameContains?: string | null;
  updatedAfter?: Date | null;
  updatedBefore?: Date | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
}

export type SessionOrderField = 'updatedAt' | 'createdAt';
export interface SessionOrder {
  field: SessionOrderField;
  direction: 'asc' | 'desc';
}

/** Where a page starts: after the session with this sort value and id (keyset pagination). */
export interface SessionListPosition {
  value: Date;
  id: string;
}

export interface SessionListQuery {
  agentId: string;
  first: number;
  /** Start after a position (keyset, GraphQL) or after skipping some sessions (offset, REST). */
  after?: SessionListPosition;
  offset?: number;
  filter?: SessionFilter;
  order?: SessionOrder;
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

export const DEFAULT_ORDER: SessionOrder = { field: 'updatedAt', direction: 'desc' };

type Transaction = Prisma.TransactionClient;

/**
 * Sessions: create, read, list, PATCH, state writes and delete, each scoped to the caller and the
 * session's agent. Every write runs in one transaction that first bumps `version` and `updatedAt`
 * on the session row (taking its lock, so writes to one session apply one after another, each
 * changing only what it names) and, given `expectedVersion`, applies only to that version. After a
 * write commits, `events` hears of it, whichever front door asked for the write.
 */
export class SessionService {
  constructor(
    private readonly prisma: PrismaClient,
    /** The driver itself, for the message windows: rows come back as plain objects, no per-row processing. */
    private readonly query: RawQuery,
    private readonly events?: SessionEvents,
  ) {}

  async create(caller: Caller, input: NewSession): Promise<SessionRecord> {
    assertStorableText(input);
    const now = new Date();
    const { context, tasks, ...state } = buildAgentState(input.state ?? {}, now);
    const id = newId();
    const row = await this.prisma.session.create({
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
    return this.told('created', toSessionRecord(row));
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

  async list(caller: Caller, query: SessionListQuery): Promise<SessionPage> {
    const { field, direction } = query.order ?? DEFAULT_ORDER;
    const beyond = direction === 'desc' ? 'lt' : 'gt';
    const rows = await this.prisma.session.findMany({
      where: {
        AND: [
          listScope(caller, query.agentId, query.filter),
          // After the cursor: (field, id) beyond (value, id). The first bound lets the index start at
          // the cursor (an OR alone makes PostgreSQL scan every earlier row); the OR settles ties.
          query.after
            ? {
                [field]: { [`${beyond}e`]: query.after.value },
                OR: [{ [field]: { [beyond]: query.after.value } }, { id: { [beyond]: query.after.id } }],
              }
            : {},
        ],
      },
      orderBy: [{ [field]: direction }, { id: direction }],
      skip: query.offset,
      take: query.first + 1,
    });
    return { sessions: rows.slice(0, query.first).map(toSessionRecord), hasNextPage: rows.length > query.first };
  }

  count(caller: Caller, agentId: string, filter?: SessionFilter): Promise<number> {
    return this.prisma.session.count({ where: listScope(caller, agentId, filter) });
  }

  update(caller: Caller, ref: SessionRef, patch: SessionPatch, expectedVersion?: number | null): Promise<SessionRecord> {
    assertStorableText(patch);
    const changes = planSessionPatch(patch);
    const { chatModelConfig, ...columns } = changes.session;
    const sessionColumns = { ...columns, ...(chatModelConfig !== undefined && { chatModelConfig: nullableJson(chatModelConfig) }) };
    return this.write(caller, ref, expectedVersion, sessionColumns, async (tx, session) => {
      if (changes.state.permissionMode) {
        await tx.agentState.update({ where: { sessionId: session.id }, data: { permissionMode: changes.state.permissionMode } });
      }
    });
  }

  /**
   * What the agent runtime saves after a turn: the whole state. The given context becomes the
   * context; its messages already in the history are rewritten in place, new ones are appended, and
   * the history keeps everything else.
   */
  replaceState(caller: Caller, ref: SessionRef, draft: AgentStateDraft, expectedVersion?: number | null): Promise<SessionRecord> {
    assertStorableText(draft);
    const { context, tasks, ...state } = buildAgentState(draft);
    return this.write(caller, ref, expectedVersion, {}, async (tx, session) => {
      await tx.agentState.update({ where: { sessionId: session.id }, data: stateColumns(state) });
      const known = await tx.message.findMany({ where: { sessionId: session.id, id: { in: context.map((m) => m.id) } }, select: { id: true, seq: true } });
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

  /** Appends messages to the history and to the context, in order. */
  appendMessages(caller: Caller, ref: SessionRef, drafts: MessageDraft[], expectedVersion?: number | null): Promise<SessionRecord> {
    assertStorableText(drafts);
    const createdAt = new Date().toISOString();
    const messages = drafts.map((draft) => buildMessage(draft, createdAt));
    return this.write(caller, ref, expectedVersion, {}, async (tx, session) => {
      await assertNewMessageIds(tx, session.id, messages);
      const lastSeq = await this.lastSeq(tx, session.id);
      await tx.message.createMany({ data: messageRows(session.id, messages, lastSeq) });
    });
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
    expectedVersion?: number | null,
  ): Promise<SessionRecord> {
    assertStorableText(summary);
    return this.write(caller, ref, expectedVersion, {}, async (tx, session) => {
      await tx.agentState.update({ where: { sessionId: session.id }, data: stateColumns({ summary: buildTextOrBlocks(summary) }) });
      const [newestDropped] = await tx.message.findMany({
        where: { sessionId: session.id, inContext: true },
        orderBy: { seq: 'desc' },
        skip: keepLast,
        take: 1,
        select: { seq: true },
      });
      if (newestDropped) {
        await tx.message.updateMany({ where: { sessionId: session.id, inContext: true, seq: { lte: newestDropped.seq } }, data: { inContext: false } });
      }
    });
  }

  /** A small write between turns: only the state fields the patch names change. */
  updateState(caller: Caller, ref: SessionRef, patch: AgentStatePatch, expectedVersion?: number | null): Promise<SessionRecord> {
    assertStorableText(patch);
    const changes = planStatePatch(patch);
    return this.write(caller, ref, expectedVersion, {}, async (tx, session) => {
      if (Object.keys(changes).length > 0) await tx.agentState.update({ where: { sessionId: session.id }, data: stateColumns(changes) });
    });
  }

  createTask(caller: Caller, ref: SessionRef, draft: TaskDraft, expectedVersion?: number | null): Promise<SessionRecord> {
    assertStorableText(draft);
    return this.writeTasks(caller, ref, expectedVersion, (tasks) => addTask(tasks, draft));
  }

  updateTask(caller: Caller, ref: SessionRef, taskId: string, patch: TaskPatch, expectedVersion?: number | null): Promise<SessionRecord> {
    assertStorableText(patch);
    return this.writeTasks(caller, ref, expectedVersion, (tasks) => patchTask(tasks, taskId, patch));
  }

  deleteTask(caller: Caller, ref: SessionRef, taskId: string, expectedVersion?: number | null): Promise<SessionRecord> {
    return this.writeTasks(caller, ref, expectedVersion, (tasks) => removeTask(tasks, taskId));
  }

  /** The agent runtime marks a session as running when a turn starts and clears the mark when it ends. */
  setRunning(caller: Caller, ref: SessionRef, running: boolean, expectedVersion?: number | null): Promise<SessionRecord> {
    return this.write(caller, ref, expectedVersion, { running }, async () => {});
  }

  /** Returns the version the session had when it was deleted. */
  async delete(caller: Caller, ref: SessionRef, expectedVersion?: number | null): Promise<number> {
    // RETURNING gives the deleted event its last version without a second statement.
    const [deleted] = await this.prisma.$queryRaw<Array<{ version: number }>>`
      DELETE FROM sessions
      WHERE id = ${ref.id} AND user_id = ${caller.userId} AND agent_id = ${ref.agentId}
        AND (${expectedVersion ?? null}::int IS NULL OR version = ${expectedVersion ?? null}::int)
      RETURNING version`;
    if (!deleted) throw await missedWrite(this.prisma, caller, ref, expectedVersion);
    this.events?.published({ kind: 'deleted', sessionId: ref.id, userId: caller.userId, agentId: ref.agentId, version: deleted.version });
    return deleted.version;
  }

  /**
   * A window of the session's history, oldest first, and whether it is running: one statement finds
   * the session, one reads the window (OFFSET/LIMIT over the history's primary key).
   */
  async messagesPage(caller: Caller, ref: SessionRef, { offset, limit }: MessageWindow): Promise<MessagePage> {
    const session = await this.get(caller, ref);
    if (!session) throw new SessionNotFoundError(ref.id);
    const rows = await this.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = $1 ORDER BY seq OFFSET $2 LIMIT $3`, [
      session.id,
      offset,
      limit,
    ]);
    return { messages: rows.map(toMessage), isRunning: session.isRunning };
  }

  /* Batch reads for sessions the caller already holds: one statement for any number of sessions. */

  // These batch reads go through the driver too, with columns aliased to the model's field names so
  // the rows are the ones Prisma would return.

  async statesOf(sessionIds: readonly string[]): Promise<Map<string, AgentStateRecord>> {
    const rows = await this.query<AgentStateRow>(`SELECT ${STATE_COLUMNS} FROM agent_states WHERE session_id = ANY($1::varchar[])`, [[...sessionIds]]);
    return new Map(rows.map((row) => [row.sessionId, toAgentStateRecord(row)]));
  }

  async tasksOf(sessionIds: readonly string[]): Promise<Map<string, Task[]>> {
    const rows = await this.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM tasks WHERE session_id = ANY($1::varchar[]) ORDER BY session_id, position`, [
      [...sessionIds],
    ]);
    return groupBySession(rows, (row) => row.sessionId, toTask);
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
    return groupBySession(rows, (row) => row.session_id, toMessage);
  }

  /** A window of each session's history, oldest first. */
  async historiesOf(sessionIds: readonly string[], window: HistoryWindow): Promise<Map<string, HistoryPage>> {
    const forward = 'first' in window;
    const size = forward ? window.first : window.last;
    const bound = forward ? (window.afterSeq ?? 0) : (window.beforeSeq ?? 2 ** 31 - 1);
    // One more than asked for tells whether the history goes on.
    const rows = await this.query<MessageRow>(
      `SELECT m.* FROM unnest($1::varchar[]) AS s(id)
       CROSS JOIN LATERAL (
         SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = s.id AND ${forward ? 'seq > $2 ORDER BY seq ASC' : 'seq < $2 ORDER BY seq DESC'} LIMIT $3
       ) m`,
      [[...sessionIds], bound, size + 1],
    );
    const windows = groupBySession(rows, (row) => row.session_id, (row): HistoryMessage => ({ ...toMessage(row), seq: row.seq }));
    return new Map(
      sessionIds.map((id) => {
        const messages = windows.get(id) ?? [];
        const page = messages.slice(0, size);
        return [id, { messages: forward ? page : page.reverse(), hasMore: messages.length > size }];
      }),
    );
  }

  async historyLengthsOf(sessionIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.prisma.message.groupBy({ by: ['sessionId'], where: { sessionId: { in: [...sessionIds] } }, _count: { _all: true } });
    return new Map(rows.map((row) => [row.sessionId, row._count._all]));
  }

  /**
   * Runs one write: bumps the version on the caller's session row (locking it), then `work`.
   * Zero rows matched means the session is not the caller's, or is at another version.
   */
  private async write(
    caller: Caller,
    ref: SessionRef,
    expectedVersion: number | null | undefined,
    sessionColumns: Prisma.SessionUpdateManyMutationInput,
    work: (tx: Transaction, session: SessionRow) => Promise<void>,
  ): Promise<SessionRecord> {
    const written = await this.prisma.$transaction(async (tx) => {
      const [session] = await tx.session.updateManyAndReturn({
        where: matching(caller, ref, expectedVersion),
        data: { ...sessionColumns, version: { increment: 1 }, updatedAt: new Date() },
      });
      if (!session) throw await missedWrite(tx, caller, ref, expectedVersion);
      await work(tx, session);
      return toSessionRecord(session);
    });
    return this.told('updated', written);
  }

  /** Publishes a committed write of `session` and returns it. */
  private told(kind: SessionEventKind, session: SessionRecord): SessionRecord {
    this.events?.published({ kind, sessionId: session.id, userId: session.userId, agentId: session.agentId, version: session.version });
    return session;
  }


  /** A task write: the session's task list, edited by a pure function, written back where it changed. */
  private writeTasks(caller: Caller, ref: SessionRef, expectedVersion: number | null | undefined, edit: (tasks: Task[]) => Task[]) {
    return this.write(caller, ref, expectedVersion, {}, async (tx, session) => {
      const rows = await tx.task.findMany({ where: { sessionId: session.id }, orderBy: { position: 'asc' } });
      const before = rows.map(toTask);
      const after = edit(before);
      const { written, removedIds } = changedTasks(before, after);
      const positions = new Map(rows.map((row) => [row.id, row.position]));
      let nextPosition = (rows.at(-1)?.position ?? -1) + 1;
      const placed = written.map((task) => ({ ...task, position: positions.get(task.id) ?? nextPosition++ }));
      await tx.task.deleteMany({ where: { sessionId: session.id, id: { in: [...removedIds, ...written.map((task) => task.id)] } } });
      await tx.task.createMany({ data: taskRows(session.id, placed) });
    });
  }

  private async lastSeq(tx: Transaction, sessionId: string): Promise<number> {
    const { _max } = await tx.message.aggregate({ where: { sessionId }, _max: { seq: true } });
    return _max.seq ?? 0;
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
      ? [{ path: ['context', index], message: 'Messages already in the history keep their order in the context, and new messages follow them.' }]
      : [];
  });
  if (issues.length > 0) throw new InvalidInputError(issues);
}

async function assertNewMessageIds(tx: Transaction, sessionId: string, messages: Message[]): Promise<void> {
  const seen = new Set<string>();
  const known = new Set(
    (await tx.message.findMany({ where: { sessionId, id: { in: messages.map((m) => m.id) } }, select: { id: true } })).map((m) => m.id),
  );
  const issues = messages.flatMap((message, index) => {
    const repeated = known.has(message.id) || seen.has(message.id);
    seen.add(message.id);
    return repeated ? [{ path: [index, 'id'], message: `Message '${message.id}' is already in this session's history.` }] : [];
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
async function missedWrite(client: Pick<Transaction, 'session'>, caller: Caller, ref: SessionRef, expectedVersion: number | null | undefined): Promise<Error> {
  const current = expectedVersion != null ? await client.session.findFirst({ where: ownedBy(caller, ref), select: { version: true } }) : null;
  return current ? new VersionConflictError(ref.id, expectedVersion!, current.version) : new SessionNotFoundError(ref.id);
}

function listScope(caller: Caller, agentId: string, filter: SessionFilter = {}): Prisma.SessionWhereInput {
  return {
    userId: caller.userId,
    agentId,
    ...(filter.workspaceId != null && { workspaceId: filter.workspaceId }),
    ...(filter.source != null && { source: filter.source }),
    ...(filter.sourceScheduleId != null && { sourceScheduleId: filter.sourceScheduleId }),
    ...(filter.nameContains != null && { name: { contains: filter.nameContains, mode: 'insensitive' } }),
    updatedAt: { ...(filter.updatedAfter && { gte: filter.updatedAfter }), ...(filter.updatedBefore && { lt: filter.updatedBefore }) },
    createdAt: { ...(filter.createdAfter && { gte: filter.createdAfter }), ...(filter.createdBefore && { lt: filter.createdBefore }) },
  };
}

function positioned(tasks: Task[]) {
  return tasks.map((task, position) => ({ ...task, position }));
}

function groupBySession<Row, Item>(rows: Row[], sessionOf: (row: Row) => string, convert: (row: Row) => Item): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const row of rows) {
    const key = sessionOf(row);
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
