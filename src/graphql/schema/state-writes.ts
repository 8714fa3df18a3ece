import { LIMITS } from '../../sessions/limits.js';
import type { SessionRecord } from '../../sessions/model.js';
import { builder } from '../builder.js';
import { callerOf } from '../context.js';
import { idString } from '../validation.js';
import { AgentStateInput, toAgentStateDraft, ToolContextInput } from './agent-state.js';
import { TextOrBlocksInput, toTextOrBlocksDraft } from './content.js';
import { PermissionContextInput } from './permission.js';
import { SESSION_WRITE_ERRORS, withIssuesAt } from './results.js';
import { SessionObject } from './session.js';
import { addressOf, sessionAddressFields, written, writeOptionsOf } from './session-writes.js';

const ReplaceSessionStateInput = builder.inputType('ReplaceSessionStateInput', {
  description: 'The whole agent state, as the agent runtime saves it after a turn.',
  fields: (t) => ({ ...sessionAddressFields(t), state: t.field({ type: AgentStateInput, required: true }) }),
});

const UpdateSessionStateInput = builder.inputType('UpdateSessionStateInput', {
  description:
    'A small state write between turns. An absent or null field keeps its value; a given list replaces the old one whole.',
  fields: (t) => ({
    ...sessionAddressFields(t),
    summary: t.field({ type: TextOrBlocksInput }),
    replyId: t.id({ validate: idString() }),
    curIter: t.int({ validate: { min: 0 } }),
    permissionContext: t.field({ type: PermissionContextInput }),
    toolContext: t.field({ type: ToolContextInput }),
  }),
});

const CompactSessionContextInput = builder.inputType('CompactSessionContextInput', {
  description: 'The summary of the older context and how many of the newest messages stay in the context.',
  fields: (t) => ({
    ...sessionAddressFields(t),
    keepLast: t.int({ required: true, validate: { min: 0, max: LIMITS.contextMessages } }),
    summary: t.field({ type: TextOrBlocksInput, required: true }),
  }),
});

/** The state writes all return the session, whose `state` then reads what they wrote. */
function statePayload(name: string) {
  return builder.objectRef<{ session: SessionRecord }>(name).implement({
    description: 'The session as the write left it; select its state.',
    fields: (t) => ({ session: t.field({ type: SessionObject, resolve: (payload) => payload.session }) }),
  });
}

builder.mutationFields((t) => ({
  replaceSessionState: t.field({
    type: statePayload('ReplaceSessionStatePayload'),
    description: 'Replaces the whole agent state, as the agent runtime saves it after a turn.',
    errors: { types: SESSION_WRITE_ERRORS },
    args: { input: t.arg({ type: ReplaceSessionStateInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      session: await written(context, () =>
        withIssuesAt(['input', 'state'], () =>
          context.sessions.replaceState(
            callerOf(context),
            addressOf(input),
            toAgentStateDraft(input.state),
            writeOptionsOf(input),
          ),
        ),
      ),
    }),
  }),
  updateSessionState: t.field({
    type: statePayload('UpdateSessionStatePayload'),
    description: 'Changes only the state fields it names.',
    errors: { types: SESSION_WRITE_ERRORS },
    args: { input: t.arg({ type: UpdateSessionStateInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      const { sessionId, agentId, expectedVersion, idempotencyKey, summary, ...patch } = input;
      return {
        session: await written(context, () =>
          withIssuesAt(['input'], () =>
            context.sessions.updateState(
              callerOf(context),
              addressOf(input),
              { ...patch, summary: summary && toTextOrBlocksDraft(summary) },
              writeOptionsOf(input),
            ),
          ),
        ),
      };
    },
  }),
  compactSessionContext: t.field({
    type: statePayload('CompactSessionContextPayload'),
    description:
      'The agent summarised its older context: stores the summary and keeps only the newest `keepLast` messages in the context. The history keeps every message.',
    errors: { types: SESSION_WRITE_ERRORS },
    args: { input: t.arg({ type: CompactSessionContextInput, required: true }) },
    resolve: async (_root, { input }, context) => ({
      session: await written(context, () =>
        withIssuesAt(['input', 'summary'], () =>
          context.sessions.compactContext(
            callerOf(context),
            addressOf(input),
            input.keepLast,
            toTextOrBlocksDraft(input.summary),
            writeOptionsOf(input),
          ),
        ),
      ),
    }),
  }),
}));
