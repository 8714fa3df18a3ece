import { InvalidInputError, type InputIssue } from './errors.js';
import type { Caller, SessionSource } from './model.js';

export interface SessionFilter {
  workspaceId?: string | null;
  source?: SessionSource | null;
  sourceScheduleId?: string | null;
  /** Case-insensitive substring of the name: `%`, `_` and `\` are plain characters. */
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

/**
 * What is read with each listed session, in the page's statement: its agent state, its context (the
 * newest `last` messages, or all of it), its tasks.
 */
export interface SessionParts {
  state?: boolean;
  context?: { last?: number };
  tasks?: boolean;
}

/** One page of each agent's sessions: the same size, start, filter and order for every agent. */
export interface SessionListWindow {
  first: number;
  /** Start after a position (keyset, GraphQL) or after skipping some sessions (offset, REST). */
  after?: SessionListPosition;
  offset?: number;
  filter?: SessionFilter;
  order?: SessionOrder;
  with?: SessionParts;
}

export const DEFAULT_ORDER: SessionOrder = { field: 'updatedAt', direction: 'desc' };

/** The columns of a session row, named as Prisma's model names them. */
export const SESSION_COLUMNS = `id, user_id AS "userId", agent_id AS "agentId", workspace_id AS "workspaceId", name,
  chat_model_config AS "chatModelConfig", source, source_schedule_id AS "sourceScheduleId", version, running,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/* The columns of the rows hanging off a session, named as the model names them. */

export const STATE_COLUMNS = `session_id AS "sessionId", summary, reply_id AS "replyId", cur_iter AS "curIter",
  permission_mode AS "permissionMode", working_directories AS "workingDirectories", allow_rules AS "allowRules",
  deny_rules AS "denyRules", ask_rules AS "askRules", max_cache_files AS "maxCacheFiles", max_cache_bytes AS "maxCacheBytes",
  read_file_cache AS "readFileCache", activated_groups AS "activatedGroups"`;
export const TASK_COLUMNS = `session_id AS "sessionId", id, position, subject, description, metadata, created_at AS "createdAt",
  state, owner, blocks, blocked_by AS "blockedBy"`;

/** What a message read needs (everything but the context flag), named as the model names it. */
export const MESSAGE_COLUMNS = `session_id AS "sessionId", seq, id, name, role, content, metadata, created_at AS "createdAt",
  finished_at AS "finishedAt", usage`;

const ORDER_COLUMNS: Record<SessionOrderField, string> = { updatedAt: 'updated_at', createdAt: 'created_at' };

/** Positional parameters of one statement. */
class Parameters {
  readonly values: unknown[] = [];
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * One statement for a page of sessions of each of `agentIds` (a LATERAL subquery per agent walks
 * that agent's index from the cursor), rows ordered by agent, then in the page's order. It reads
 * one more session per agent than the page holds, to tell whether another page follows.
 */
export function sessionPagesSql(
  caller: Caller,
  agentIds: readonly string[],
  window: SessionListWindow,
): { sql: string; params: unknown[] } {
  const { field, direction } = window.order ?? DEFAULT_ORDER;
  const params = new Parameters();
  const agents = params.add([...agentIds]);
  const conditions = ['agent_id = a.agent_id', ...filterConditions(params, caller, window.filter)];
  const column = ORDER_COLUMNS[field];
  if (window.after) {
    // (column, id) beyond (value, id). The first bound lets the index start at the cursor (an OR
    // alone makes PostgreSQL scan every earlier row); the OR settles ties.
    const beyond = direction === 'desc' ? '<' : '>';
    const value = params.add(window.after.value.toISOString());
    const id = params.add(window.after.id);
    conditions.push(
      `${column} ${beyond}= ${value}::timestamptz AND (${column} ${beyond} ${value}::timestamptz OR id ${beyond} ${id})`,
    );
  }
  const parts = window.with ? partColumns(params, window.with) : [];
  const sql = `SELECT ${['p.*', ...parts].join(', ')} FROM unnest(${agents}::varchar[]) AS a(agent_id)
    CROSS JOIN LATERAL (
      SELECT ${SESSION_COLUMNS} FROM sessions WHERE ${conditions.join(' AND ')}
      ORDER BY ${column} ${direction}, id ${direction} OFFSET ${params.add(window.offset ?? 0)} LIMIT ${params.add(window.first + 1)}
    ) p
    ORDER BY p."agentId", p."${field}" ${direction}, p.id ${direction}`;
  return { sql, params: params.values };
}

/**
 * The parts of each listed session `p`, each one JSON column beside its row (null: no state): the
 * same rows the separate reads return (src/sessions/store.ts), the context by the same index walk.
 */
function partColumns(params: Parameters, parts: SessionParts): string[] {
  const columns: string[] = [];
  if (parts.state) {
    columns.push(`(SELECT row_to_json(st) FROM (
        SELECT ${STATE_COLUMNS} FROM agent_states WHERE session_id = p.id
      ) st) AS "withState"`);
  }
  if (parts.context) {
    columns.push(`(SELECT coalesce(json_agg(m ORDER BY m.seq), '[]') FROM (
        SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = p.id AND in_context
        ORDER BY seq DESC LIMIT ${params.add(parts.context.last ?? null)}::int
      ) m) AS "withContext"`);
  }
  if (parts.tasks) {
    columns.push(`(SELECT coalesce(json_agg(t ORDER BY t.position), '[]') FROM (
        SELECT ${TASK_COLUMNS} FROM tasks WHERE session_id = p.id
      ) t) AS "withTasks"`);
  }
  return columns;
}

/** One statement counting the sessions of each of `agentIds` that pass `filter`. */
export function sessionCountsSql(
  caller: Caller,
  agentIds: readonly string[],
  filter?: SessionFilter,
): { sql: string; params: unknown[] } {
  const params = new Parameters();
  const conditions = [
    `agent_id = ANY(${params.add([...agentIds])}::varchar[])`,
    ...filterConditions(params, caller, filter),
  ];
  return {
    sql: `SELECT agent_id AS "agentId", count(*)::int AS count FROM sessions WHERE ${conditions.join(' AND ')} GROUP BY agent_id`,
    params: params.values,
  };
}

function filterConditions(params: Parameters, caller: Caller, filter: SessionFilter = {}): string[] {
  assertComparableDates(filter);
  const conditions = [`user_id = ${params.add(caller.userId)}`];
  if (filter.workspaceId != null) conditions.push(`workspace_id = ${params.add(filter.workspaceId)}`);
  if (filter.source != null) conditions.push(`source = ${params.add(filter.source)}::session_source`);
  if (filter.sourceScheduleId != null) conditions.push(`source_schedule_id = ${params.add(filter.sourceScheduleId)}`);
  if (filter.nameContains != null)
    conditions.push(`name ILIKE ${params.add(`%${escapeLike(filter.nameContains)}%`)} ESCAPE '\\'`);
  const ranges = [
    ['updated_at', '>=', filter.updatedAfter],
    ['updated_at', '<', filter.updatedBefore],
    ['created_at', '>=', filter.createdAfter],
    ['created_at', '<', filter.createdBefore],
  ] as const;
  for (const [column, operator, value] of ranges) {
    if (value) conditions.push(`${column} ${operator} ${params.add(value.toISOString())}::timestamptz`);
  }
  return conditions;
}

/** A LIKE pattern matching `text` literally: its wildcards and the escape character are escaped. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

/** The years PostgreSQL's timestamptz and ISO-8601 (without a sign) agree on. */
const FIRST_YEAR = 1;
const LAST_YEAR = 9999;

/** A filter date outside years 1–9999 cannot be compared in the database: bad input, not an internal error. */
function assertComparableDates(filter: SessionFilter): void {
  const issues: InputIssue[] = [];
  for (const key of ['updatedAfter', 'updatedBefore', 'createdAfter', 'createdBefore'] as const) {
    const value = filter[key];
    if (value && !isComparableDate(value))
      issues.push({ path: ['filter', key], message: `Must be a date in the years ${FIRST_YEAR} to ${LAST_YEAR}.` });
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
}

function isComparableDate(value: Date): boolean {
  const year = value.getUTCFullYear();
  return !Number.isNaN(year) && year >= FIRST_YEAR && year <= LAST_YEAR;
}
