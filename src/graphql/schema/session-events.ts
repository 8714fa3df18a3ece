import { SessionNotFoundError } from '../../sessions/errors.js';
import type { SessionEvent } from '../../sessions/events.js';
import type { SessionRecord } from '../../sessions/model.js';
import { builder } from '../builder.js';
import { callerOf, renewLoaders, type GraphQLContext } from '../context.js';
import { mapUntil } from '../event-queue.js';
import { idString } from '../validation.js';
import { SessionEventKindEnum } from './enums.js';
import { agentIdField, SessionObject } from './session.js';

const SessionEventObject = builder.objectRef<SessionEvent>('SessionEvent').implement({
  description:
    'A write to one of your sessions. Events of one session may be coalesced when you read slower than they come: ' +
    'you then get the latest, and `session` is always read afresh.',
  fields: (t) => ({
    kind: t.field({ type: SessionEventKindEnum, resolve: (event) => event.kind }),
    sessionId: t.exposeID('sessionId'),
    agentId: t.exposeID('agentId'),
    version: t.exposeInt('version', { description: 'The version the write produced (for DELETED: the last one).' }),
    session: t.field({
      type: SessionObject,
      nullable: true,
      description: 'The session as it is now; null once deleted.',
      resolve: (event, _args, context) =>
        event.kind === 'deleted' ? null : context.loaders.ownSession.load(event.sessionId),
    }),
  }),
});

/** Each event is resolved with fresh loaders (see renewLoaders). */
function withFreshLoaders<Out>(
  context: GraphQLContext,
  events: AsyncIterator<SessionEvent>,
  read: (event: SessionEvent) => Promise<Out | undefined>,
) {
  return mapUntil(events, (event) => {
    renewLoaders(context);
    return read(event);
  });
}

builder.subscriptionFields((t) => ({
  sessionUpdated: t.field({
    type: SessionObject,
    description:
      'The session, read afresh after each write to it (state writes included). NOT_FOUND when it is not yours; ' +
      'the stream completes when the session is deleted.',
    args: { id: t.arg.id({ required: true, validate: idString() }), agentId: t.arg.id(agentIdField) },
    subscribe: async (_root, ref, context) => {
      const caller = callerOf(context);
      // Subscribed before the check, so no write between the two goes unseen.
      const events = await context.subscriptions.subscribe(caller, ref.agentId, (event) => event.sessionId === ref.id);
      try {
        if (!(await context.sessions.get(caller, ref))) throw new SessionNotFoundError(ref.id);
      } catch (error) {
        events.close();
        throw error;
      }
      return withFreshLoaders(
        context,
        events,
        async (event): Promise<SessionRecord | undefined> =>
          event.kind === 'deleted' ? undefined : ((await context.sessions.get(caller, ref)) ?? undefined),
      );
    },
    resolve: (session) => session,
  }),
  sessionEvents: t.field({
    type: SessionEventObject,
    description: 'Created, updated and deleted events of your sessions of this agent.',
    args: { agentId: t.arg.id(agentIdField) },
    subscribe: async (_root, { agentId }, context) => {
      const events = await context.subscriptions.subscribe(callerOf(context), agentId, () => true);
      return withFreshLoaders(context, events, async (event) => event);
    },
    resolve: (event) => event,
  }),
}));
