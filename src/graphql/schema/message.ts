import type { MessageDraft } from '../../sessions/drafts.js';
import { LIMITS } from '../../sessions/limits.js';
import type { JsonObject, Message, Usage } from '../../sessions/model.js';
import type { HistoryMessage, HistoryPage, HistoryWindow } from '../../sessions/service.js';
import { builder } from '../builder.js';
import { callerOf } from '../context.js';
import { boundedList, idString, jsonObject, nonEmptyString } from '../validation.js';
import { connectionOf, decodeCursor, encodeCursor, type ConnectionShape } from './connection.js';
import { ContentBlockInput, ContentBlockUnion, toContentBlockDraft } from './content.js';
import { MessageRoleEnum } from './enums.js';
import { expectedVersionArg, idempotencyKeyArg, sessionRefArgs, SessionObject } from './session.js';

const UsageRef = builder.objectRef<Usage>('Usage').implement({
  fields: (t) => ({ inputTokens: t.exposeInt('inputTokens'), outputTokens: t.exposeInt('outputTokens') }),
});

export const MessageRef = builder.objectRef<Message>('Message').implement({
  description: 'A message of the agent conversation.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    role: t.field({ type: MessageRoleEnum, resolve: (message) => message.role }),
    content: t.field({ type: [ContentBlockUnion], resolve: (message) => message.content }),
    metadata: t.field({ type: 'JSON', resolve: (message) => message.metadata }),
    createdAt: t.exposeString('createdAt', { description: 'As the runtime wrote it.' }),
    finishedAt: t.exposeString('finishedAt', { nullable: true }),
    usage: t.field({ type: UsageRef, nullable: true, resolve: (message) => message.usage }),
  }),
});

const UsageInput = builder.inputType('UsageInput', {
  fields: (t) => ({
    inputTokens: t.int({ required: true, validate: { min: 0 } }),
    outputTokens: t.int({ required: true, validate: { min: 0 } }),
  }),
});

export const MessageInput = builder.inputType('MessageInput', {
  fields: (t) => ({
    id: t.id({ validate: idString(), description: 'Generated when absent.' }),
    name: t.string({ required: true, validate: nonEmptyString(LIMITS.messageNameLength) }),
    role: t.field({ type: MessageRoleEnum, required: true }),
    content: t.field({ type: [ContentBlockInput], required: true, validate: boundedList(LIMITS.contentBlocksPerMessage) }),
    metadata: t.field({ type: 'JSON', validate: jsonObject, description: 'A JSON object; defaults to {}.' }),
    createdAt: t.string({ validate: nonEmptyString(LIMITS.timestampLength), description: 'Defaults to the time of the write.' }),
    finishedAt: t.string({ validate: nonEmptyString(LIMITS.timestampLength) }),
    usage: t.field({ type: UsageInput }),
  }),
});

export function toMessageDraft(input: typeof MessageInput.$inferInput): MessageDraft {
  return { ...input, metadata: input.metadata as JsonObject | null | undefined, content: input.content.map(toContentBlockDraft) };
}

export const MessageConnection = connectionOf('Message', MessageRef);

const MAX_SEQ = 2 ** 31 - 1;

const historyCursor = {
  encode: (message: HistoryMessage) => encodeCursor([String(message.seq)]),
  decode(cursor: string): number | null {
    const seq = Number(decodeCursor(cursor, 1)?.[0]);
    // Within the column's range: a forged larger number would fail in SQL, not as bad input.
    return Number.isInteger(seq) && seq >= 0 && seq <= MAX_SEQ ? seq : null;
  },
};

const cursorArg = { refine: [(cursor: string) => historyCursor.decode(cursor) !== null, { message: 'Malformed cursor.' }] as [(cursor: string) => boolean, { message: string }] };
const pageSizeArg = { min: 1, max: LIMITS.maxMessagePage };

/** Arguments of `Session.messages`: forward with first/after, backward with last/before. */
export const historyArgs = () =>
  builder.args((t) => ({
    first: t.int({ validate: pageSizeArg, description: `Oldest first from \`after\`; 1 to ${LIMITS.maxMessagePage}.` }),
    after: t.string({ validate: cursorArg }),
    last: t.int({
      validate: pageSizeArg,
      description: `Newest messages before \`before\`; 1 to ${LIMITS.maxMessagePage}. The default is last: ${LIMITS.defaultMessagePage}.`,
    }),
    before: t.string({ validate: cursorArg }),
  }));

export const historyArgsRule: [(args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null }) => boolean, { message: string }] = [
  (args) => (args.first == null && args.after == null) || (args.last == null && args.before == null),
  { message: 'Page forward with first/after or backward with last/before, not both.' },
];

export function toHistoryWindow(args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null }): HistoryWindow {
  if (args.first != null || args.after != null) {
    return { first: args.first ?? LIMITS.defaultMessagePage, ...(args.after != null && { afterSeq: historyCursor.decode(args.after)! }) };
  }
  return { last: args.last ?? LIMITS.defaultMessagePage, ...(args.before != null && { beforeSeq: historyCursor.decode(args.before)! }) };
}

/** A Relay page of one session's history, oldest first. */
export function historyConnection(page: HistoryPage, window: HistoryWindow, totalCount: () => Promise<number>): ConnectionShape<HistoryMessage> {
  const edges = page.messages.map((message) => ({ cursor: historyCursor.encode(message), node: message }));
  const forward = 'first' in window;
  return {
    edges,
    pageInfo: {
      hasNextPage: forward ? page.hasMore : window.beforeSeq !== undefined,
      hasPreviousPage: forward ? window.afterSeq !== undefined : page.hasMore,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
    totalCount,
  };
}

builder.mutationField('appendMessages', (t) =>
  t.field({
    type: SessionObject,
    description: "Appends messages to the session's history and to the agent's context, in order, atomically.",
    args: {
      ...sessionRefArgs(),
      messages: t.arg({ type: [MessageInput], required: true, validate: { ...boundedList(LIMITS.appendedMessages), minLength: [1, { message: 'Must not be empty.' }] } }),
      ...expectedVersionArg(), ...idempotencyKeyArg(),
    },
    resolve: (_root, { id, agentId, messages, expectedVersion, idempotencyKey }, context) =>
      context.sessions.appendMessages(callerOf(context), { id, agentId }, messages.map(toMessageDraft), { expectedVersion, idempotencyKey }),
  }),
);
