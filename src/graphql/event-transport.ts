import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { PubSubEventTarget } from 'graphql-yoga';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { SessionEvent } from '../sessions/events.js';

/** Topics carry one session event each. */
export type SessionTopics = Record<string, [SessionEvent]>;

/** How events travel between the instances of the service. */
export interface EventTransport {
  /** Undefined: in this process only (Yoga's in-memory event target). */
  eventTarget: PubSubEventTarget<SessionTopics> | undefined;
  /** Resolves once events published to `topic` from now on reach this instance's listeners. */
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
 * what any instance publishes. Start-up fails when Redis cannot be reached.
 */
export async function openRedisTransport(url: string, logger: Logger): Promise<EventTransport> {
  const options = { lazyConnect: true, connectionName: 'agent-sessions' };
  const publishClient = new Redis(url, options);
  const subscribeClient = new Redis(url, options);
  const clients = [publishClient, subscribeClient];
  for (const client of clients) client.on('error', (error: Error) => logger.warn({ err: error }, 'redis connection error'));
  try {
    await Promise.all(clients.map((client) => client.connect()));
  } catch (error) {
    clients.forEach((client) => client.disconnect());
    throw new Error(`Redis at REDIS_URL cannot be reached: ${(error as Error).message}`);
  }
  // The event target fires PUBLISH and drops the promise; a Redis outage would then be an unhandled
  // rejection, which ends a Node process. The write behind the event has committed, so log and go on.
  const publisher = {
    publish: (channel: string, message: string) =>
      publishClient.publish(channel, message).catch((error: unknown) => {
        logger.warn({ err: error }, 'could not publish a session event to Redis');
        return 0;
      }),
  } as unknown as Redis;
  return {
    eventTarget: createRedisEventTarget({ publishClient: publisher, subscribeClient }),
    // Redis answers one connection's commands in order: once this SUBSCRIBE is answered, the event
    // target's own (sent when the listener was added) has taken effect too.
    listening: async (topic) => {
      await subscribeClient.subscribe(topic);
    },
    check: () => {
      const down = clients.find((client) => client.status !== 'ready');
      if (down) throw new Error(`Redis connection is ${down.status}`);
    },
    close: async () => {
      await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
    },
  };
}
