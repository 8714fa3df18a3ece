import type { Caller } from '../sessions/model.js';
import type { SessionService } from '../sessions/service.js';
import { unauthenticated } from './errors.js';
import { createLoaders, type Loaders } from './loaders.js';
import type { SessionSubscriptions } from './subscriptions.js';

export interface GraphQLContext {
  /** The authenticated caller, or null; resolvers ask for it through `callerOf`. */
  caller: Caller | null;
  sessions: SessionService;
  subscriptions: SessionSubscriptions;
  /** Fresh per request (and per subscription event), so no cached row outlives the read it served. */
  loaders: Loaders;
}

export function createContext(
  caller: Caller | null,
  sessions: SessionService,
  subscriptions: SessionSubscriptions,
): GraphQLContext {
  return { caller, sessions, subscriptions, loaders: createLoaders(sessions, caller) };
}

/**
 * A subscription's context lives as long as the subscription and every event is executed with it:
 * each event gets new loaders, so it reads what the write that caused it wrote, not what an earlier
 * event cached. Events of one subscription execute one after another, never concurrently.
 */
export function renewLoaders(context: GraphQLContext): void {
  context.loaders = createLoaders(context.sessions, context.caller);
}

/** The caller every session read and write is scoped to; UNAUTHENTICATED without one. */
export function callerOf(context: GraphQLContext): Caller {
  if (!context.caller) throw unauthenticated();
  return context.caller;
}
