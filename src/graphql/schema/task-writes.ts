import type { JsonObject, SessionRecord } from '../../sessions/model.js';
import { LIMITS } from '../../sessions/limits.js';
import { builder } from '../builder.js';
import { callerOf } from '../context.js';
import { boundedString, freeText, idString, jsonObject, labelString } from '../validation.js';
import { TaskStateEnum } from './enums.js';
import { SESSION_WRITE_ERRORS, TASK_WRITE_ERRORS, withIssuesAt } from './results.js';
import { SessionObject } from './session.js';
import { addressOf, sessionAddressFields, written, writeOptionsOf } from './session-writes.js';
import { taskLinks, TaskInput, TaskRef, toTaskDraft } from './task.js';

const CreateSessionTaskInput = builder.inputType('CreateSessionTaskInput', {
  description: "A task to add at the end of the session's task list.",
  fields: (t) => ({ ...sessionAddressFields(t), task: t.field({ type: TaskInput, required: true }) }),
});

const UpdateSessionTaskInput = builder.inputType('UpdateSessionTaskInput', {
  description:
    'A change to one task: absent fields keep their value, owner: null clears the owner. Links are mirrored: blocks here sets blockedBy there.',
  fields: (t) => ({
    ...sessionAddressFields(t),
    taskId: t.id({ required: true, validate: idString() }),
    subject: t.string({ validate: labelString() }),
    description: t.string({ validate: freeText() }),
    state: t.field({ type: TaskStateEnum }),
    owner: t.string({ validate: boundedString(LIMITS.idLength) }),
    metadata: t.field({ type: 'JSON', validate: jsonObject }),
    blocks: t.idList(taskLinks()),
    blockedBy: t.idList(taskLinks()),
  }),
});

const DeleteSessionTaskInput = builder.inputType('DeleteSessionTaskInput', {
  description: 'The task to remove, with every link to it.',
  fields: (t) => ({ ...sessionAddressFields(t), taskId: t.id({ required: true, validate: idString() }) }),
});

/** The session and one of its tasks, read after the write (links of other tasks included). */
function taskPayload(name: string, description: string) {
  return builder.objectRef<{ session: SessionRecord; taskId: string }>(name).implement({
    description,
    fields: (t) => ({
      session: t.field({ type: SessionObject, resolve: (payload) => payload.session }),
      task: t.field({
        type: TaskRef,
        nullable: true,
        description: 'The task as stored; null only if a later write already removed it.',
        resolve: async ({ session, taskId }, _args, context) =>
          (await context.loaders.tasks.load(session.id)).find((task) => task.id === taskId) ?? null,
      }),
    }),
  });
}

const DeleteSessionTaskPayload = builder
  .objectRef<{ session: SessionRecord; deletedTaskId: string }>('DeleteSessionTaskPayload')
  .implement({
    description: 'The session deleteSessionTask changed and the id of the removed task.',
    fields: (t) => ({
      session: t.field({ type: SessionObject, resolve: (payload) => payload.session }),
      deletedTaskId: t.exposeID('deletedTaskId'),
    }),
  });

builder.mutationFields((t) => ({
  createSessionTask: t.field({
    type: taskPayload('CreateSessionTaskPayload', 'The session and the task createSessionTask added.'),
    description: 'Adds a task at the end of the list; its links are mirrored on the tasks it names.',
    errors: { types: SESSION_WRITE_ERRORS },
    args: { input: t.arg({ type: CreateSessionTaskInput, required: true }) },
    resolve: (_root, { input }, context) =>
      written(context, () =>
        withIssuesAt(['input', 'task'], () =>
          context.sessions.createTask(
            callerOf(context),
            addressOf(input),
            toTaskDraft(input.task),
            writeOptionsOf(input),
          ),
        ),
      ),
  }),
  updateSessionTask: t.field({
    type: taskPayload('UpdateSessionTaskPayload', 'The session and the task updateSessionTask changed.'),
    description: 'Changes the fields of one task it names.',
    errors: { types: TASK_WRITE_ERRORS },
    args: { input: t.arg({ type: UpdateSessionTaskInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { sessionId, agentId, expectedVersion, idempotencyKey, taskId, metadata, ...patch } = input;
      const session = await written(context, () =>
        withIssuesAt(['input'], () =>
          context.sessions.updateTask(
            callerOf(context),
            addressOf(input),
            taskId,
            { ...patch, metadata: metadata as JsonObject | null | undefined },
            writeOptionsOf(input),
          ),
        ),
      );
      return { session, taskId };
    },
  }),
  deleteSessionTask: t.field({
    type: DeleteSessionTaskPayload,
    description: 'Removes a task and every link to it.',
    errors: { types: TASK_WRITE_ERRORS },
    args: { input: t.arg({ type: DeleteSessionTaskInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      session: await written(context, () =>
        withIssuesAt(['input'], () =>
          context.sessions.deleteTask(callerOf(context), addressOf(input), input.taskId, writeOptionsOf(input)),
        ),
      ),
      deletedTaskId: input.taskId,
    }),
  }),
}));
