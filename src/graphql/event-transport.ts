import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { PubSubEventTarget } from 'graphql-yoga';
import { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SessionEvent } from '../sessions/events.js';

/** Topics carry one session event each. */
export type SessionTopics = Record<string, [SessionEvent]>;

/** How events travel between the instances of the service. */
export interface EventTransport {
  /** Undefined: in this process only (Yoga's in-memory event target). */
  eventTarget: PubSubEventTarget<SessionTopics> | undefined;
  /**
   * Resolves once events published to `topic` from now on reach this instance's listeners;
   * ServiceUnavailableError at once while events cannot travel.
   */
  listening(topic: string): Promise<void>;
  /** Throws while events cannot travel (for /ready). */
  check(): void;
  close(): Promise<void>;
}

export const inProcessTransport: EventTransport = {
  eventTarget: undefined,
  listening: async () => {},
  check: () => {},
  close: async () => {},
};

/**
 * Redis pub/sub through Yoga's Redis event target: every instance subscribed to a topic hears
 * what any instance publishes. Start-up fails when Redis cannot be reached; an outage later never
 * ends the process: commands fail at once instead of queueing (no offline queue), the failures
 * are logged, and ioredis reconnects by itself (resubscribing the channels it had).
 */
export async function openRedisTransport(url: string, logger: Logger): Promise<EventTransport> {
  // A Redis that stops answering without closing (a partition) fails commands after commandTimeout.
  const options = {
    lazyConnect: true,
    connectionName: 'agent-sessions',
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 2_000,
  };
  const publishClient = new Redis(url, options);
  const subscribeClient = new Redis(url, options);
  const clients = [publishClient, subscribeClient];
  for (const client of clients)
    client.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  try {
    await Promise.all(clients.map((client) => client.connect()));
  } catch (error) {
    clients.forEach((client) => client.disconnect());
    throw new Error(`Redis at REDIS_URL cannot be reached: ${(error as Error).message}`);
  }
  // The event target fires PUBLISH, SUBSCRIBE and UNSUBSCRIBE and drops their promises; during an
  // outage each would be an unhandled rejection. A failed PUBLISH loses one event (its write has
  // committed); a failed SUBSCRIBE is reported by `listening`; a failed UNSUBSCRIBE leaves a channel
  // subscribed whose messages no listener takes.
  const logged = (what: string) => (error: unknown) => {
    logger.warn({ err: error }, `redis ${what} failed`);
    return 0;
  };
  const publisher = {
    publish: (channel: string, message: string) =>
      publishClient.publish(channel, message).catch(logged('PUBLISH of a session event')),
  };
  const subscriber = {
    on: (event: string, listener: Parameters<Redis['on']>[1]) => subscribeClient.on(event, listener),
    subscribe: (channel: string) => subscribeClient.subscribe(channel).catch(logged('SUBSCRIBE')),
    unsubscribe: (channel: string) => subscribeClient.unsubscribe(channel).catch(logged('UNSUBSCRIBE')),
  };
  const check = () => {
    const down = clients.find((client) => client.status !== 'ready');
    if (down) throw new Error(`Redis connection is ${down.status}`);
  };
  return {
    eventTarget: createRedisEventTarget({
      publishClient: publisher as unknown as Redis,
      subscribeClient: subscriber as unknown as Redis,
    }),
    // Redis answers one connection's commands in order: once this SUBSCRIBE is answered, the event
    // target's own (sent when the listener was added) has taken effect too.
    listening: async (topic) => {
      try {
        check();
        await subscribeClient.subscribe(topic);
      } catch (error) {
        logger.warn({ err: error }, 'a subscription was refused: Redis is unavailable');
        throw new ServiceUnavailableError('Live updates are unavailable right now (Redis); retry later.');
      }
    },
    check,
    close: async () => {
      await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}
