import DataLoader from 'dataloader';
import type { AgentStateRecord, Caller, Message, SessionRecord, Task } from '../sessions/model.js';
import type { SessionService } from '../sessions/service.js';
import { unauthenticated } from './errors.js';

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Per-request loaders keyed by session id: whatever number of sessions a query touches, each kind
 * costs one SQL statement.
 */
export function createLoaders(sessions: SessionService, caller: Caller | null) {
  return {
    /** The caller's session with this id, or null when there is none (federation references carry only the id). */
    ownSession: new DataLoader<string, SessionRecord | null>(async (ids) => {
      if (!caller) throw unauthenticated();
      const owned = await sessions.getMany(caller, ids);
      return ids.map((id) => owned.get(id) ?? null);
    }),
    /* What hangs off a session the caller already holds. */
    state: new DataLoader<string, AgentStateRecord>(async (ids) => {
      const states = await sessions.statesOf(ids);
      return ids.map((id) => states.get(id) ?? new Error(`Session '${id}' has no agent state.`));
    }),
    context: new DataLoader<string, Message[]>(async (ids) => {
      const contexts = await sessions.contextsOf(ids);
      return ids.map((id) => contexts.get(id) ?? []);
    }),
    tasks: new DataLoader<string, Task[]>(async (ids) => {
      const tasks = await sessions.tasksOf(ids);
      return ids.map((id) => tasks.get(id) ?? []);
    }),
  };
}
