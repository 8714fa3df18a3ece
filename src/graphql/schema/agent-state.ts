import { listCost, pageSize } from '../cost.js';
import type { AgentStateDraft } from '../../sessions/drafts.js';
import { LIMITS } from '../../sessions/limits.js';
import type { AgentStateRecord, ReadCacheEntry } from '../../sessions/model.js';
import { builder } from '../builder.js';
import { boundedList, boundedString, idString, labelString } from '../validation.js';
import { TextOrBlocksInput, TextOrBlocksUnion, textOrBlocksShape, toTextOrBlocksDraft } from './content.js';
import { MessageInput, MessageRef, toMessageDraft } from './message.js';
import { PermissionContextInput, PermissionContextRef } from './permission.js';
import { SessionObject } from './session.js';
import { TaskInput, TaskRef, toTaskDraft } from './task.js';

const ReadCacheEntryRef = builder.objectRef<ReadCacheEntry>('SessionReadCacheEntry').implement({
  description: 'A file the agent read, cached between turns.',
  fields: (t) => ({
    filePath: t.exposeString('filePath'),
    lines: t.exposeStringList('lines'),
    updatedAt: t.exposeFloat('updatedAt', { description: 'Unix time in seconds, as the runtime wrote it.' }),
    bytes: t.exposeFloat('bytes'),
  }),
});

const ToolContextRef = builder.objectRef<AgentStateRecord>('SessionToolContext').implement({
  description: "The agent's tool state: its file cache and activated tool groups.",
  fields: (t) => ({
    maxCacheFiles: t.exposeInt('maxCacheFiles'),
    maxCacheBytes: t.exposeFloat('maxCacheBytes'),
    readFileCache: t.field({
      type: [ReadCacheEntryRef],
      complexity: listCost(LIMITS.readFileCacheEntries),
      resolve: (state) => state.readFileCache,
    }),
    activatedGroups: t.exposeStringList('activatedGroups'),
  }),
});

const TaskContextRef = builder.objectRef<{ sessionId: string }>('SessionTaskContext').implement({
  description: "The agent's task list.",
  fields: (t) => ({
    tasks: t.field({
      type: [TaskRef],
      complexity: listCost(LIMITS.tasks),
      resolve: ({ sessionId }, _args, context) => context.loaders.tasks.load(sessionId),
    }),
  }),
});

export const AgentStateRef = builder.objectRef<AgentStateRecord>('SessionAgentState').implement({
  description: 'What the agent saves and loads between turns.',
  fields: (t) => ({
    sessionId: t.exposeID('sessionId'),
    summary: t.field({
      type: TextOrBlocksUnion,
      description: 'Summary of the older context: a plain string or text/data blocks, as written.',
      resolve: (state) => textOrBlocksShape(state.summary),
    }),
    context: t.field({
      type: [MessageRef],
      complexity: ({ last }) => listCost(pageSize(last, LIMITS.contextMessages, LIMITS.contextMessages)),
      description: "The agent's working context, oldest first; with `last`, only its newest messages.",
      args: { last: t.arg.int({ validate: { min: 0, max: LIMITS.contextMessages } }) },
      resolve: (state, { last }, context) =>
        context.loaders.context.load({ id: state.sessionId, window: last ?? undefined }),
    }),
    replyId: t.exposeID('replyId'),
    curIter: t.exposeInt('curIter'),
    permissionContext: t.field({ type: PermissionContextRef, resolve: (state) => state }),
    toolContext: t.field({ type: ToolContextRef, resolve: (state) => state }),
    tasksContext: t.field({ type: TaskContextRef, resolve: (state) => ({ sessionId: state.sessionId }) }),
  }),
});

const ReadCacheEntryInput = builder.inputType('SessionReadCacheEntryInput', {
  description: 'A cached file read.',
  fields: (t) => ({
    filePath: t.string({ required: true, validate: labelString() }),
    lines: t.stringList({
      required: true,
      validate: { ...boundedList(LIMITS.linesPerCacheEntry), items: boundedString(LIMITS.textLength) },
    }),
    updatedAt: t.float({ required: true }),
    bytes: t.float({ required: true, validate: { min: 0 } }),
  }),
});

export const ToolContextInput = builder.inputType('SessionToolContextInput', {
  description: "The agent's tool state.",
  fields: (t) => ({
    maxCacheFiles: t.int({
      validate: { min: [2, { message: 'Must be greater than 1.' }] },
      description: 'Defaults to 100.',
    }),
    maxCacheBytes: t.float({
      validate: { refine: [(bytes) => bytes > 10_000, { message: 'Must be greater than 10000.' }] },
      description: 'Defaults to 25000.',
    }),
    readFileCache: t.field({ type: [ReadCacheEntryInput], validate: boundedList(LIMITS.readFileCacheEntries) }),
    activatedGroups: t.stringList({ validate: { ...boundedList(LIMITS.activatedGroups), items: labelString() } }),
  }),
});

const TaskContextInput = builder.inputType('SessionTaskContextInput', {
  description: "The agent's task list.",
  fields: (t) => ({ tasks: t.field({ type: [TaskInput], validate: boundedList(LIMITS.tasks) }) }),
});

export const AgentStateInput = builder.inputType('SessionAgentStateInput', {
  description: 'A whole agent state. Omitted parts take their defaults (as in a new session).',
  fields: (t) => ({
    summary: t.field({ type: TextOrBlocksInput, description: 'Defaults to the empty string.' }),
    context: t.field({ type: [MessageInput], validate: boundedList(LIMITS.contextMessages) }),
    replyId: t.id({ validate: idString(), description: 'Generated when absent.' }),
    curIter: t.int({ defaultValue: 0, validate: { min: 0 } }),
    permissionContext: t.field({ type: PermissionContextInput }),
    toolContext: t.field({ type: ToolContextInput }),
    tasksContext: t.field({ type: TaskContextInput }),
  }),
});

export function toAgentStateDraft(input: typeof AgentStateInput.$inferInput): AgentStateDraft {
  return {
    ...input,
    summary: input.summary && toTextOrBlocksDraft(input.summary),
    context: input.context?.map(toMessageDraft),
    tasksContext: input.tasksContext && { tasks: input.tasksContext.tasks?.map(toTaskDraft) },
  };
}

builder.objectField(SessionObject, 'state', (t) =>
  t.field({
    type: AgentStateRef,
    // Nullable: a failed state read is an error on this field, not a null session.
    nullable: true,
    description: "The agent's state, as it saves and loads it between turns.",
    resolve: (session, _args, context) => context.loaders.state.load(session.id),
  }),
);
