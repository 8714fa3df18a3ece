import DataLoader from 'dataloader';
import type { AgentStateRecord, Caller, Message, SessionRecord, Task } from '../sessions/model.js';
import type {
  HistoryPage,
  HistoryWindow,
  SessionFilter,
  SessionListWindow,
  SessionPage,
  SessionService,
} from '../sessions/service.js';
import { unauthenticated } from './errors.js';

export type Loaders = ReturnType<typeof createLoaders>;

/**
 * Per-request loaders keyed by session id: whatever number of sessions a query touches, each kind
 * costs one SQL statement (per distinct window arguments).
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
    tasks: new DataLoader<string, Task[]>(async (ids) => {
      const tasks = await sessions.tasksOf(ids);
      return ids.map((id) => tasks.get(id) ?? []);
    }),
    context: windowedLoader<number | undefined, Message[]>(async (ids, last) => {
      const contexts = await sessions.contextsOf(ids, last);
      return ids.map((id) => contexts.get(id) ?? []);
    }),
    history: windowedLoader<HistoryWindow, HistoryPage>(async (ids, window) => {
      const pages = await sessions.historiesOf(ids, window);
      return ids.map((id) => pages.get(id)!);
    }),
    historyLength: new DataLoader<string, number>(async (ids) => {
      const lengths = await sessions.historyLengthsOf(ids);
      return ids.map((id) => lengths.get(id) ?? 0);
    }),
    /* Keyed by agent id: a page of the caller's sessions of each agent, so `Agent.sessions` of many representations costs one statement. */
    sessionPages: windowedLoader<SessionListWindow, SessionPage>(async (agentIds, window) => {
      if (!caller) throw unauthenticated();
      const pages = await sessions.listOfAgents(caller, agentIds, window);
      return agentIds.map((agentId) => pages.get(agentId)!);
    }),
    sessionCounts: windowedLoader<SessionFilter | undefined, number>(async (agentIds, filter) => {
      if (!caller) throw unauthenticated();
      const counts = await sessions.countOfAgents(caller, agentIds, filter);
      return agentIds.map((agentId) => counts.get(agentId)!);
    }),
  };
}

/**
 * A loader keyed by an id (of a session, or of an agent) and window arguments: keys with the same
 * window are batched into one call, so a list of sessions each asking for `last: 20` costs one statement.
 */
function windowedLoader<Window, Value>(load: (ids: string[], window: Window) => Promise<Value[]>) {
  return new DataLoader<{ id: string; window: Window }, Value, string>(
    async (keys) => {
      const groups = new Map<string, { window: Window; indexes: number[] }>();
      keys.forEach((key, index) => {
        const windowKey = JSON.stringify(key.window) ?? '';
        const group = groups.get(windowKey) ?? { window: key.window, indexes: [] };
        group.indexes.push(index);
        groups.set(windowKey, group);
      });
      const values = new Array<Value>(keys.length);
      await Promise.all(
        [...groups.values()].map(async ({ window, indexes }) => {
          const loaded = await load(
            indexes.map((index) => keys[index]!.id),
            window,
          );
          indexes.forEach((keyIndex, position) => (values[keyIndex] = loaded[position]!));
        }),
      );
      return values;
    },
    { cacheKeyFn: (key) => `${key.id}:${JSON.stringify(key.window) ?? ''}` },
  );
}
