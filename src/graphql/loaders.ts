import DataLoader from 'dataloader';
import type { AgentStateRecord, Message, Task } from '../sessions/model.js';
import type { SessionService } from '../sessions/service.js';

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Per-request loaders for what hangs off a session, keyed by session id: whatever number of
 * sessions a query touches, each kind costs one SQL statement.
 */
export function createLoaders(sessions: SessionService) {
  return {
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
