import type { Prisma, PrismaClient } from '../db/generated/client.js';
import type { AgentState as AgentStateRow, Session as SessionRow } from '../db/generated/client.js';
import type { RawQuery } from '../db/database.js';
import { claimKey, purgeExpiredKeys, recordOutcome, type KeyClaim, type StoredKey } from '../db/idempotency-keys.js';
import {
  MESSAGE_COLUMNS,
  SESSION_COLUMNS,
  STATE_COLUMNS,
  TASK_COLUMNS,
  sessionCountsSql,
  sessionPagesSql,
  type SessionFilter,
  type SessionListWindow,
} from './listing.js';
import type {
  AgentStateRecord,
  Caller,
  ChatModelConfig,
  Message,
  PermissionMode,
  SessionRecord,
  SessionRef,
  SessionSource,
  Task,
} from './model.js';
import {
  messageRows,
  nullableJson,
  stateColumns,
  taskRows,
  toAgentStateRecord,
  toSessionRecord,
  toTask,
  type MessageRow,
} from './rows.js';

/*
 * The sessions' storage: every SQL statement and Prisma call, and the mapping of rows to the model.
 * Callers pass the caller and the session they address; the store puts them in the WHERE of every
 * statement, and decides nothing else (which write runs, in which transaction, what a missing row
 * means: the service's).
 */

export interface SessionPage {
  sessions: SessionRecord[];
  hasNextPage: boolean;
  /** By id of the page's sessions, what the window asked to read `with` each one (see SessionParts). */
  parts?: Map<string, SessionPartsRead>;
}

/** A listed session's parts, read with it; those not asked for are absent. */
export interface SessionPartsRead {
  /** Null: the session has no agent state. */
  state?: AgentStateRecord | null;
  context?: Message[];
  tasks?: Task[];
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

/** A new session's row, with its state, context and tasks. */
export interface NewSessionRow {
  id: string;
  userId: string;
  agentId: string;
  workspaceId: string;
  name: string;
  chatModelConfig: ChatModelConfig | null;
  source: SessionSource;
  sourceScheduleId: string | null;
  createdAt: Date;
  state: Omit<AgentStateRecord, 'sessionId'>;
  context: Message[];
  tasks: Task[];
}

/** The session columns a write may set beside the version bump. */
export interface SessionColumns {
  name?: string | null;
  chatModelConfig?: ChatModelConfig | null;
  running?: boolean;
}

export type StateColumns = Partial<Omit<AgentStateRecord, 'sessionId'>>;

/** A task with its place in the session's list. */
export type PlacedTask = Task & { position: number };

/** What a session write names beside the version bump, when it touches no other row than the session's own. */
export interface RowChange {
  session: SessionColumns;
  /** Written to the session's agent state by the same statement. */
  permissionMode?: PermissionMode;
}

/** How a one-statement append went. */
export type AppendResult =
  | { kind: 'appended'; session: SessionRecord }
  /** No row matched: not the caller's session, another version, or no room in the context. */
  | { kind: 'missed' }
  /** A message id is already in the history (the statement changed nothing). */
  | { kind: 'duplicateId' };

/** What a write that matched no row reads to say why. */
export interface SessionVersion {
  version: number;
  contextSize: number;
}

/**
 * The writes that are one statement each (a single statement is atomic): run on their own by the
 * store, or inside a transaction (under an idempotency key) by SessionWrites.
 */
export abstract class SessionStatements {
  protected abstract run<Row>(sql: string, params: unknown[]): Promise<Row[]>;

