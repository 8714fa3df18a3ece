import type { AgentStateDraft } from '../../sessions/drafts.js';
import { LIMITS } from '../../sessions/limits.js';
import type { AgentStateRecord, ReadCacheEntry } from '../../sessions/model.js';
import { builder } from '../builder.js';
import { callerOf } from '../context.js';
import { boundedList, boundedString, idString, labelString } from '../validation.js';
import { TextOrBlocksInput, TextOrBlocksUnion, textOrBlocksShape, toTextOrBlocksDraft } from './content.js';
import { MessageInput, MessageRef, toMessageDraft } from './message.js';
import { PermissionContextInput, PermissionContextRef } from './permission.js';
import { expectedVersionArg, idempotencyKeyArg, sessionRefArgs, SessionObject } from './session.js';
import { TaskInput, TaskRef, toTaskDraft } from './task.js';

const ReadCacheEntryRef = builder.objectRef<ReadCacheEntry>('ReadCacheEntry').implement({
  fields: (t) => ({
    filePath: t.exposeString('filePath'),
    lines: t.exposeStringList('lines'),
    updatedAt: t.exposeFloat('updatedAt', { description: 'Unix time in seconds, as the runtime wrote it.' }),
    bytes: t.exposeFloat('bytes'),
  }),
});

const ToolContextRef = builder.objectRef<AgentStateRecord>('ToolContext').implement({
  fields: (t) => ({
    maxCacheFiles: t.exposeInt('maxCacheFiles'),
    maxCacheBytes: t.exposeFloat('maxCacheBytes'),
    readFileCache: t.field({ type: [ReadCacheEntryRef], resolve: (state) => state.readFileCache }),
    activatedGroups: t.exposeStringList('activatedGroups'),
  }),
});

const TaskContextRef = builder.objectRef<{ sessionId: string }>('TaskContext').implement({
  fields: (t) => ({
    tasks: t.field({ type: [TaskRef], resolve: ({ sessionId }, _args, context) => context.loaders.tasks.load(sessionId) }),
  }),
});

export const AgentStateRef = builder.objectRef<AgentStateRecord>('AgentState').implement({
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
      description: "The agent's working context, oldest first; with `last`, only its newest messages.",
      args: { last: t.arg.int({ validate: { min: 0, max: LIMITS.contextMessages } }) },
      resolve: (state, { last }, context) => context.loaders.context.load({ id: state.sessionId, window: last ?? undefined }),
    }),
    replyId: t.exposeID('replyId'),
    curIter: t.exposeInt('curIter'),
    permissionContext: t.field({ type: PermissionContextRef, resolve: (state) => state }),
    toolContext: t.field({ type: ToolContextRef, resolve: (state) => state }),
    tasksContext: t.field({ type: TaskContextRef, resolve: (state) => ({ sessionId: state.sessionId }) }),
  }),
});

const ReadCacheEntryInput = builder.inputType('ReadCacheEntryInput', {
  fields: (t) => ({
    filePath: t.string({ required: true, validate: labelString() }),
    lines: t.stringList({ required: true, validate: { ...boundedList(LIMITS.linesPerCacheEntry), items: boundedString(LIMITS.textLength) } }),
    updatedAt: t.float({ required: true }),
    bytes: t.float({ required: true, validate: { min: 0 } }),
  }),
});

const ToolContextInput = builder.inputType('ToolContextInput', {
  fields: (t) => ({
    maxCacheFiles: t.int({ validate: { min: [2, { message: 'Must be greater than 1.' }] }, description: 'Defaults to 100.' }),
    maxCacheBytes: t.float({ validate: { refine: [(bytes) => bytes > 10_000, { message: 'Must be greater than 10000.' }] }, description: 'Defaults to 25000.' }),
    readFileCache: t.field({ type: [ReadCacheEntryInput], validate: boundedList(LIMITS.readFileCacheEntries) }),
    activatedGroups: t.stringList({ validate: { ...boundedList(LIMITS.activatedGroups), items: labelString() } }),
  }),
});

const TaskContextInput = builder.inputType('TaskContextInput', {
  fields: (t) => ({ tasks: t.field({ type: [TaskInput], validate: boundedList(LIMITS.tasks) }) }),
});

export const AgentStateInput = builder.inputType('AgentStateInput', {
  description: 'A whole agent state. Omitted parts take their defaults (as in a new session).',
  fields: (t) => ({
    summary: t.field({ type: TextOrBlocksInput, description: 'Defaults to the empty string.' }),
    context: t.field({ type: [MessageInput], validate: boundedList(LIMITS.contextMessages) }),
    replyId: t.id({ validate: idString(), description: 'Generated when absent.' }),
    curIter: t.int({ validate: { min: 0 }, description: 'Defaults to 0.' }),
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

builder.mutationField('replaceSessionState', (t) =>
  t.field({
    type: SessionObject,
    description: 'Replaces the whole agent state, as the agent runtime saves it after a turn.',
    args: {
      ...sessionRefArgs(),
      state: t.arg({ type: AgentStateInput, required: true }),
      ...expectedVersionArg(), ...idempotencyKeyArg(),
    },
    resolve: (_root, { id, agentId, state, expectedVersion, idempotencyKey }, context) =>
      context.sessions.replaceState(callerOf(context), { id, agentId }, toAgentStateDraft(state), { expectedVersion, idempotencyKey }),
  }),
);

const UpdateSessionStateInput = builder.inputType('UpdateSessionStateInput', {
  description:
    'A small state write between turns. An absent or null field keeps its value; a given list replaces the old one whole.',
  fields: (t) => ({
    summary: t.field({ type: TextOrBlocksInput }),
    replyId: t.id({ validate: idString() }),
    curIter: t.int({ validate: { min: 0 } }),
    permissionContext: t.field({ type: PermissionContextInput }),
    toolContext: t.field({ type: ToolContextInput }),
  }),
});

builder.mutationFields((t) => ({
  updateSessionState: t.field({
    type: SessionObject,
    args: { ...sessionRefArgs(), input: t.arg({ type: UpdateSessionStateInput, required: true }), ...expectedVersionArg(), ...idempotencyKeyArg() },
    resolve: (_root, { id, agentId, input, expectedVersion, idempotencyKey }, context) =>
      context.sessions.updateState(
        callerOf(context),
        { id, agentId },
        { ...input, summary: input.summary && toTextOrBlocksDraft(input.summary) },
        { expectedVersion, idempotencyKey },
      ),
  }),
  compactContext: t.field({
    type: SessionObject,
    description:
      'The agent summarised its older context: stores the summary and keeps only the newest `keepLast` messages in the context. The history keeps every message.',
    args: {
      ...sessionRefArgs(),
      keepLast: t.arg.int({ required: true, validate: { min: 0, max: LIMITS.contextMessages } }),
      summary: t.arg({ type: TextOrBlocksInput, required: true }),
      ...expectedVersionArg(), ...idempotencyKeyArg(),
    },
    resolve: (_root, { id, agentId, keepLast, summary, expectedVersion, idempotencyKey }, context) =>
      context.sessions.compactContext(callerOf(context), { id, agentId }, keepLast, toTextOrBlocksDraft(summary), { expectedVersion, idempotencyKey }),
  }),
}));
