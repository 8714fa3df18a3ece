import type { InputFieldBuilder } from '@pothos/core';
import { LIMITS } from '../../sessions/limits.js';
import type { JsonObject, SessionRecord, SessionRef } from '../../sessions/model.js';
import type { WriteOptions } from '../../sessions/idempotency.js';
import type { ChatModelConfigDraft } from '../../sessions/patch.js';
import { builder } from '../builder.js';
import { callerOf, renewLoaders, type GraphQLContext } from '../context.js';
import { idString, jsonObject, labelString, nonEmptyString } from '../validation.js';
import { AgentStateInput, toAgentStateDraft } from './agent-state.js';
import { PermissionModeEnum, SessionSourceEnum } from './enums.js';
import { InvalidInputError } from '../../sessions/errors.js';
import { REFERENCE_ERRORS, SESSION_WRITE_ERRORS, withIssuesAt } from './results.js';
import { agentIdField, SessionObject } from './session.js';

/** The domain reports the rules that span createSession's initial state relative to the state. */
const STATE_PARTS = { under: ['state'], when: ['context', 'tasksContext'] };

type Types = typeof builder.$inferSchemaTypes;

/** What every write of an existing session names: the session, its agent, optionally its version. */
export function sessionAddressFields(t: InputFieldBuilder<Types, 'InputObject'>) {
  return {
    sessionId: t.id({ required: true, validate: idString() }),
    agentId: t.id(agentIdField),
    expectedVersion: t.int({
      description: 'Apply only if the session is still at this version (else SessionVersionConflictError).',
    }),
    ...idempotencyKeyField(t),
  };
}

/** Every write may carry a key that makes its retry safe; see WriteOptions in src/sessions/idempotency.ts. */
export function idempotencyKeyField(t: InputFieldBuilder<Types, 'InputObject'>) {
  return {
    idempotencyKey: t.string({
      description: `Makes a retry safe: the same key with the same input within ${LIMITS.idempotencyKeyLifetimeHours} h returns the first outcome without applying again; with another input it is SessionInvalidInputError.`,
    }),
  };
}

/** The version check and idempotency key a write input carries, as the domain takes them. */
export function writeOptionsOf(input: {
  expectedVersion?: number | null;
  idempotencyKey?: string | null;
}): WriteOptions {
  return { expectedVersion: input.expectedVersion, idempotencyKey: input.idempotencyKey };
}

/** The session a write input addresses. */
export function addressOf(input: { sessionId: string; agentId: string }): SessionRef {
  return { id: input.sessionId, agentId: input.agentId };
}

/**
 * Runs a write and renews the request's loaders, so whatever the payload selects is read after the
 * write (a document may run several mutations and read between them).
 */
export async function written<Result>(context: GraphQLContext, write: () => Promise<Result>): Promise<Result> {
  const result = await write();
  renewLoaders(context);
  return result;
}

/** Payload of writes that return only the session. */
function sessionPayload(name: string, description: string) {
  return builder.objectRef<{ session: SessionRecord }>(name).implement({
    description,
    fields: (t) => ({
      session: t.field({
        type: SessionObject,
        description: 'The session as the write left it.',
        resolve: (payload) => payload.session,
      }),
    }),
  });
}

const ChatModelConfigInput = builder.inputType('SessionChatModelConfigInput', {
  description: 'A model configuration; it replaces the current one whole.',
  fields: (t) => ({
    type: t.string({ required: true, validate: labelString() }),
    credentialId: t.id({ required: true, validate: idString() }),
    model: t.string({ required: true, validate: labelString() }),
    parameters: t.field({
      type: 'JSON',
      validate: jsonObject,
      description: 'A JSON object; defaults to {} (JSON defaults cannot be printed in SDL).',
    }),
  }),
});

function toChatModelConfigDraft(input: typeof ChatModelConfigInput.$inferInput): ChatModelConfigDraft {
  return { ...input, parameters: input.parameters as JsonObject | null | undefined };
}

const CreateSessionInput = builder.inputType('CreateSessionInput', {
  description: 'A new session of an agent.',
  fields: (t) => ({
    agentId: t.id(agentIdField),
    workspaceId: t.id({ validate: idString(), description: 'A new workspace id when absent.' }),
    name: t.string({
      validate: nonEmptyString(LIMITS.nameLength),
      description: 'Defaults to the creation time, YYYY-MM-DD HH:MM:SS (UTC).',
    }),
    chatModelConfig: t.field({ type: ChatModelConfigInput }),
    source: t.field({ type: SessionSourceEnum, defaultValue: 'user' }),
    sourceScheduleId: t.id({ validate: idString() }),
    state: t.field({
      type: AgentStateInput,
      description: 'The initial agent state; a fresh default state when absent.',
    }),
    ...idempotencyKeyField(t),
  }),
});

