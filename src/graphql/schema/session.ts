import { LIMITS } from '../../sessions/limits.js';
import { isStorableText } from '../../sessions/text.js';
import type { ChatModelConfig, JsonObject, SessionRecord } from '../../sessions/model.js';
import type { ChatModelConfigDraft } from '../../sessions/patch.js';
import { DEFAULT_ORDER, type SessionListPosition, type SessionOrder } from '../../sessions/service.js';
import { builder } from '../builder.js';
import { callerOf, type GraphQLContext } from '../context.js';
import { idKey, referencedId } from '../entities.js';
import { idString, jsonObject, labelString, nonEmptyString } from '../validation.js';
import { AgentStateInput, AgentStateRef, toAgentStateDraft } from './agent-state.js';
import { connectionOf, decodeCursor, encodeCursor, type ConnectionShape } from './connection.js';
import { PermissionModeEnum, SessionSourceEnum } from './enums.js';
import { historyArgs, historyArgsRule, historyConnection, MessageConnection, toHistoryWindow } from './message.js';

export const ChatModelConfigRef = builder.objectRef<ChatModelConfig>('ChatModelConfig').implement({
  description: 'Which model the agent talks to, through which credential, with which parameters.',
  fields: (t) => ({
    type: t.exposeString('type'),
    credentialId: t.exposeID('credentialId'),
    model: t.exposeString('model'),
    parameters: t.field({ type: 'JSON', resolve: (config) => config.parameters }),
  }),
});

const SessionConfigRef = builder.objectRef<SessionRecord>('SessionConfig').implement({
  description: 'Session configuration: set at creation, changed by updateSession.',
  fields: (t) => ({
    workspaceId: t.exposeID('workspaceId'),
    name: t.exposeString('name', { nullable: true }),
    chatModelConfig: t.field({ type: ChatModelConfigRef, nullable: true, resolve: (session) => session.chatModelConfig }),
  }),
});

export const SessionObject = builder.objectRef<SessionRecord>('Session').implement({
  description: "One conversation of an agent: who owns it, its configuration and the agent's state.",
  fields: (t) => ({
    id: t.exposeID('id'),
    userId: t.exposeID('userId'),
    agentId: t.exposeID('agentId'),
    config: t.field({ type: SessionConfigRef, resolve: (session) => session }),
    source: t.field({ type: SessionSourceEnum, resolve: (session) => session.source }),
    sourceScheduleId: t.exposeID('sourceScheduleId', { nullable: true }),
    version: t.exposeInt('version', { description: 'Counts writes; send it as expectedVersion to reject stale writes.' }),
    isRunning: t.exposeBoolean('isRunning', { description: 'Whether the agent runtime is working on the session (see setSessionRunning).' }),
    createdAt: t.field({ type: 'DateTime', resolve: (session) => session.createdAt }),
    updatedAt: t.field({ type: 'DateTime', resolve: (session) => session.updatedAt }),
    state: t.field({ type: AgentStateRef, resolve: (session, _args, context) => context.loaders.state.load(session.id) }),
    messages: t.field({
      type: MessageConnection,
      description: 'The full message history, oldest first: page forward with first/after, backward (newest first pages) with last/before.',
      args: historyArgs(),
      validate: historyArgsRule,
      resolve: async (session, args, context) => {
        const window = toHistoryWindow(args);
        const page = await context.loaders.history.load({ id: session.id, window });
        return historyConnection(page, window, () => context.loaders.historyLength.load(session.id));
      },
    }),
  }),
});

// Federation: other subgraphs and the gateway reference a session by its id alone, so the reference
// resolves only to the caller's own session (of any agent) and to null otherwise.
builder.asEntity(SessionObject, {
  key: idKey,
  resolveReference: (reference, context) => context.loaders.ownSession.load(referencedId(reference)),
});

export const SessionConnection = connectionOf('Session', SessionObject);

/** The arguments that address one session: its id and its agent. */
export function sessionRefArgs() {
  return builder.args((t) => ({
    id: t.id({ required: true, validate: idString() }),
    agentId: t.id({ required: true, validate: idString() }),
  }));
}

