import { listCost, pageSize } from '../cost.js';
import type { MessageDraft } from '../../sessions/drafts.js';
import { LIMITS } from '../../sessions/limits.js';
import type { JsonObject, Message, Usage } from '../../sessions/model.js';
import type { HistoryMessage, HistoryPage, HistoryWindow } from '../../sessions/service.js';
import { builder } from '../builder.js';
import { boundedList, idString, jsonObject, nonEmptyString } from '../validation.js';
import {
  historyCursor,
  isOneDirection,
  MESSAGE_PAGE_SIZE,
  toHistoryWindow,
  type HistoryArgs,
} from './history-window.js';
import { ContentBlockInput, ContentBlockInterface, toContentBlockDraft } from './content.js';
import { MessageRoleEnum } from './enums.js';
import { instantOf } from './scalars.js';
import { SessionObject } from './session.js';

const UsageRef = builder.objectRef<Usage>('SessionUsage').implement({
  description: 'Tokens a model call consumed.',
  fields: (t) => ({ inputTokens: t.exposeInt('inputTokens'), outputTokens: t.exposeInt('outputTokens') }),
});

export const MessageRef = builder.objectRef<Message>('SessionMessage').implement({
  description: 'A message of the agent conversation.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name', { description: 'Who wrote it, e.g. user or the agent name.' }),
    role: t.field({ type: MessageRoleEnum, resolve: (message) => message.role }),
    content: t.field({
      type: [ContentBlockInterface],
      complexity: listCost(LIMITS.contentBlocksPerMessage),
      resolve: (message) => message.content,
    }),
    metadata: t.field({ type: 'JSON', description: 'A JSON object.', resolve: (message) => message.metadata }),
    createdAt: t.field({ type: 'DateTime', resolve: (message) => instantOf(message.createdAt) }),
    finishedAt: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (message) => (message.finishedAt === null ? null : instantOf(message.finishedAt)),
    }),
    usage: t.field({ type: UsageRef, nullable: true, resolve: (message) => message.usage }),
  }),
});

const UsageInput = builder.inputType('SessionUsageInput', {
  description: 'Tokens a model call consumed.',
  fields: (t) => ({
    inputTokens: t.int({ required: true, validate: { min: 0 } }),
    outputTokens: t.int({ required: true, validate: { min: 0 } }),
  }),
});

export const MessageInput = builder.inputType('SessionMessageInput', {
  description: 'A message as the agent runtime writes it.',
  fields: (t) => ({
    id: t.id({ validate: idString(), description: 'Generated when absent.' }),
    name: t.string({ required: true, validate: nonEmptyString(LIMITS.messageNameLength) }),
    role: t.field({ type: MessageRoleEnum, required: true }),
    content: t.field({
      type: [ContentBlockInput],
      required: true,
      validate: boundedList(LIMITS.contentBlocksPerMessage),
    }),
    metadata: t.field({ type: 'JSON', validate: jsonObject, description: 'A JSON object; defaults to {}.' }),
    createdAt: t.field({ type: 'DateTime', description: 'Defaults to the time of the write.' }),
    finishedAt: t.field({ type: 'DateTime' }),
    usage: t.field({ type: UsageInput }),
  }),
});

export function toMessageDraft(input: typeof MessageInput.$inferInput): MessageDraft {
  return {
    ...input,
    metadata: input.metadata as JsonObject | null | undefined,
    content: input.content.map(toContentBlockDraft),
    createdAt: input.createdAt?.toISOString(),
    finishedAt: input.finishedAt?.toISOString(),
  };
}

export const MessageConnection = builder.connectionObject(
  {
    type: MessageRef,
    name: 'SessionMessageConnection',
    description: "A page of a session's message history.",
    fields: (t) => ({
      totalCount: t.int({ description: 'All messages of the history.', resolve: (page) => page.totalCount() }),
    }),
  },
  { name: 'SessionMessageEdge', description: 'A message of the page and its cursor.' },
);

const cursorArg = {
  refine: [(cursor: string) => historyCursor.decode(cursor) !== null, { message: 'Malformed cursor.' }] as [
    (cursor: string) => boolean,
    { message: string },
  ],
};

/** An edge of a history page; its cursor is encoded only when a client selects it. */
class HistoryEdge {
  constructor(readonly node: HistoryMessage) {}
  get cursor(): string {
    return historyCursor.encode(this.node);
  }
}

/** A Relay page of one session's history, oldest first. */
function historyConnection(page: HistoryPage, window: HistoryWindow, totalCount: () => Promise<number>) {
  const edges = page.messages.map((message) => new HistoryEdge(message));
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

builder.objectField(SessionObject, 'messages', (t) =>
  t.field({
    type: MessageConnection,
    complexity: ({ first, last }) =>
      listCost(pageSize(first ?? last, LIMITS.defaultMessagePage, LIMITS.maxMessagePage)),
    // Nullable: a bad page argument or a failed read is an error on this field, not a null session.
    nullable: true,
    description:
      'The full message history, oldest first: page forward with first/after, backward (newest first pages) with last/before. ' +
      `Without any of them: the newest ${LIMITS.defaultMessagePage} (a default of one direction cannot live in the SDL, as both directions take one).`,
    args: {
      first: t.arg.int({
        validate: MESSAGE_PAGE_SIZE,
        description: `Oldest first from \`after\`; 1 to ${LIMITS.maxMessagePage}.`,
      }),
      after: t.arg.string({ validate: cursorArg }),
      last: t.arg.int({
        validate: MESSAGE_PAGE_SIZE,
        description: `Newest messages before \`before\`; 1 to ${LIMITS.maxMessagePage}.`,
      }),
      before: t.arg.string({ validate: cursorArg }),
    },
    validate: [
      (args: HistoryArgs) => isOneDirection(args),
      { message: 'Page forward with first/after or backward with last/before, not both.' },
    ],
    resolve: async (session, args, context) => {
      const window = toHistoryWindow(args);
      const page = await context.loaders.history.load({ id: session.id, window });
      return historyConnection(page, window, () => context.loaders.historyLength.load(session.id));
    },
  }),
);
