import type { GraphQLResolveInfo } from 'graphql';
import { listCost, pageSize } from '../cost.js';
import { LIMITS } from '../../sessions/limits.js';
import { isStorableText } from '../../sessions/text.js';
import type { ChatModelConfig, SessionRecord } from '../../sessions/model.js';
import { DEFAULT_ORDER, type SessionListPosition, type SessionOrder } from '../../sessions/service.js';
import { builder } from '../builder.js';
import { callerOf, type GraphQLContext } from '../context.js';
import { idKey, referencedId } from '../entities.js';
import { idString, nonEmptyString } from '../validation.js';
import { decodeCursor, encodeCursor } from './connection.js';
import { selectedHistoryWindow } from './history-window.js';
import { selectedSessionParts } from './session-parts.js';
import { SessionSourceEnum } from './enums.js';

export const ChatModelConfigRef = builder.objectRef<ChatModelConfig>('SessionChatModelConfig').implement({
  description: 'Which model the agent talks to, through which credential, with which parameters.',
  fields: (t) => ({
    type: t.exposeString('type', { description: 'The model provider, e.g. openai.' }),
    credentialId: t.exposeID('credentialId'),
    model: t.exposeString('model'),
    parameters: t.field({
      type: 'JSON',
      description: 'A JSON object of model parameters.',
      resolve: (config) => config.parameters,
    }),
  }),
});

const SessionConfigRef = builder.objectRef<SessionRecord>('SessionConfig').implement({
  description: 'Session configuration: set at creation, changed by updateSession.',
  fields: (t) => ({
    workspaceId: t.exposeID('workspaceId'),
    name: t.exposeString('name', { nullable: true }),
    chatModelConfig: t.field({
      type: ChatModelConfigRef,
      nullable: true,
      resolve: (session) => session.chatModelConfig,
    }),
  }),
});

/**
 * The session's own fields; what hangs off it (state, messages, agent) is added by the modules of
 * those types, each nullable so that its failure nulls that field only.
 */
export const SessionObject = builder.objectRef<SessionRecord>('Session').implement({
  description: "One conversation of an agent: who owns it, its configuration and the agent's state.",
  fields: (t) => ({
    id: t.exposeID('id'),
    userId: t.exposeID('userId', { description: 'The owner.' }),
    agentId: t.exposeID('agentId'),
    config: t.field({ type: SessionConfigRef, resolve: (session) => session }),
    source: t.field({ type: SessionSourceEnum, resolve: (session) => session.source }),
    sourceScheduleId: t.exposeID('sourceScheduleId', {
      nullable: true,
      description: 'The schedule that created the session, if one did.',
    }),
    version: t.exposeInt('version', {
      description: 'Counts writes; send it as expectedVersion to reject stale writes.',
    }),
    isRunning: t.exposeBoolean('isRunning', {
      description: 'Whether the agent runtime is working on the session (see setSessionRunning).',
    }),
    createdAt: t.field({ type: 'DateTime', resolve: (session) => session.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (session) => session.updatedAt }),
  }),
});

// Federation: other subgraphs and the gateway reference a session by its id alone, so the reference
// resolves only to the caller's own session (of any agent) and to null otherwise.
builder.asEntity(SessionObject, {
  key: idKey,
  resolveReference: (reference, context) => context.loaders.ownSession.load(referencedId(reference)),
});

export const SessionConnection = builder.connectionObject(
  {
    type: SessionObject,
    name: 'SessionConnection',
    description: 'A page of sessions.',
    fields: (t) => ({
      totalCount: t.int({
        description: 'All sessions the filter admits, on every page.',
        resolve: (page) => page.totalCount(),
      }),
    }),
  },
  { name: 'SessionEdge', description: 'A session of the page and its cursor.' },
);

const SessionOrderFieldEnum = builder.enumType('SessionOrderField', {
  description: 'What sessions are sorted by.',
  values: { UPDATED_AT: { value: 'updatedAt' }, CREATED_AT: { value: 'createdAt' } } as const,
});
const OrderDirectionEnum = builder.enumType('SessionOrderDirection', {
  description: 'Ascending or descending.',
  values: { ASC: { value: 'asc' }, DESC: { value: 'desc' } } as const,
});

const SessionOrderInput = builder.inputType('SessionOrder', {
  description: 'An order of sessions; ties are broken by id, in the same direction.',
  fields: (t) => ({
    field: t.field({ type: SessionOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, required: true }),
  }),
});

const SessionFilterInput = builder.inputType('SessionFilter', {
  description: 'All given conditions must hold. Ranges include their start and exclude their end.',
  fields: (t) => ({
    workspaceId: t.id({ validate: idString() }),
    source: t.field({ type: SessionSourceEnum }),
    sourceScheduleId: t.id({ validate: idString() }),
    nameContains: t.string({
      validate: nonEmptyString(LIMITS.nameLength),
      description: 'Case-insensitive substring of the name.',
    }),
    updatedAfter: t.field({ type: 'DateTime' }),
    updatedBefore: t.field({ type: 'DateTime' }),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
  }),
});

