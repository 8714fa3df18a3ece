import type { Caller } from '../sessions/model.js';
import type { SessionService } from '../sessions/service.js';
import { unauthenticated } from './errors.js';
import { createLoaders, type Loaders } from './loaders.js';

export interface GraphQLContext {
  /** The authenticated caller, or null; resolvers ask for it through `callerOf`. */
  caller: Caller | null;
  sessions: SessionService;
  /** Fresh per request, so no cached row outlives the request that read it. */
  loaders: Loaders;
}

export function createContext(caller: Caller | null, sessions: SessionService): GraphQLContext {
  return { caller, sessions, loaders: createLoaders(sessions, caller) };
}

/** The caller every session read and write is scoped to; UNAUTHENTICATED without one. */
export function callerOf(context: GraphQLContext): Caller {
  if (!context.caller) throw unauthenticated();
  return context.caller;
}
