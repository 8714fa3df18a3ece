import { Prisma } from '../db/generated/client.js';
import type { AgentState as AgentStateRow, Session as SessionRow, Task as TaskRow } from '../db/generated/client.js';
import type {
  AgentStateRecord,
  ChatModelConfig,
  JsonObject,
  Message,
  PermissionRule,
  ReadCacheEntry,
  SessionRecord,
  Task,
  TextOrBlocks,
  WorkingDirectory,
} from './model.js';

/*
 * Conversions between storage rows and the domain model. JSON columns hold values this service
 * validated and wrote itself, so reading them back is a cast, not a parse.
 */

export function toSessionRecord(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    userId: row.userId,
    agentId: row.agentId,
    workspaceId: row.workspaceId,
    name: row.name,
    chatModelConfig: row.chatModelConfig as ChatModelConfig | null,
    source: row.source,
    sourceScheduleId: row.sourceScheduleId,
    version: row.version,
    isRunning: row.running,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function toAgentStateRecord(row: AgentStateRow): AgentStateRecord {
  return {
    sessionId: row.sessionId,
    summary: row.summary as TextOrBlocks,
    replyId: row.replyId,
    curIter: row.curIter,
    permissionMode: row.permissionMode,
    workingDirectories: row.workingDirectories as unknown as WorkingDirectory[],
    allowRules: row.allowRules as unknown as PermissionRule[],
    denyRules: row.denyRules as unknown as PermissionRule[],
    askRules: row.askRules as unknown as PermissionRule[],
    maxCacheFiles: row.maxCacheFiles,
    maxCacheBytes: row.maxCacheBytes,
    readFileCache: row.readFileCache as unknown as ReadCacheEntry[],
    activatedGroups: row.activatedGroups,
  };
}

/**
 * A history row as raw SQL returns it, its columns aliased to the model's names: the row is the
 * message (JSON columns hold what this service wrote), with its session and position beside it.
 */
export type MessageRow = Message & { sessionId: string; seq: number };

export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    subject: row.subject,
    description: row.description,
    metadata: row.metadata as JsonObject,
    createdAt: row.createdAt,
    state: row.state,
    owner: row.owner,
    blocks: row.blocks,
    blockedBy: row.blockedBy,
  };
}

type Json = Prisma.InputJsonValue;

/** A nullable JSON column is cleared with `DbNull`, not with `null`. */
export function nullableJson(value: object | null): Json | typeof Prisma.DbNull {
  return value === null ? Prisma.DbNull : (value as Json);
}

/** State fields as columns; JSON-valued ones pass through as JSON. */
export function stateColumns(state: Partial<Omit<AgentStateRecord, 'sessionId'>>) {
  return state as unknown as Omit<Prisma.AgentStateUncheckedCreateInput, 'sessionId'>;
}

/** Rows for messages entering the history (and the context) after `lastSeq`. */
export function messageRows(sessionId: string, messages: Message[], lastSeq: number): Prisma.MessageCreateManyInput[] {
  return messages.map((message, index) => ({
    sessionId,
    seq: lastSeq + index + 1,
    id: message.id,
    name: message.name,
    role: message.role,
    content: message.content as unknown as Json,
    metadata: message.metadata as Json,
    createdAt: message.createdAt,
    finishedAt: message.finishedAt,
    usage: nullableJson(message.usage),
    inContext: true,
  }));
}

export function taskRows(sessionId: string, tasks: Array<Task & { position: number }>): Prisma.TaskCreateManyInput[] {
  return tasks.map((task) => ({ ...task, sessionId, metadata: task.metadata as Json }));
}