  /**
   * Sets `change` and bumps the version and `updatedAt` of the caller's session (only at
   * `expectedVersion` when one is given), in one statement; null when no row matched.
   */
  async updateSession(
    caller: Caller,
    ref: SessionRef,
    expectedVersion: number | null | undefined,
    { session: { name, chatModelConfig, running }, permissionMode }: RowChange,
  ): Promise<SessionRecord | null> {
    const params: unknown[] = [ref.id, caller.userId, ref.agentId, expectedVersion ?? null, new Date()];
    const set = (column: string, value: unknown, cast = '') => `, ${column} = $${params.push(value)}${cast}`;
    const columns =
      (name !== undefined ? set('name', name) : '') +
      (chatModelConfig !== undefined ? set('chat_model_config', jsonText(chatModelConfig), '::text::jsonb') : '') +
      (running !== undefined ? set('running', running) : '');
    // The state's mode is written from the updated row: no row, no state write.
    const state =
      permissionMode !== undefined
        ? `, state AS (UPDATE agent_states SET permission_mode = $${params.push(permissionMode)}::permission_mode
             FROM updated WHERE agent_states.session_id = updated.id)`
        : '';
    const [row] = await this.run<SessionRow>(
      `WITH updated AS (
         UPDATE sessions SET version = version + 1, updated_at = $5${columns}
         WHERE ${OWNED_AT_VERSION}
         RETURNING ${SESSION_COLUMNS}
       )${state}
       SELECT * FROM updated`,
      params,
    );
    return row ? toSessionRecord(row) : null;
  }

  /**
   * Appends `messages` to the history and the context of the caller's session in one statement:
   * the session row's UPDATE bumps the version, takes `lastSeq + 1…` for the messages and counts
   * them into `contextSize` (matching only while the context has room for them under
   * `contextLimit`), and a CTE inserts them after the `lastSeq` the UPDATE returned. The row lock
   * orders concurrent appends, and the UPDATE re-checks its WHERE on the row it waited for, so
   * neither the numbering nor the limit can race. A message id already in the history violates the
   * `(session_id, id)` unique key, which undoes the whole statement.
   */
  async appendMessages(
    caller: Caller,
    ref: SessionRef,
    expectedVersion: number | null | undefined,
    messages: Message[],
    contextLimit: number,
  ): Promise<AppendResult> {
    try {
      const [row] = await this.run<SessionRow>(
        `WITH updated AS (
           UPDATE sessions
           SET version = version + 1, updated_at = $5, last_seq = last_seq + $6, context_size = context_size + $6
           WHERE ${OWNED_AT_VERSION} AND context_size + $6 <= $7
           RETURNING ${SESSION_COLUMNS}, last_seq - $6 AS "seqBefore"
         ), appended AS (
           INSERT INTO messages (session_id, seq, id, name, role, content, metadata, created_at, finished_at, usage, in_context)
           SELECT updated.id, updated."seqBefore" + m.position, m.message->>'id', m.message->>'name',
                  (m.message->>'role')::message_role, m.message->'content', m.message->'metadata',
                  m.message->>'createdAt', m.message->>'finishedAt', nullif(m.message->'usage', 'null'::jsonb), true
           FROM updated, jsonb_array_elements($8::text::jsonb) WITH ORDINALITY AS m(message, position)
         )
         SELECT * FROM updated`,
        [
          ref.id,
          caller.userId,
          ref.agentId,
          expectedVersion ?? null,
          new Date(),
          messages.length,
          contextLimit,
          JSON.stringify(messages),
        ],
      );
      return row ? { kind: 'appended', session: toSessionRecord(row) } : { kind: 'missed' };
    } catch (error) {
      if (violates(error, MESSAGE_ID_KEY)) return { kind: 'duplicateId' };
      throw error;
    }
  }

  /** The version and context size of the caller's session; null when there is no such session. */
  async currentVersion(caller: Caller, ref: SessionRef): Promise<SessionVersion | null> {
    const [row] = await this.run<SessionVersion>(
      `SELECT version, context_size AS "contextSize" FROM sessions WHERE id = $1 AND user_id = $2 AND agent_id = $3`,
      [ref.id, caller.userId, ref.agentId],
    );
    return row ?? null;
  }

