import { Prisma } from '../db/generated/client.js';
import type {
  AgentState as AgentStateRow,
  ContextMessage as ContextMessageRow,
  Session as SessionRow,
  Task as TaskRow,
} from '../db/generated/client.js';
import type {
  AgentStateRecord,
  AgentStateValue,
  ChatModelConfig,
  ContentBlock,
  JsonObject,
  Message,
  PermissionRule,
  ReadCacheEntry,
  SessionRecord,
  Task,
  TextOrBlocks,
  Usage,
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

export function toMessage(row: ContextMessageRow): Message {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    content: row.content as unknown as ContentBlock[],
    metadata: row.metadata as JsonObject,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
    usage: row.usage as Usage | null,
  };
}

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

export function agentStateColumns(state: AgentStateValue) {
  return {
    summary: state.summary as Json,
    replyId: state.replyId,
    curIter: state.curIter,
    permissionMode: state.permissionMode,
    workingDirectories: state.workingDirectories as unknown as Json,
    allowRules: state.allowRules as unknown as Json,
    denyRules: state.denyRules as unknown as Json,
    askRules: state.askRules as unknown as Json,
    maxCacheFiles: state.maxCacheFiles,
    maxCacheBytes: state.maxCacheBytes,
    readFileCache: state.readFileCache as unknown as Json,
    activatedGroups: state.activatedGroups,
  } satisfies Omit<Prisma.AgentStateUncheckedCreateInput, 'sessionId'>;
}

export function messageRows(messages: Message[]): Prisma.ContextMessageCreateManySessionInput[] {
  return messages.map((message, position) => ({
    position,
    id: message.id,
    name: message.name,
    role: message.role,
    content: message.content as unknown as Json,
    metadata: message.metadata as Json,
    createdAt: message.createdAt,
    finishedAt: message.finishedAt,
    usage: nullableJson(message.usage),
  }));
}

export function taskRows(tasks: Task[]): Prisma.TaskCreateManySessionInput[] {
  return tasks.map((task, position) => ({ ...task, position, metadata: task.metadata as Json }));
}
