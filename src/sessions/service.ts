import type { AgentStateDraft, MessageDraft, TaskDraft, TextOrBlocksDraft } from './drafts.js';
import { buildAgentState, buildMessage, buildTextOrBlocks } from './drafts.js';
import { isDatabaseUnavailable, NotConnectedError } from '../db/availability.js';
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
import type { SessionFilter, SessionListWindow } from './listing.js';
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
import type {
  HistoryPage,
  HistoryWindow,
  RowChange,
  SessionPage,
  SessionStatements,
  SessionStore,
  SessionWrites,
} from './store.js';
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

export interface MessageWindow {
  offset: number;
  limit: number;
}

export interface MessagePage {
  /** Oldest first. */
  messages: Message[];
  isRunning: boolean;
}

export type { HistoryMessage, HistoryPage, HistoryWindow, SessionPage } from './store.js';

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
    private readonly store: SessionStore,
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
    const created = await this.transaction(caller, request, options, sessionOutcome, (tx) =>
      tx.createSession({
        id,
        userId: caller.userId,
        agentId: input.agentId,
        workspaceId: input.workspaceId ?? newId(),
        name: input.name ?? defaultSessionName(now),
        chatModelConfig: input.chatModelConfig ? buildChatModelConfig(input.chatModelConfig) : null,
        source: input.source ?? 'user',
        sourceScheduleId: input.sourceScheduleId ?? null,
        createdAt: now,
        state,
        context,
        tasks,
      }),
    );
    return this.told('created', created);
  }

  get(caller: Caller, ref: SessionRef): Promise<SessionRecord | null> {
    return this.store.find(caller, ref);
  }

  /** The caller's session and a window of its history, in one statement; null when there is no such session. */
  getWithHistory(
    caller: Caller,
    ref: SessionRef,
    window: HistoryWindow,
  ): Promise<{ session: SessionRecord; history: HistoryPage } | null> {
    return this.store.findWithHistory(caller, ref, window);
  }

  /**
   * The caller's sessions among `ids`, whatever their agent, in one statement: for references that
   * carry only a session id (federation). Ids that are absent or someone else's are missing from the map.
   */
  getMany(caller: Caller, ids: readonly string[]): Promise<Map<string, SessionRecord>> {
    return this.store.findMany(caller, ids);
  }

  async list(caller: Caller, { agentId, ...window }: SessionListQuery): Promise<SessionPage> {
    return (await this.listOfAgents(caller, [agentId], window)).get(agentId)!;
  }

  /** The same page of the caller's sessions of each agent, in one statement (federation's `Agent.sessions`). */
  listOfAgents(
    caller: Caller,
    agentIds: readonly string[],
    window: SessionListWindow,
  ): Promise<Map<string, SessionPage>> {
    return this.store.pagesOfAgents(caller, agentIds, window);
  }

  async count(caller: Caller, agentId: string, filter?: SessionFilter): Promise<number> {
    return (await this.countOfAgents(caller, [agentId], filter)).get(agentId)!;
  }

  /** How many of the caller's sessions of each agent pass `filter`, in one statement. */
  countOfAgents(caller: Caller, agentIds: readonly string[], filter?: SessionFilter): Promise<Map<string, number>> {
    return this.store.countsOfAgents(caller, agentIds, filter);
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
    return this.writeRow(caller, ref, { operation: 'update', input: patch }, options, {
      session: changes.session,
      ...(changes.state.permissionMode && { permissionMode: changes.state.permissionMode }),
    });
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
    return this.write(caller, ref, { operation: 'replaceState', input: draft }, options, async (tx, session) => {
      await tx.updateState(session.id, state);
      const knownSeq = await tx.messageSeqs(
        session.id,
        context.map((m) => m.id),
      );
      assertContextOrder(context, knownSeq);
      await tx.replaceContext(session.id, context, knownSeq);
      await tx.replaceTasks(session.id, tasks);
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
    const { expectedVersion } = options;
    const request = sessionWrite({ operation: 'appendMessages', input: drafts }, ref, expectedVersion);
    try {
      const { session, made } = await this.oneStatement(
        caller,
        request,
        options,
        writtenOutcome<Message[]>(),
        async (statements) => {
          const result = await statements.appendMessages(
            caller,
            ref,
            expectedVersion,
            messages,
            LIMITS.contextMessages,
          );
          if (result.kind !== 'appended') throw new AppendRefused(result.kind);
          return { session: result.session, made: messages };
        },
      );
      this.told('updated', session);
      return { session, messages: made };
    } catch (error) {
      if (!(error instanceof AppendRefused)) throw error;
      // Told apart only now, outside the statement (and its transaction, which a violated key aborts).
      throw await whyRefused(error, this.store, caller, ref, expectedVersion, messages);
    }
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
      async (tx, session) => {
        await tx.updateState(session.id, { summary: buildTextOrBlocks(summary) });
        await tx.keepNewestInContext(session.id, keepLast);
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
    return this.write(caller, ref, { operation: 'updateState', input: patch }, options, async (tx, session) => {
      if (Object.keys(changes).length > 0) await tx.updateState(session.id, changes);
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
      (tx, session) => editTasks(tx, session, (tasks) => addTask(tasks, task)),
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
    return this.writeRow(caller, ref, { operation: 'setRunning', input: running }, options, { session: { running } });
  }

  /** Returns the version the session had when it was deleted. */
  async delete(caller: Caller, ref: SessionRef, options: WriteOptions = {}): Promise<number> {
    const { expectedVersion } = options;
    const request = { operation: 'delete', input: { ref, expectedVersion } };
    const deleted = await this.transaction(caller, request, options, deletedOutcome, async (tx) => {
      const row = await tx.deleteSession(caller, ref, expectedVersion);
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
    return { messages: await this.store.messagesWindow(session.id, offset, limit), isRunning: session.isRunning };
  }

  /* Batch reads for sessions the caller already holds: one statement for any number of sessions. */

  statesOf(sessionIds: readonly string[]): Promise<Map<string, AgentStateRecord>> {
    return this.store.statesOf(sessionIds);
  }

  tasksOf(sessionIds: readonly string[]): Promise<Map<string, Task[]>> {
    return this.store.tasksOf(sessionIds);
  }

  /** Each session's context, oldest first; with `last`, only its newest `last` messages. */
  contextsOf(sessionIds: readonly string[], last?: number): Promise<Map<string, Message[]>> {
    return this.store.contextsOf(sessionIds, last);
  }

  /** A window of each session's history, oldest first. */
  historiesOf(sessionIds: readonly string[], window: HistoryWindow): Promise<Map<string, HistoryPage>> {
    return this.store.historiesOf(sessionIds, window);
  }

  historyLengthsOf(sessionIds: readonly string[]): Promise<Map<string, number>> {
    return this.store.historyLengthsOf(sessionIds);
  }

  /**
   * A write of the session row alone (and its state's mode): one statement, whose WHERE checks the
   * caller and the version and whose RETURNING is the answer; only when it matches no row does a
   * read tell a missing session from a stale version.
   */
  private async writeRow(
    caller: Caller,
    ref: SessionRef,
    requested: WriteRequest,
    options: WriteOptions,
    change: RowChange,
  ): Promise<SessionRecord> {
    const { expectedVersion } = options;
    const request = sessionWrite(requested, ref, expectedVersion);
    const session = await this.oneStatement(caller, request, options, sessionOutcome, async (statements) => {
      const updated = await statements.updateSession(caller, ref, expectedVersion, change);
      if (!updated) throw await missedWrite(statements, caller, ref, expectedVersion);
      return updated;
    });
    return this.told('updated', session);
  }

  /**
   * Runs a write that is one statement. On its own it needs no transaction (a statement is atomic);
   * a connection lost once it was sent leaves its outcome unknown, as a lost COMMIT does. Under an
   * idempotency key it runs in the key's transaction (`transaction`): claiming the key must come
   * before the write and storing the outcome after it, which one statement cannot order (its parts
   * share one snapshot and cannot change the key's row twice).
   */
  private async oneStatement<Outcome>(
    caller: Caller,
    request: WriteRequest,
    options: WriteOptions,
    codec: OutcomeCodec<Outcome>,
    work: (statements: SessionStatements) => Promise<Outcome>,
  ): Promise<Outcome> {
    if (options.idempotencyKey != null) return this.transaction(caller, request, options, codec, work);
    try {
      return await work(this.store);
    } catch (error) {
      if (isDatabaseUnavailable(error) && !(error instanceof NotConnectedError))
        throw new WriteOutcomeUnknownError(false, { cause: error });
      throw error;
    }
  }

  /**
   * Runs one write: bumps the version on the caller's session row (locking it), then `work`.
   * Zero rows matched means the session is not the caller's, or is at another version.
   */
  private async write(
    caller: Caller,
    ref: SessionRef,
    requested: WriteRequest,
    options: WriteOptions,
    work: (tx: SessionWrites, session: SessionRecord) => Promise<void>,
  ): Promise<SessionRecord> {
    const request = sessionWrite(requested, ref, options.expectedVersion);
    return this.told(
      'updated',
      await this.transaction(caller, request, options, sessionOutcome, (tx) => applied(tx, caller, ref, options, work)),
    );
  }

  /**
   * A write (as `write`) that also made `made` before it ran (generated ids, times), which its
   * caller returns: stored with the outcome, so a replay returns what the first write made.
   */
  private async writeMaking<Made>(
    caller: Caller,
    ref: SessionRef,
    requested: WriteRequest,
    options: WriteOptions,
    made: Made,
    work: (tx: SessionWrites, session: SessionRecord) => Promise<void>,
  ): Promise<{ session: SessionRecord; made: Made }> {
    const request = sessionWrite(requested, ref, options.expectedVersion);
    const written = await this.transaction(caller, request, options, writtenOutcome<Made>(), async (tx) => ({
      session: await applied(tx, caller, ref, options, work),
      made,
    }));
    this.told('updated', written.session);
    return written;
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
    work: (tx: SessionWrites) => Promise<Outcome>,
  ): Promise<Outcome> {
    if (key != null) assertIdempotencyKey(key);
    const fingerprint = key != null ? fingerprintOf(request) : '';
    let committing = false;
    try {
      return await this.store.transaction(async (tx) => {
        if (key != null) {
          const now = new Date();
          const expiredBefore = new Date(now.getTime() - LIMITS.idempotencyKeyLifetimeHours * 3_600_000);
          await this.purgeExpiredKeys(tx, now, expiredBefore);
          const earlier = await tx.claimKey({ userId: caller.userId, key, fingerprint, now, expiredBefore });
          if (earlier) {
            if (earlier.fingerprint !== fingerprint) throw keyReusedError();
            return codec.decode(earlier.outcome);
          }
        }
        const outcome = await work(tx);
        if (key != null) await tx.recordOutcome(caller.userId, key, codec.encode(outcome));
        committing = true;
        return outcome;
      });
    } catch (error) {
      if (committing && isDatabaseUnavailable(error)) throw new WriteOutcomeUnknownError(key != null, { cause: error });
      throw error;
    }
  }

  /** At most once a minute, a keyed write also deletes the keys that have expired. */
  private async purgeExpiredKeys(tx: SessionWrites, now: Date, expiredBefore: Date): Promise<void> {
    if (now.getTime() - this.lastPurge < 60_000) return;
    this.lastPurge = now.getTime();
    await tx.purgeExpiredKeys(expiredBefore);
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
    return this.write(caller, ref, request, options, (tx, session) => editTasks(tx, session, edit));
  }
}

/** Bumps the session's version (when it is the caller's, at the expected version), then runs `work`. */
async function applied(
  tx: SessionWrites,
  caller: Caller,
  ref: SessionRef,
  { expectedVersion }: WriteOptions,
  work: (tx: SessionWrites, session: SessionRecord) => Promise<void>,
): Promise<SessionRecord> {
  const session = await tx.bumpVersion(caller, ref, expectedVersion);
  if (!session) throw await missedWrite(tx, caller, ref, expectedVersion);
  await work(tx, session);
  return session;
}

/** The session's task list, edited by a pure function, written back where it changed. */
async function editTasks(tx: SessionWrites, session: SessionRecord, edit: (tasks: Task[]) => Task[]): Promise<void> {
  const placed = await tx.placedTasks(session.id);
  const before = placed.map(({ position: _, ...task }) => task);
  const { written, removedIds } = changedTasks(before, edit(before));
  const positions = new Map(placed.map((task) => [task.id, task.position]));
  let nextPosition = (placed.at(-1)?.position ?? -1) + 1;
  await tx.rewriteTasks(
    session.id,
    removedIds,
    written.map((task) => ({ ...task, position: positions.get(task.id) ?? nextPosition++ })),
  );
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

/** An append its statement refused; `appendMessages` tells why once the statement is over. */
class AppendRefused extends Error {
  constructor(readonly kind: 'missed' | 'duplicateId') {
    super(kind);
  }
}

/** The message ids of an append already in the history (`known`) or repeated within it. */
function repeatedIdsError(messages: Message[], known: Set<string>): InvalidInputError {
  const seen = new Set<string>();
  const issues = messages.flatMap((message, index) => {
    const repeated = known.has(message.id) || seen.has(message.id);
    seen.add(message.id);
    return repeated
      ? [{ path: [index, 'id'], message: `Message '${message.id}' is already in this session's history.` }]
      : [];
  });
  return new InvalidInputError(issues);
}

/**
 * Why an append was refused: a message id already in the history (or repeated), no such session, a
 * stale expected version, or a context without room for the messages (the context never grows past
 * its limit: the runtime compacts first, so the state it reads back is one it can write again).
 * Repeated ids are told before the context's limit, as before the append was one statement.
 */
async function whyRefused(
  refused: AppendRefused,
  store: SessionStatements,
  caller: Caller,
  ref: SessionRef,
  expectedVersion: number | null | undefined,
  messages: Message[],
): Promise<Error> {
  const repeatedIds = async () =>
    repeatedIdsError(
      messages,
      await store.knownMessageIds(
        ref.id,
        messages.map((message) => message.id),
      ),
    );
  if (refused.kind === 'duplicateId') return repeatedIds();
  const current = await store.currentVersion(caller, ref);
  if (!current) return new SessionNotFoundError(ref.id);
  if (expectedVersion != null && current.version !== expectedVersion)
    return new VersionConflictError(ref.id, expectedVersion, current.version);
  const repeated = await repeatedIds();
  if (repeated.issues.length > 0) return repeated;
  return new InvalidInputError([
    {
      // The appended messages as a whole (paths are relative to them).
      path: [],
      message: `The context holds ${current.contextSize} messages; ${messages.length} more would exceed its ${LIMITS.contextMessages}. Compact it first (compactSessionContext).`,
    },
  ]);
}

/** Why a write matched no row: a stale expected version of an existing session, or no such session. */
async function missedWrite(
  store: SessionStatements,
  caller: Caller,
  ref: SessionRef,
  expectedVersion: number | null | undefined,
): Promise<Error> {
  const current = expectedVersion != null ? await store.currentVersion(caller, ref) : null;
  return current !== null
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

/** Upstream names a new session after its creation time, `YYYY-MM-DD HH:MM:SS` (UTC). */
function defaultSessionName(now: Date): string {
  return now.toISOString().slice(0, 19).replace('T', ' ');
}

/** A write of an existing session as its idempotency key identifies it: the change, where, at which version. */
function sessionWrite(
  { operation, input }: WriteRequest,
  ref: SessionRef,
  expectedVersion: number | null | undefined,
): WriteRequest {
  return { operation, input: { ref, input, expectedVersion } };
}
