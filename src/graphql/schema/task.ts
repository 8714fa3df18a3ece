import type { TaskDraft } from '../../sessions/drafts.js';
import { LIMITS } from '../../sessions/limits.js';
import type { JsonObject, Task } from '../../sessions/model.js';
import { builder } from '../builder.js';
import { callerOf } from '../context.js';
import { boundedList, boundedString, freeText, idString, jsonObject, labelString, nonEmptyString } from '../validation.js';
import { TaskStateEnum } from './enums.js';
import { expectedVersionArg, idempotencyKeyArg, sessionRefArgs, SessionObject } from './session.js';

export const TaskRef = builder.objectRef<Task>('Task').implement({
  description: "A task on the agent's task list.",
  fields: (t) => ({
    id: t.exposeID('id'),
    subject: t.exposeString('subject'),
    description: t.exposeString('description'),
    metadata: t.field({ type: 'JSON', resolve: (task) => task.metadata }),
    createdAt: t.exposeString('createdAt', { description: 'As the runtime wrote it.' }),
    state: t.field({ type: TaskStateEnum, resolve: (task) => task.state }),
    owner: t.exposeString('owner', { nullable: true }),
    blocks: t.exposeIDList('blocks', { description: 'Tasks that cannot start before this one completes.' }),
    blockedBy: t.exposeIDList('blockedBy', { description: 'Tasks this one waits for.' }),
  }),
});

export const TaskInput = builder.inputType('TaskInput', {
  fields: (t) => ({
    id: t.id({ validate: idString(), description: 'Generated when absent; unique within the session.' }),
    subject: t.string({ required: true, validate: labelString() }),
    description: t.string({ required: true, validate: freeText() }),
    metadata: t.field({ type: 'JSON', validate: jsonObject, description: 'A JSON object; defaults to {}.' }),
    createdAt: t.string({ validate: nonEmptyString(LIMITS.timestampLength), description: 'Defaults to the time of the write.' }),
    state: t.field({ type: TaskStateEnum, description: 'Defaults to PENDING.' }),
    owner: t.string({ validate: boundedString(LIMITS.idLength) }),
    blocks: t.idList({ validate: { ...boundedList(LIMITS.taskLinks), items: idString() } }),
    blockedBy: t.idList({ validate: { ...boundedList(LIMITS.taskLinks), items: idString() } }),
  }),
});

export function toTaskDraft(input: typeof TaskInput.$inferInput): TaskDraft {
  return { ...input, metadata: input.metadata as JsonObject | null | undefined };
}

const UpdateTaskInput = builder.inputType('UpdateTaskInput', {
  description:
    'A change to one task: absent fields keep their value, owner: null clears the owner. Links are mirrored: blocks here sets blockedBy there.',
  fields: (t) => ({
    subject: t.string({ validate: labelString() }),
    description: t.string({ validate: freeText() }),
    state: t.field({ type: TaskStateEnum }),
    owner: t.string({ validate: boundedString(LIMITS.idLength) }),
    metadata: t.field({ type: 'JSON', validate: jsonObject }),
    blocks: t.idList({ validate: { ...boundedList(LIMITS.taskLinks), items: idString() } }),
    blockedBy: t.idList({ validate: { ...boundedList(LIMITS.taskLinks), items: idString() } }),
  }),
});

const taskIdArg = () => builder.args((t) => ({ taskId: t.id({ required: true, validate: idString() }) }));

builder.mutationFields((t) => ({
  createTask: t.field({
    type: SessionObject,
    description: 'Adds a task at the end of the list; its links are mirrored on the tasks it names.',
    args: { ...sessionRefArgs(), input: t.arg({ type: TaskInput, required: true }), ...expectedVersionArg(), ...idempotencyKeyArg() },
    resolve: (_root, { id, agentId, input, expectedVersion, idempotencyKey }, context) =>
      context.sessions.createTask(callerOf(context), { id, agentId }, toTaskDraft(input), { expectedVersion, idempotencyKey }),
  }),
  updateTask: t.field({
    type: SessionObject,
    args: { ...sessionRefArgs(), ...taskIdArg(), input: t.arg({ type: UpdateTaskInput, required: true }), ...expectedVersionArg(), ...idempotencyKeyArg() },
    resolve: (_root, { id, agentId, taskId, input, expectedVersion, idempotencyKey }, context) =>
      context.sessions.updateTask(
        callerOf(context),
        { id, agentId },
        taskId,
        { ...input, metadata: input.metadata as JsonObject | null | undefined },
        { expectedVersion, idempotencyKey },
      ),
  }),
  deleteTask: t.field({
    type: SessionObject,
    description: 'Removes a task and every link to it.',
    args: { ...sessionRefArgs(), ...taskIdArg(), ...expectedVersionArg(), ...idempotencyKeyArg() },
    resolve: (_root, { id, agentId, taskId, expectedVersion, idempotencyKey }, context) =>
      context.sessions.deleteTask(callerOf(context), { id, agentId }, taskId, { expectedVersion, idempotencyKey }),
  }),
}));
