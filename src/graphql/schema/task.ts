import type { TaskDraft } from '../../sessions/drafts.js';
import { LIMITS } from '../../sessions/limits.js';
import type { JsonObject, Task } from '../../sessions/model.js';
import { builder } from '../builder.js';
import { boundedList, boundedString, freeText, idString, jsonObject, labelString } from '../validation.js';
import { TaskStateEnum } from './enums.js';

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
    createdAt: t.string({ validate: labelString(), description: 'Defaults to the time of the write.' }),
    state: t.field({ type: TaskStateEnum, description: 'Defaults to PENDING.' }),
    owner: t.string({ validate: boundedString(LIMITS.idLength) }),
    blocks: t.idList({ validate: { ...boundedList(LIMITS.taskLinks), items: idString() } }),
    blockedBy: t.idList({ validate: { ...boundedList(LIMITS.taskLinks), items: idString() } }),
  }),
});

export function toTaskDraft(input: typeof TaskInput.$inferInput): TaskDraft {
  return { ...input, metadata: input.metadata as JsonObject | null | undefined };
}
