import { listCost } from '../cost.js';
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

const AppendSessionMessagesPayload = builder
  .objectRef<{ session: SessionRecord; messages: Message[] }>('AppendSessionMessagesPayload')
  .implement({
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
    resolve: (_root, { input }, context) =>
      written(context, () =>
        withIssuesAt(['input', 'messages'], () =>
          context.sessions.appendMessages(
            callerOf(context),
            addressOf(input),
            input.messages.map(toMessageDraft),
            writeOptionsOf(input),
          ),
        ),
      ),
  }),
);
