import type { TaskDraft } from '../../sessions/drafts.js';
import { LIMITS } from '../../sessions/limits.js';
import type { JsonObject, Task } from '../../sessions/model.js';
import { builder } from '../builder.js';
import { boundedList, boundedString, freeText, idString, jsonObject, labelString } from '../validation.js';
import { TaskStateEnum } from './enums.js';
import { instantOf } from './scalars.js';

export const TaskRef = builder.objectRef<Task>('SessionTask').implement({
  description: "A task on the agent's task list.",
  fields: (t) => ({
    id: t.exposeID('id'),
    subject: t.exposeString('subject'),
    description: t.exposeString('description'),
    metadata: t.field({ type: 'JSON', description: 'A JSON object.', resolve: (task) => task.metadata }),
    createdAt: t.field({ type: 'DateTime', resolve: (task) => instantOf(task.createdAt) }),
    state: t.field({ type: TaskStateEnum, resolve: (task) => task.state }),
    owner: t.exposeString('owner', { nullable: true }),
    blocks: t.exposeIDList('blocks', { description: 'Tasks that cannot start before this one completes.' }),
    blockedBy: t.exposeIDList('blockedBy', { description: 'Tasks this one waits for.' }),
  }),
});

export const taskLinks = () => ({ validate: { ...boundedList(LIMITS.taskLinks), items: idString() } });

export const TaskInput = builder.inputType('SessionTaskInput', {
  description: 'A new task.',
  fields: (t) => ({
    id: t.id({ validate: idString(), description: 'Generated when absent; unique within the session.' }),
    subject: t.string({ required: true, validate: labelString() }),
    description: t.string({ required: true, validate: freeText() }),
    metadata: t.field({ type: 'JSON', validate: jsonObject, description: 'A JSON object; defaults to {}.' }),
    createdAt: t.field({ type: 'DateTime', description: 'Defaults to the time of the write.' }),
    state: t.field({ type: TaskStateEnum, defaultValue: 'pending' }),
    owner: t.string({ validate: boundedString(LIMITS.idLength) }),
    blocks: t.idList(taskLinks()),
    blockedBy: t.idList(taskLinks()),
  }),
});

export function toTaskDraft(input: typeof TaskInput.$inferInput): TaskDraft {
  return {
    ...input,
    metadata: input.metadata as JsonObject | null | undefined,
    createdAt: input.createdAt?.toISOString(),
  };
}
