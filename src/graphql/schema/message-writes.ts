import { listCost } from '../cost.js';
import { buildMessage } from '../../sessions/drafts.js';
import { LIMITS } from '../../sessions/limits.js';
import type { Message, SessionRecord } from '../../sessions/model.js';
import { builder } from '../builder.js';
import { callerOf } from '../context.js';
import { boundedList } from '../validation.js';
import { MessageInput, MessageRef, toMessageDraft } from './message.js';
import { SESSION_WRITE_ERRORS, withIssuesAt } from './results.js';
import { SessionObject } from './session.js';
import { addressOf, sessionAddressFields, written, writeOptionsOf } from './session-writes.js';

const AppendSessionMessagesInput = builder.inputType('AppendSessionMessagesInput', {
  description: "Messages to append to the session's history and to the agent's context.",
  fields: (t) => ({
    ...sessionAddressFields(t),
    messages: t.field({
      type: [MessageInput],
      required: true,
      validate: { ...boundedList(LIMITS.appendedMessages), minLength: [1, { message: 'Must not be empty.' }] },
    }),
  }),
});

const AppendSessionMessagesPayload = builder.objectRef<{ session: SessionRecord; messages: Message[] }>('AppendSessionMessagesPayload').implement({
  description: 'The session and the messages appendSessionMessages appended.',
  fields: (t) => ({
    session: t.field({ type: SessionObject, resolve: (payload) => payload.session }),
    messages: t.field({
      type: [MessageRef],
      complexity: listCost(LIMITS.contextMessages),
      description: 'The appended messages as stored, in order, with their generated ids and times.',
      resolve: (payload) => payload.messages,
    }),
  }),
});

builder.mutationField('appendSessionMessages', (t) =>
  t.field({
    type: AppendSessionMessagesPayload,
    description: "Appends messages to the session's history and to the agent's context, in order, atomically.",
    errors: { types: SESSION_WRITE_ERRORS },
    args: { input: t.arg({ type: AppendSessionMessagesInput, required: true }) },
    resolve: async (_root, { input }, context) => {
      // Ids and times are settled here, so the payload returns exactly what is stored.
      const createdAt = new Date().toISOString();
      const messages = input.messages.map((message) => buildMessage(toMessageDraft(message), createdAt));
      const session = await written(context, () =>
        withIssuesAt(['input', 'messages'], () => context.sessions.appendMessages(callerOf(context), addressOf(input), messages, writeOptionsOf(input))),
      );
      return { session, messages };
    },
  }),
);