const UpdateSessionInput = builder.inputType('UpdateSessionInput', {
  description:
    'A PATCH of a session: an absent field keeps its value; name: null and chatModelConfig: null clear; permissionMode: null keeps the mode.',
  fields: (t) => ({
    ...sessionAddressFields(t),
    name: t.string({ validate: nonEmptyString(LIMITS.nameLength) }),
    chatModelConfig: t.field({ type: ChatModelConfigInput }),
    permissionMode: t.field({ type: PermissionModeEnum, description: 'Written to state.permissionContext.mode.' }),
  }),
});

const SetSessionRunningInput = builder.inputType('SetSessionRunningInput', {
  description: 'Whether the agent runtime works on the session.',
  fields: (t) => ({ ...sessionAddressFields(t), running: t.boolean({ required: true }) }),
});

const DeleteSessionInput = builder.inputType('DeleteSessionInput', {
  description: 'The session to delete, with its history, state and tasks.',
  fields: (t) => ({ ...sessionAddressFields(t) }),
});

const DeleteSessionPayload = builder
  .objectRef<{ deletedSessionId: string; lastVersion: number }>('DeleteSessionPayload')
  .implement({
    description: 'What deleteSession deleted.',
    fields: (t) => ({
      deletedSessionId: t.exposeID('deletedSessionId'),
      lastVersion: t.exposeInt('lastVersion', { description: 'The version the session had when it was deleted.' }),
    }),
  });

builder.mutationFields((t) => ({
  createSession: t.field({
    type: sessionPayload('CreateSessionPayload', 'The session createSession made.'),
    description: 'Creates a session of the caller for an agent.',
    errors: { types: [InvalidInputError, ...REFERENCE_ERRORS] },
    args: { input: t.arg({ type: CreateSessionInput, required: true }) },
    resolve: async (_root, { input: { idempotencyKey, ...input } }, context) => ({
      session: await written(context, () =>
        withIssuesAt(['input'], STATE_PARTS, () =>
          context.sessions.create(
            callerOf(context),
            {
              ...input,
              chatModelConfig: input.chatModelConfig && toChatModelConfigDraft(input.chatModelConfig),
              state: input.state && toAgentStateDraft(input.state),
            },
            { idempotencyKey },
          ),
        ),
      ),
    }),
  }),
  updateSession: t.field({
    type: sessionPayload('UpdateSessionPayload', 'The session as updateSession left it.'),
    description: 'Renames a session, replaces or clears its model configuration, sets its permission mode.',
    errors: { types: [...SESSION_WRITE_ERRORS, ...REFERENCE_ERRORS] },
    args: { input: t.arg({ type: UpdateSessionInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { sessionId, agentId, expectedVersion, idempotencyKey, chatModelConfig, ...patch } = input;
      return {
        session: await written(context, () =>
          withIssuesAt(['input'], () =>
            context.sessions.update(
              callerOf(context),
              addressOf(input),
              // Keep absent (undefined) apart from null: they mean "keep" and "clear".
              { ...patch, chatModelConfig: chatModelConfig && toChatModelConfigDraft(chatModelConfig) },
              writeOptionsOf(input),
            ),
          ),
        ),
      };
    },
  }),
  setSessionRunning: t.field({
    type: sessionPayload('SetSessionRunningPayload', 'The session as setSessionRunning left it.'),
    description: 'The agent runtime sets this when a turn starts and clears it when the turn ends.',
    errors: { types: SESSION_WRITE_ERRORS },
    args: { input: t.arg({ type: SetSessionRunningInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      session: await written(context, () =>
        withIssuesAt(['input'], () =>
          context.sessions.setRunning(callerOf(context), addressOf(input), input.running, writeOptionsOf(input)),
        ),
      ),
    }),
  }),
  deleteSession: t.field({
    type: DeleteSessionPayload,
    description: 'Deletes a session with its history, state and tasks.',
    errors: { types: SESSION_WRITE_ERRORS },
    args: { input: t.arg({ type: DeleteSessionInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      deletedSessionId: input.sessionId,
      lastVersion: await written(context, () =>
        withIssuesAt(['input'], () =>
          context.sessions.delete(callerOf(context), addressOf(input), writeOptionsOf(input)),
        ),
      ),
    }),
  }),
}));
