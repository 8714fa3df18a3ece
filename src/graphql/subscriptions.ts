import { GraphQLError } from 'graphql';
import { createPubSub } from 'graphql-yoga';
import type { SessionEvent, SessionEvents } from '../sessions/events.js';
import type { Caller } from '../sessions/model.js';
import type { ErrorCode } from '../errors.js';
import { EventQueue } from './event-queue.js';
import type { EventTransport } from './event-transport.js';

export interface SubscriptionLimits {
  /** Open subscriptions one caller may hold on this instance. */
  maxPerCaller: number;
  /** Distinct sessions with an undelivered event a subscriber may have waiting. */
  bufferSize: number;
}

export interface SessionSubscriptions extends SessionEvents {
  /**
   * The caller's events of one agent that `accept` lets through, from the moment this resolves.
   * Closing (returning) the stream frees it, and so does `signal` (the request's) aborting, at any
   * moment: a client that hangs up while the resolver still waits never receives the stream to
   * close. TOO_MANY_SUBSCRIPTIONS past the caller's limit.
   */
  subscribe(
    caller: Caller,
    agentId: string,
    accept: (event: SessionEvent) => boolean,
    signal?: AbortSignal,
  ): Promise<EventQueue<SessionEvent>>;
  /** Subscriptions open on this instance. */
  openCount(): number;
  /** Ends every subscription (shutdown): clients see their streams complete. */
  closeAll(): void;
}

/**
 * Session events as Yoga pub/sub topics, one per user and agent, so an instance only hears of the
 * sessions its subscribers may see. `channelPrefix` keeps services (and test runs) sharing one
 * Redis apart.
 */
export function createSessionSubscriptions(
  transport: EventTransport,
  channelPrefix: string,
  limits: SubscriptionLimits,
): SessionSubscriptions {
  const pubSub = createPubSub<Record<string, [SessionEvent]>>({ eventTarget: transport.eventTarget });
  const topicOf = (userId: string, agentId: string) =>
    `${channelPrefix}:sessions:${encodeURIComponent(userId)}:${encodeURIComponent(agentId)}`;
  const open = new Set<EventQueue<SessionEvent>>();
  const openPerCaller = new Map<string, number>();

  function reserve(userId: string): () => void {
    const count = openPerCaller.get(userId) ?? 0;
    if (count >= limits.maxPerCaller) throw tooManySubscriptions(limits.maxPerCaller);
    openPerCaller.set(userId, count + 1);
    return () => {
      const left = (openPerCaller.get(userId) ?? 1) - 1;
      if (left > 0) openPerCaller.set(userId, left);
      else openPerCaller.delete(userId);
    };
  }

  return {
    published(event) {
      pubSub.publish(topicOf(event.userId, event.agentId), event);
    },
    async subscribe(caller, agentId, accept, signal) {
      const release = reserve(caller.userId);
      const topic = topicOf(caller.userId, agentId);
      const source = pubSub.subscribe(topic);
      const queue: EventQueue<SessionEvent> = new EventQueue({
        capacity: limits.bufferSize,
        keyOf: (event) => event.sessionId,
        merge: (older, newer) =>
          older.kind === 'created' && newer.kind === 'updated' ? { ...newer, kind: 'created' } : newer,
        onClose: () => {
          open.delete(queue);
          release();
          void source.return();
        },
      });
      open.add(queue);
      if (signal?.aborted) queue.close();
      signal?.addEventListener('abort', () => queue.close(), { once: true });
      // The topic already scopes events to the caller and agent; checking again costs nothing and
      // holds even if a channel were shared by mistake. The queue closes with its source.
      const close = () => queue.close();
      void (async () => {
        for await (const event of source) {
          if (event.userId === caller.userId && event.agentId === agentId && accept(event)) queue.push(event);
        }
      })().then(close, close);
      try {
        await transport.listening(topic);
      } catch (error) {
        queue.close();
        throw error;
      }
      return queue;
    },
    openCount: () => open.size,
    closeAll() {
      for (const queue of [...open]) queue.close();
    },
  };
}

/** The subscriptions as one request sees them: what it subscribes ends when the request is aborted. */
export function subscriptionsOfRequest(subscriptions: SessionSubscriptions, signal: AbortSignal): SessionSubscriptions {
  return {
    ...subscriptions,
    subscribe: (caller, agentId, accept) => subscriptions.subscribe(caller, agentId, accept, signal),
  };
}

function tooManySubscriptions(max: number): GraphQLError {
  return new GraphQLError(`Too many subscriptions: at most ${max} may be open at once per caller. Close one first.`, {
    extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' satisfies ErrorCode },
  });
}