  /** Those of `ids` that are already in the session's history. */
  async knownMessageIds(sessionId: string, ids: string[]): Promise<Set<string>> {
    const rows = await this.run<{ id: string }>(
      'SELECT id FROM messages WHERE session_id = $1 AND id = ANY($2::varchar[])',
      [sessionId, ids],
    );
    return new Set(rows.map((row) => row.id));
  }
}

export class SessionStore extends SessionStatements {
  constructor(
    private readonly prisma: PrismaClient,
    /** The driver itself, for the reads: rows come back as plain objects, no per-row processing. */
    private readonly query: RawQuery,
  ) {
    super();
  }

  protected run<Row>(sql: string, params: unknown[]): Promise<Row[]> {
    return this.query<Row>(sql, params);
  }

  /** Runs `work` in one transaction: all of its statements commit, or none. */
  transaction<Outcome>(work: (tx: SessionWrites) => Promise<Outcome>): Promise<Outcome> {
    return this.prisma.$transaction((tx) => work(new SessionWrites(tx)));
  }

  async find(caller: Caller, ref: SessionRef): Promise<SessionRecord | null> {
    const [row] = await this.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = $1 AND user_id = $2 AND agent_id = $3`,
      [ref.id, caller.userId, ref.agentId],
    );
    return row ? toSessionRecord(row) : null;
  }

  /**
   * The caller's session and a window of its history, in one statement (the session's row with the
   * window as one JSON array); null when the session is not the caller's.
   */
  async findWithHistory(
    caller: Caller,
    ref: SessionRef,
    window: HistoryWindow,
  ): Promise<{ session: SessionRecord; history: HistoryPage } | null> {
    const { seek, order, bound, limit } = historyWindowSql(window);
    const [row] = await this.query<SessionRow & { history: MessageRow[] }>(
      `SELECT ${SESSION_COLUMNS},
         (SELECT coalesce(json_agg(m ORDER BY m.seq ${order}), '[]') FROM (
           SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = s.id AND ${seek('s.id', '$4')} LIMIT $5
         ) m) AS history
       FROM sessions s WHERE id = $1 AND user_id = $2 AND agent_id = $3`,
      [ref.id, caller.userId, ref.agentId, bound, limit],
    );
    return row ? { session: toSessionRecord(row), history: historyPage(row.history, window) } : null;
  }

  /** The caller's sessions among `ids`, whatever their agent, in one statement. */
  async findMany(caller: Caller, ids: readonly string[]): Promise<Map<string, SessionRecord>> {
    const rows = await this.query<SessionRow>(
      `SELECT ${SESSION_COLUMNS} FROM sessions WHERE id = ANY($1::varchar[]) AND user_id = $2`,
      [[...ids], caller.userId],
    );
    return new Map(rows.map((row) => [row.id, toSessionRecord(row)]));
  }

  /** The same page of the caller's sessions of each agent, in one statement. */
  async pagesOfAgents(
    caller: Caller,
    agentIds: readonly string[],
    window: SessionListWindow,
  ): Promise<Map<string, SessionPage>> {
    const { sql, params } = sessionPagesSql(caller, agentIds, window);
    const rows = groupBy(
      await this.query<ListedSessionRow>(sql, params),
      (row) => row.agentId,
      (row) => row,
    );
    return new Map(
      agentIds.map((agentId) => {
        const read = rows.get(agentId) ?? [];
        // One more row than the page was read, to tell whether another page follows.
        const listed = read.slice(0, window.first);
        const page: SessionPage = { sessions: listed.map(toSessionRecord), hasNextPage: read.length > window.first };
        return [
          agentId,
          window.with ? { ...page, parts: new Map(listed.map((row) => [row.id, partsRead(row)])) } : page,
        ];
      }),
    );
  }

  /** How many of the caller's sessions of each agent pass `filter`, in one statement. */
  async countsOfAgents(
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

  /** `limit` messages of a session's history from `offset`, oldest first (the history's primary key). */
  async messagesWindow(sessionId: string, offset: number, limit: number): Promise<Message[]> {
    const rows = await this.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = $1 ORDER BY seq OFFSET $2 LIMIT $3`,
      [sessionId, offset, limit],
    );
    return rows;
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
    // The row is the task (columns named as the model names them), its session beside it: no copy.
    const rows = await this.query<Task & { sessionId: string }>(
      `SELECT ${TASK_COLUMNS} FROM tasks WHERE session_id = ANY($1::varchar[]) ORDER BY session_id, position`,
      [[...sessionIds]],
    );
    return groupBy(
      rows,
      (row) => row.sessionId,
      (row): Task => row,
    );
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
       ORDER BY m."sessionId", m.seq`,
      [[...sessionIds], last ?? null],
    );
    return groupBy(
      rows,
      (row) => row.sessionId,
      (row): Message => row,
    );
  }

  /** A window of each session's history, oldest first. */
  async historiesOf(sessionIds: readonly string[], window: HistoryWindow): Promise<Map<string, HistoryPage>> {
    const { seek, bound, limit } = historyWindowSql(window);
    const rows = await this.query<MessageRow>(
      `SELECT m.* FROM unnest($1::varchar[]) AS s(id)
       CROSS JOIN LATERAL (
         SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = s.id AND ${seek('s.id', '$2')} LIMIT $3
       ) m`,
      [[...sessionIds], bound, limit],
    );
    const windows = groupBy(
      rows,
      (row) => row.sessionId,
      (row) => row,
    );
    return new Map(sessionIds.map((id) => [id, historyPage(windows.get(id) ?? [], window)]));
  }

  async historyLengthsOf(sessionIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.query<{ sessionId: string; count: number }>(
      `SELECT session_id AS "sessionId", count(*)::int AS count FROM messages WHERE session_id = ANY($1::varchar[]) GROUP BY session_id`,
      [[...sessionIds]],
    );
    return new Map(rows.map((row) => [row.sessionId, row.count]));
  }
}

/** The statements of one write, all in its transaction. */
export class SessionWrites extends SessionStatements {
  constructor(private readonly tx: Prisma.TransactionClient) {
    super();
  }

  protected run<Row>(sql: string, params: unknown[]): Promise<Row[]> {
    return this.tx.$queryRawUnsafe<Row[]>(sql, ...params);
  }

  async createSession({ context, tasks, state, ...session }: NewSessionRow): Promise<SessionRecord> {
    const row = await this.tx.session.create({
      data: {
        ...session,
        chatModelConfig: nullableJson(session.chatModelConfig),
        updatedAt: session.createdAt,
        lastSeq: context.length,
        contextSize: context.length,
        state: { create: stateColumns(state) },
        messages: { createMany: { data: messageRows(session.id, context, 0).map(({ sessionId: _, ...row }) => row) } },
        tasks: { createMany: { data: taskRows(session.id, positioned(tasks)).map(({ sessionId: _, ...row }) => row) } },
      },
    });
    return toSessionRecord(row);
  }

  /**
   * Bumps the version and `updatedAt` of the caller's session, taking its row lock (and only at
   * `expectedVersion` when one is given); null when no row matched.
   */
  async bumpVersion(
    caller: Caller,
    ref: SessionRef,
    expectedVersion: number | null | undefined,
  ): Promise<SessionRecord | null> {
    const [session] = await this.tx.session.updateManyAndReturn({
      where: { ...ownedBy(caller, ref), ...(expectedVersion != null && { version: expectedVersion }) },
      data: { version: { increment: 1 }, updatedAt: new Date() },
    });
    return session ? toSessionRecord(session) : null;
  }

  /** Deletes the caller's session (only at `expectedVersion` when one is given); its last version, or null. */
  async deleteSession(
    caller: Caller,
    ref: SessionRef,
    expectedVersion: number | null | undefined,
  ): Promise<{ version: number } | null> {
    // RETURNING gives the deleted event its last version without a second statement.
    const [row] = await this.tx.$queryRaw<Array<{ version: number }>>`
      DELETE FROM sessions
      WHERE id = ${ref.id} AND user_id = ${caller.userId} AND agent_id = ${ref.agentId}
        AND (${expectedVersion ?? null}::int IS NULL OR version = ${expectedVersion ?? null}::int)
      RETURNING version`;
    return row ?? null;
  }

  async updateState(sessionId: string, columns: StateColumns): Promise<void> {
    await this.tx.agentState.update({ where: { sessionId }, data: stateColumns(columns) });
  }

  /** The position in the history of those of `ids` that are in it. */
  async messageSeqs(sessionId: string, ids: string[]): Promise<Map<string, number>> {
    const known = await this.tx.message.findMany({
      where: { sessionId, id: { in: ids } },
      select: { id: true, seq: true },
    });
    return new Map(known.map((message) => [message.id, message.seq]));
  }

  /**
   * Makes `context` the context: every message leaves it, the ones already in the history (at
   * `knownSeq`) are rewritten in place, the others are appended after the history's last.
   */
  async replaceContext(sessionId: string, context: Message[], knownSeq: Map<string, number>): Promise<void> {
    const fresh = context.filter((message) => !knownSeq.has(message.id));
    // The row's counters: the new messages are numbered after the last sequence number ever used.
    const [counters] = await this.tx.$queryRaw<Array<{ lastSeq: number }>>`
      UPDATE sessions SET last_seq = last_seq + ${fresh.length}::int, context_size = ${context.length}::int
      WHERE id = ${sessionId} RETURNING last_seq - ${fresh.length}::int AS "lastSeq"`;
    const lastSeq = counters!.lastSeq;
    await this.tx.message.updateMany({ where: { sessionId, inContext: true }, data: { inContext: false } });
    await this.tx.message.deleteMany({ where: { sessionId, id: { in: [...knownSeq.keys()] } } });
    const rewritten = context
      .filter((message) => knownSeq.has(message.id))
      .flatMap((message) => messageRows(sessionId, [message], knownSeq.get(message.id)! - 1));
    await this.tx.message.createMany({ data: [...rewritten, ...messageRows(sessionId, fresh, lastSeq)] });
  }

  /** Takes all but the newest `keepLast` messages out of the context. */
  async keepNewestInContext(sessionId: string, keepLast: number): Promise<void> {
    const [newestDropped] = await this.tx.message.findMany({
      where: { sessionId, inContext: true },
      orderBy: { seq: 'desc' },
      skip: keepLast,
      take: 1,
      select: { seq: true },
    });
    if (newestDropped) {
      await this.tx.$executeRaw`
        WITH dropped AS (
          UPDATE messages SET in_context = false WHERE session_id = ${sessionId} AND in_context AND seq <= ${newestDropped.seq}
        )
        UPDATE sessions SET context_size = ${keepLast}::int WHERE id = ${sessionId}`;
    }
  }

  /** The session's tasks in list order, with their positions. */
  async placedTasks(sessionId: string): Promise<PlacedTask[]> {
    const rows = await this.tx.task.findMany({ where: { sessionId }, orderBy: { position: 'asc' } });
    return rows.map((row) => ({ ...toTask(row), position: row.position }));
  }

  /** Deletes the tasks `removedIds` names and writes `written` (new or changed) at their positions. */
  async rewriteTasks(sessionId: string, removedIds: string[], written: PlacedTask[]): Promise<void> {
    await this.tx.task.deleteMany({
      where: { sessionId, id: { in: [...removedIds, ...written.map((task) => task.id)] } },
    });
    await this.tx.task.createMany({ data: taskRows(sessionId, written) });
  }

  /** Makes `tasks` the session's task list, in order. */
  async replaceTasks(sessionId: string, tasks: Task[]): Promise<void> {
    await this.tx.task.deleteMany({ where: { sessionId } });
    await this.tx.task.createMany({ data: taskRows(sessionId, positioned(tasks)) });
  }

  claimKey(claim: KeyClaim): Promise<StoredKey | null> {
    return claimKey(this.tx, claim);
  }

  recordOutcome(userId: string, key: string, outcome: object): Promise<void> {
    return recordOutcome(this.tx, userId, key, outcome as Prisma.InputJsonValue);
  }

  purgeExpiredKeys(expiredBefore: Date): Promise<void> {
    return purgeExpiredKeys(this.tx, expiredBefore);
  }
}

/**
 * The SQL of a history window: `seek`, its condition and order, with one more message than the window holds
 * (it tells whether the history goes on). The bound is a row comparison on the primary key
 * (session_id, seq) and the order is the key's own: the planner then walks the key from the bound,
 * whereas `seq > $2 ORDER BY seq` gets a bitmap scan and a sort of the whole history.
 */
function historyWindowSql(window: HistoryWindow) {
  const forward = 'first' in window;
  return {
    seek: (sessionId: string, bound: string) =>
      forward
        ? `(session_id, seq) > (${sessionId}, ${bound}) ORDER BY session_id, seq`
        : `(session_id, seq) < (${sessionId}, ${bound}) ORDER BY session_id DESC, seq DESC`,
    order: forward ? 'ASC' : 'DESC',
    bound: forward ? (window.afterSeq ?? 0) : (window.beforeSeq ?? 2 ** 31 - 1),
    limit: (forward ? window.first : window.last) + 1,
  };
}

/** The page of a window's rows (in the window's reading order, one more than it holds when the history goes on). */
function historyPage(rows: MessageRow[], window: HistoryWindow): HistoryPage {
  const forward = 'first' in window;
  const size = forward ? window.first : window.last;
  const messages: HistoryMessage[] = rows.slice(0, size);
  return { messages: forward ? messages : messages.reverse(), hasMore: rows.length > size };
}

/** The caller's session ($1 id, $2 user, $3 agent), at the version $4 when it is not null. */
const OWNED_AT_VERSION = 'id = $1 AND user_id = $2 AND agent_id = $3 AND ($4::int IS NULL OR version = $4::int)';

/** The unique key of a message id within its session's history. */
const MESSAGE_ID_KEY = 'messages_session_id_id_key';

/** A JSON column's value as text for a `::text::jsonb` parameter (so no driver turns an array into a SQL array). */
function jsonText(value: object | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

/** Whether `error` (the driver's, or the driver's wrapped by Prisma) is a violation of the unique key `constraint`. */
function violates(error: unknown, constraint: string): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const { code, meta } = cause as { code?: unknown; meta?: { driverAdapterError?: { cause?: AdapterCause } } };
    const adapter = meta?.driverAdapterError?.cause;
    if (code === '23505' && cause.message.includes(`"${constraint}"`)) return true;
    if (adapter?.originalCode === '23505' && adapter.originalMessage?.includes(`"${constraint}"`)) return true;
  }
  return false;
}

/** What Prisma keeps of the driver's error. */
interface AdapterCause {
  originalCode?: string;
  originalMessage?: string;
}

function ownedBy(caller: Caller, ref: SessionRef) {
  return { id: ref.id, userId: caller.userId, agentId: ref.agentId };
}

function positioned(tasks: Task[]): PlacedTask[] {
  return tasks.map((task, position) => ({ ...task, position }));
}

/** A listed session's row, with the JSON columns of the parts its window asked for (listing.ts). */
type ListedSessionRow = SessionRow & {
  withState?: AgentStateRow | null;
  withContext?: MessageRow[];
  withTasks?: Array<Task & { sessionId: string }>;
};

function partsRead({ withState, withContext, withTasks }: ListedSessionRow): SessionPartsRead {
  return {
    ...(withState !== undefined && { state: withState && toAgentStateRecord(withState) }),
    ...(withContext && { context: withContext }),
    ...(withTasks && { tasks: withTasks }),
  };
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