const SessionOrderFieldEnum = builder.enumType('SessionOrderField', {
  values: { UPDATED_AT: { value: 'updatedAt' }, CREATED_AT: { value: 'createdAt' } } as const,
});
const OrderDirectionEnum = builder.enumType('OrderDirection', { values: { ASC: { value: 'asc' }, DESC: { value: 'desc' } } as const });

const SessionOrderInput = builder.inputType('SessionOrder', {
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
    nameContains: t.string({ validate: nonEmptyString(LIMITS.nameLength), description: 'Case-insensitive substring of the name.' }),
    updatedAfter: t.field({ type: 'DateTime' }),
    updatedBefore: t.field({ type: 'DateTime' }),
    createdAfter: t.field({ type: 'DateTime' }),
    createdBefore: t.field({ type: 'DateTime' }),
  }),
});

/** Keyset cursors name their sort field, so a cursor is only valid for the order it came from. */
const sessionCursor = {
  encode: (session: SessionRecord, order: SessionOrder) => encodeCursor([order.field, session[order.field].toISOString(), session.id]),
  decode(cursor: string, order: SessionOrder): SessionListPosition | null {
    const values = decodeCursor(cursor, 3);
    if (!values || values[0] !== order.field) return null;
    const value = new Date(values[1]!);
    const id = values[2]!;
    // Only what the service could have issued: a storable id, a date PostgreSQL can compare.
    const year = value.getUTCFullYear();
    return Number.isNaN(year) || year < 1 || year > 9999 || !isStorableText(id) || id.length > LIMITS.idLength ? null : { value, id };
  },
};

