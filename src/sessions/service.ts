import { Prisma, type PrismaClient } from '../db/generated/client.js';
import { buildAgentState, type AgentStateDraft } from './drafts.js';
import { SessionNotFoundError, VersionConflictError } from './errors.js';
import { newId } from './ids.js';
import type {
  AgentStateRecord,
  Caller,
  ChatModelConfig,
  Message,
  SessionRecord,
  SessionRef,
  SessionSource,
  Task,
} from './model.js';
import { planSessionPatch, type SessionPatch } from './patch.js';
import { assertStorableText } from './text.js';
import {
  agentStateColumns,
  messageRows,
  nullableJson,
  taskRows,
  toAgentStateRecord,
  toMessage,
  toSessionRecord,
  toTask,
} from './rows.js';

export interface NewSession {
  agentId: string;
  workspaceId?: string | null;
  name?: string | null;
  chatModelConfig?: ChatModelConfig | null;
  source?: SessionSource | null;
  sourceScheduleId?: string | null;
  state?: AgentStateDraft | null;
}

/** Position in the list order (most recently updated first, ties by id). */
export interface SessionListPosition {
  updatedAt: Date;
  id: string;
}

export interface SessionPage {
  sessions: SessionRecord[];
  hasNextPage: boolean;
}

/**
 * Sessions: create, read, list, PATCH, state replacement and delete, each scoped to the caller and
 * the session's agent. Every write is one atomic statement batch that bumps `version` and
 * `updatedAt` and, given `expectedVersion`, applies only to that version.
 */
export class SessionService {
  constructor(private readonly prisma: PrismaClient) {}

  async create(caller: Caller, input: NewSession): Promise<SessionRecord> {
    assertStorableText(input);
    const now = new Date();
    const state = buildAgentState(input.state ?? {}, now);
    const row = await this.prisma.session.create({
      data: {
        id: newId(),
        userId: caller.userId,
        agentId: input.agentId,
        workspaceId: input.workspaceId ?? newId(),
        name: input.name ?? defaultSessionName(now),
        chatModelConfig: nullableJson(input.chatModelConfig ?? null),
        source: input.source ?? 'user',
        sourceScheduleId: input.sourceScheduleId ?? null,
        createdAt: now,
        updatedAt: now,
        state: { create: agentStateColumns(state) },
        messages: { createMany: { data: messageRows(state.context) } },
        tasks: { createMany: { data: taskRows(state.tasks) } },
      },
    });
    return toSessionRecord(row);
  }

  async get(caller: Caller, ref: SessionRef): Promise<SessionRecord | null> {
    const row = await this.prisma.session.findFirst({ where: ownedBy(caller, ref) });
    return row && toSessionRecord(row);
  }

  async list(caller: Caller, agentId: string, first: number, after?: SessionListPosition): Promise<SessionPage> {
    const rows = await this.prisma.session.findMany({
      where: {
        userId: caller.userId,
        agentId,
        ...(after && {
          OR: [{ updatedAt: { lt: after.updatedAt } }, { updatedAt: after.updatedAt, id: { lt: after.id } }],
        }),
      },
      orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      take: first + 1,
    });
    return { sessions: rows.slice(0, first).map(toSessionRecord), hasNextPage: rows.length > first };
  }

  count(caller: Caller, agentId: string): Promise<number> {
    return this.prisma.session.count({ where: { userId: caller.userId, agentId } });
  }

  update(caller: Caller, ref: SessionRef, patch: SessionPatch, expectedVersion?: number | null): Promise<SessionRecord> {
    assertStorableText(patch);
    const changes = planSessionPatch(patch);
    const { chatModelConfig, ...sessionColumns } = changes.session;
    return this.write(caller, ref, expectedVersion, {
      ...sessionColumns,
      ...(chatModelConfig !== undefined && { chatModelConfig: nullableJson(chatModelConfig) }),
      ...(changes.state.permissionMode && { state: { update: { permissionMode: changes.state.permissionMode } } }),
    });
  }

  /** What the agent runtime saves after a turn: the whole state, replaced at once. */
  replaceState(caller: Caller, ref: SessionRef, draft: AgentStateDraft, expectedVersion?: number | null): Promise<SessionRecord> {
    assertStorableText(draft);
    const state = buildAgentState(draft);
    return this.write(caller, ref, expectedVersion, {
      state: { update: agentStateColumns(state) },
      messages: { deleteMany: {}, createMany: { data: messageRows(state.context) } },
      tasks: { deleteMany: {}, createMany: { data: taskRows(state.tasks) } },
    });
  }

  async delete(caller: Caller, ref: SessionRef): Promise<void> {
    const { count } = await this.prisma.session.deleteMany({ where: ownedBy(caller, ref) });
    if (count === 0) throw new SessionNotFoundError(ref.id);
  }

  /* Batch reads for sessions the caller already holds: one statement for any number of sessions. */

  async statesOf(sessionIds: readonly string[]): Promise<Map<string, AgentStateRecord>> {
    const rows = await this.prisma.agentState.findMany({ where: { sessionId: { in: [...sessionIds] } } });
    return new Map(rows.map((row) => [row.sessionId, toAgentStateRecord(row)]));
  }

  async contextsOf(sessionIds: readonly string[]): Promise<Map<string, Message[]>> {
    const rows = await this.prisma.contextMessage.findMany({
      where: { sessionId: { in: [...sessionIds] } },
      orderBy: [{ sessionId: 'asc' }, { position: 'asc' }],
    });
    return groupBySession(rows, toMessage);
  }

  async tasksOf(sessionIds: readonly string[]): Promise<Map<string, Task[]>> {
    const rows = await this.prisma.task.findMany({
      where: { sessionId: { in: [...sessionIds] } },
      orderBy: [{ sessionId: 'asc' }, { position: 'asc' }],
    });
    return groupBySession(rows, toTask);
  }

  /**
   * One UPDATE that names only the columns this write changes (so concurrent writes of different
   * fields both survive), bumps the version, and matches the expected version when one is given.
   */
  private async write(
    caller: Caller,
    ref: SessionRef,
    expectedVersion: number | null | undefined,
    data: Prisma.SessionUpdateInput,
  ): Promise<SessionRecord> {
    try {
      const row = await this.prisma.session.update({
        where: { ...ownedBy(caller, ref), ...(expectedVersion != null && { version: expectedVersion }) },
        data: { ...data, version: { increment: 1 }, updatedAt: new Date() },
      });
      return toSessionRecord(row);
    } catch (error) {
      if (!isRecordNotFound(error)) throw error;
      const current = expectedVersion != null ? await this.get(caller, ref) : null;
      if (current && expectedVersion != null) throw new VersionConflictError(ref.id, expectedVersion, current.version);
      throw new SessionNotFoundError(ref.id);
    }
  }
}

function ownedBy(caller: Caller, ref: SessionRef) {
  return { id: ref.id, userId: caller.userId, agentId: ref.agentId };
}

function isRecordNotFound(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';
}

function groupBySession<Row extends { sessionId: string }, Item>(rows: Row[], convert: (row: Row) => Item): Map<string, Item[]> {
  const groups = new Map<string, Item[]>();
  for (const row of rows) {
    const group = groups.get(row.sessionId);
    if (group) group.push(convert(row));
    else groups.set(row.sessionId, [convert(row)]);
  }
  return groups;
}

/** Upstream names a new session after its creation time, `YYYY-MM-DD HH:MM:SS` (UTC). */
export function defaultSessionName(now: Date): string {
  return now.toISOString().slice(0, 19).replace('T', ' ');
}
