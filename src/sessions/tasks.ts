import { buildTask, taskLinkIssues, type TaskDraft } from './drafts.js';
import { InvalidInputError, TaskNotFoundError } from './errors.js';
import type { JsonObject, Task, TaskState } from './model.js';

/** A change to one task; absent fields keep their value. */
export interface TaskPatch {
  subject?: string | null;
  description?: string | null;
  state?: TaskState | null;
  owner?: string | null;
  metadata?: JsonObject | null;
  blocks?: string[] | null;
  blockedBy?: string[] | null;
}

/*
 * Pure edits of a session's task list. Links are kept symmetric: A.blocks holds B exactly when
 * B.blockedBy holds A, so writing one side of a link writes the other.
 */

export function addTask(tasks: Task[], draft: TaskDraft, now = new Date()): Task[] {
  const task = buildTask({ ...draft, blocks: [], blockedBy: [] }, now.toISOString());
  if (tasks.some((existing) => existing.id === task.id)) {
    throw new InvalidInputError([{ path: ['id'], message: `Task '${task.id}' already exists in this session.` }]);
  }
  return relink([...tasks, task], task.id, draft.blocks ?? [], draft.blockedBy ?? []);
}

export function patchTask(tasks: Task[], taskId: string, patch: TaskPatch): Task[] {
  const current = findTask(tasks, taskId);
  const updated: Task = {
    ...current,
    subject: patch.subject ?? current.subject,
    description: patch.description ?? current.description,
    state: patch.state ?? current.state,
    // The owner is clearable: null means "no owner".
    owner: patch.owner === undefined ? current.owner : patch.owner,
    metadata: patch.metadata ?? current.metadata,
  };
  const replaced = tasks.map((task) => (task.id === taskId ? updated : task));
  return relink(replaced, taskId, patch.blocks ?? current.blocks, patch.blockedBy ?? current.blockedBy);
}

export function removeTask(tasks: Task[], taskId: string): Task[] {
  findTask(tasks, taskId);
  return tasks
    .filter((task) => task.id !== taskId)
    .map((task) => ({ ...task, blocks: without(task.blocks, taskId), blockedBy: without(task.blockedBy, taskId) }));
}

/** The tasks whose stored row must change to turn `before` into `after` (by id). */
export function changedTasks(before: Task[], after: Task[]): { written: Task[]; removedIds: string[] } {
  const previous = new Map(before.map((task) => [task.id, task]));
  const kept = new Set(after.map((task) => task.id));
  return {
    written: after.filter((task) => JSON.stringify(previous.get(task.id)) !== JSON.stringify(task)),
    removedIds: before.filter((task) => !kept.has(task.id)).map((task) => task.id),
  };
}

function findTask(tasks: Task[], taskId: string): Task {
  const task = tasks.find((candidate) => candidate.id === taskId);
  if (!task) throw new TaskNotFoundError(taskId);
  return task;
}

/** Gives `taskId` exactly these links and mirrors them on the other tasks. */
function relink(tasks: Task[], taskId: string, blocks: string[], blockedBy: string[]): Task[] {
  const issues = taskLinkIssues(new Set(tasks.map((task) => task.id)), { id: taskId, blocks, blockedBy }, []);
  if (issues.length > 0) throw new InvalidInputError(issues);
  const blocksSet = new Set(blocks);
  const blockedBySet = new Set(blockedBy);
  return tasks.map((task) => {
    if (task.id === taskId) return { ...task, blocks: [...blocksSet], blockedBy: [...blockedBySet] };
    return {
      ...task,
      blockedBy: toggle(task.blockedBy, taskId, blocksSet.has(task.id)),
      blocks: toggle(task.blocks, taskId, blockedBySet.has(task.id)),
    };
  });
}

function toggle(ids: string[], id: string, present: boolean): string[] {
  const has = ids.includes(id);
  if (present === has) return ids;
  return present ? [...ids, id] : without(ids, id);
}

function without(ids: string[], id: string): string[] {
  return ids.includes(id) ? ids.filter((candidate) => candidate !== id) : ids;
}