/** Paging, filter and order of a list of sessions; with `sessionsPage`, every sessions connection pages alike. */
export const sessionPageArgs = () =>
  builder.args((t) => ({
    first: t.int({
      validate: { min: 1, max: LIMITS.maxPageSize },
      description: `Page size, 1 to ${LIMITS.maxPageSize}; defaults to ${LIMITS.defaultPageSize}.`,
    }),
    after: t.string(),
    filter: t.field({ type: SessionFilterInput }),
    orderBy: t.field({ type: SessionOrderInput, description: 'Defaults to UPDATED_AT DESC.' }),
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

/** A page of the caller's sessions of an agent. */
export async function sessionsPage(
  context: GraphQLContext,
  agentId: string,
  { first, after, filter, orderBy }: SessionPageArgs,
): Promise<ConnectionShape<SessionRecord>> {
  const order = orderBy ?? DEFAULT_ORDER;
  const page = await context.loaders.sessionPages.load({
    id: agentId,
    window: { first: first ?? LIMITS.defaultPageSize, after: after ? sessionCursor.decode(after, order)! : undefined, filter: filter ?? undefined, order },
  });
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

builder.queryFields((t) => ({
  session: t.field({
    type: SessionObject,
    nullable: true,
    description: "A session of the caller's, or null when there is none with this id and agent.",
    args: sessionRefArgs(),
    resolve: (_root, ref, context) => context.sessions.get(callerOf(context), ref),
  }),
  sessions: t.field({
    type: SessionConnection,
    description: "The caller's sessions of an agent, most recently updated first unless `orderBy` says otherwise.",
    args: { agentId: t.arg.id({ required: true, validate: idString() }), ...sessionPageArgs() },
    validate: sessionPageRule,
    resolve: (_root, { agentId, ...page }, context) => sessionsPage(context, agentId, page),
  }),
}));

const ChatModelConfigInput = builder.inputType('ChatModelConfigInput', {
  fields: (t) => ({
    type: t.string({ required: true, validate: labelString() }),
    credentialId: t.id({ required: true, validate: idString() }),
    model: t.string({ required: true, validate: labelString() }),
    parameters: t.field({ type: 'JSON', validate: jsonObject, description: 'A JSON object; defaults to {}.' }),
  }),
});

function toChatModelConfigDraft(input: typeof ChatModelConfigInput.$inferInput): ChatModelConfigDraft {
  return { ...input, parameters: input.parameters as JsonObject | null | undefined };
}

const CreateSessionInput = builder.inputType('CreateSessionInput', {
  fields: (t) => ({
    agentId: t.id({ required: true, validate: idString() }),
    workspaceId: t.id({ validate: idString(), description: 'A new workspace id when absent.' }),
    name: t.string({ validate: nonEmptyString(LIMITS.nameLength), description: 'Defaults to the creation time, YYYY-MM-DD HH:MM:SS (UTC).' }),
    chatModelConfig: t.field({ type: ChatModelConfigInput }),
    source: t.field({ type: SessionSourceEnum, description: 'Defaults to USER.' }),
    sourceScheduleId: t.id({ validate: idString() }),
    state: t.field({ type: AgentStateInput, description: 'The initial agent state; a fresh default state when absent.' }),
  }),
});

const UpdateSessionInput = builder.inputType('UpdateSessionInput', {
  description:
    'A PATCH: an absent field keeps its value; name: null and chatModelConfig: null clear; permissionMode: null keeps the mode.',
  fields: (t) => ({
    name: t.string({ validate: nonEmptyString(LIMITS.nameLength) }),
    chatModelConfig: t.field({ type: ChatModelConfigInput, description: 'Replaces the current configuration whole.' }),
    permissionMode: t.field({ type: PermissionModeEnum, description: 'Written to state.permissionContext.mode.' }),
  }),
});

export const expectedVersionArg = () =>
  builder.args((t) => ({
    expectedVersion: t.int({ description: 'Apply only if the session is still at this version (else CONFLICT).' }),
  }));

/** Passed through to the domain as is; see WriteOptions in src/sessions/idempotency.ts for its rules. */
export const idempotencyKeyArg = () =>
  builder.args((t) => ({
    idempotencyKey: t.string({
      description: `Makes a retry safe: the same key with the same arguments within ${LIMITS.idempotencyKeyLifetimeHours} h returns the first outcome without applying again; with other arguments it is BAD_USER_INPUT.`,
    }),
  }));

builder.mutationFields((t) => ({
  createSession: t.field({
    type: SessionObject,
    args: { input: t.arg({ type: CreateSessionInput, required: true }), ...idempotencyKeyArg() },
    resolve: (_root, { input, idempotencyKey }, context) =>
      context.sessions.create(
        callerOf(context),
        {
          ...input,
          chatModelConfig: input.chatModelConfig && toChatModelConfigDraft(input.chatModelConfig),
          state: input.state && toAgentStateDraft(input.state),
        },
        { idempotencyKey },
      ),
  }),
  updateSession: t.field({
    type: SessionObject,
    args: { ...sessionRefArgs(), input: t.arg({ type: UpdateSessionInput, required: true }), ...expectedVersionArg(), ...idempotencyKeyArg() },
    resolve: (_root, { id, agentId, input, expectedVersion, idempotencyKey }, context) =>
      context.sessions.update(
        callerOf(context),
        { id, agentId },
        // Keep absent (undefined) apart from null: they mean "keep" and "clear".
        { ...input, chatModelConfig: input.chatModelConfig && toChatModelConfigDraft(input.chatModelConfig) },
        { expectedVersion, idempotencyKey },
      ),
  }),
  setSessionRunning: t.field({
    type: SessionObject,
    description: 'The agent runtime sets this when a turn starts and clears it when the turn ends.',
    args: { ...sessionRefArgs(), running: t.arg.boolean({ required: true }), ...expectedVersionArg(), ...idempotencyKeyArg() },
    resolve: (_root, { id, agentId, running, expectedVersion, idempotencyKey }, context) =>
      context.sessions.setRunning(callerOf(context), { id, agentId }, running, { expectedVersion, idempotencyKey }),
  }),
  deleteSession: t.field({
    type: 'ID',
    args: { ...sessionRefArgs(), ...expectedVersionArg(), ...idempotencyKeyArg() },
    resolve: async (_root, { id, agentId, expectedVersion, idempotencyKey }, context) => {
      await context.sessions.delete(callerOf(context), { id, agentId }, { expectedVersion, idempotencyKey });
      return id;
    },
  }),
}));
