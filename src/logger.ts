import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** The request being served, so every log line written while serving it names it. */
export const requestScope = new AsyncLocalStorage<{ requestId: string; traceId?: string }>();

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: { service: 'agent-sessions' }, mixin: () => requestScope.getStore() ?? {} }, destination);
}