/** Keyset cursors name their sort field, so a cursor is only valid for the order it came from. */
const sessionCursor = {
  encode: (session: SessionRecord, order: SessionOrder) =>
    encodeCursor([order.field, session[order.field].toISOString(), session.id]),
  decode(cursor: string, order: SessionOrder): SessionListPosition | null {
    const values = decodeCursor(cursor, 3);
    if (!values || values[0] !== order.field) return null;
    const value = new Date(values[1]!);
    const id = values[2]!;
    // Only what the service could have issued: a storable id, a date PostgreSQL can compare.
    const year = value.getUTCFullYear();
    return Number.isNaN(year) || year < 1 || year > 9999 || !isStorableText(id) || id.length > LIMITS.idLength
      ? null
      : { value, id };
  },
};

/**
 * Paging, filter and order of a list of sessions; with `sessionsPage`, every sessions connection
 * pages alike. Forward only: a session list is read newest first and paged on.
 */
export const sessionPageArgs = () =>
  builder.args((t) => ({
    first: t.int({
      defaultValue: LIMITS.defaultPageSize,
      validate: { min: 1, max: LIMITS.maxPageSize },
      description: `Page size, 1 to ${LIMITS.maxPageSize}.`,
    }),
    after: t.string({ description: 'The endCursor of the previous page.' }),
    filter: t.field({ type: SessionFilterInput }),
    orderBy: t.field({
      type: SessionOrderInput,
      defaultValue: { field: DEFAULT_ORDER.field, direction: DEFAULT_ORDER.direction },
    }),
  }));

type SessionPageArgs = {
  first?: number | null;
  after?: string | null;
  filter?: typeof SessionFilterInput.$inferInput | null;
  orderBy?: SessionOrder | null;
};

/** A cursor only pages the order it came from. */
export const sessionPageRule: [(args: SessionPageArgs) => boolean, { message: string; path: string[] }] = [
  (args) => args.after == null || sessionCursor.decode(args.after, args.orderBy ?? DEFAULT_ORDER) !== null,
  { message: 'Malformed cursor, or a cursor of another order.', path: ['after'] },
];

/**
 * A page of the caller's sessions of an agent. The parts of each session its nodes select
 * (session-parts.ts) are read in the page's statement and handed to their fields through the loaders.
 */
export async function sessionsPage(
  context: GraphQLContext,
  agentId: string,
  { first, after, filter, orderBy }: SessionPageArgs,
  info: GraphQLResolveInfo,
) {
  const order = orderBy ?? DEFAULT_ORDER;
  const parts = selectedSessionParts(info);
  const page = await context.loaders.sessionPages.load({
    id: agentId,
    window: {
      first: first ?? LIMITS.defaultPageSize,
      after: after ? sessionCursor.decode(after, order)! : undefined,
      filter: filter ?? undefined,
      order,
      ...(parts && { with: parts }),
    },
  });
  for (const [sessionId, read] of page.parts ?? []) {
    if (read.state) context.loaders.state.prime(sessionId, read.state);
    if (read.context) context.loaders.context.prime({ id: sessionId, window: parts?.context?.last }, read.context);
    if (read.tasks) context.loaders.tasks.prime(sessionId, read.tasks);
  }
  const edges = page.sessions.map((session) => ({ cursor: sessionCursor.encode(session, order), node: session }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount: () => context.loaders.sessionCounts.load({ id: agentId, window: filter ?? undefined }),
  };
}

/** The agent every address names (see README, "Addressing a session"). */
export const agentIdField = { required: true, validate: idString(), description: "The session's agent." } as const;

builder.queryFields((t) => ({
  session: t.field({
    type: SessionObject,
    nullable: true,
    description: "A session of the caller's, or null when there is none with this id and agent.",
    args: { id: t.arg.id({ required: true, validate: idString() }), agentId: t.arg.id(agentIdField) },
    resolve: async (_root, ref, context, info) => {
      const caller = callerOf(context);
      // A selected history window is read with the session, in one statement, and handed to the
      // messages field through its loader.
      const window = selectedHistoryWindow(info);
      if (!window) return context.sessions.get(caller, ref);
      const found = await context.sessions.getWithHistory(caller, ref, window);
      if (!found) return null;
      context.loaders.history.prime({ id: found.session.id, window }, found.history);
      return found.session;
    },
  }),
  sessions: t.field({
    type: SessionConnection,
    complexity: ({ first }) => listCost(pageSize(first, LIMITS.defaultPageSize, LIMITS.maxPageSize)),
    description: "The caller's sessions of an agent, most recently updated first unless `orderBy` says otherwise.",
    args: { agentId: t.arg.id(agentIdField), ...sessionPageArgs() },
    validate: sessionPageRule,
    resolve: (_root, { agentId, ...page }, context, info) => sessionsPage(context, agentId, page, info),
  }),
}));
