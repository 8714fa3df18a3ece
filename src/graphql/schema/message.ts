import type { MessageDraft } from '../../sessions/drafts.js';
import { LIMITS } from '../../sessions/limits.js';
import type { JsonObject, Message, Usage } from '../../sessions/model.js';
import { builder } from '../builder.js';
import { boundedList, idString, jsonObject, labelString } from '../validation.js';
import { ContentBlockInput, ContentBlockUnion, toContentBlockDraft } from './content.js';
import { MessageRoleEnum } from './enums.js';

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
    name: t.string({ required: true, validate: labelString() }),
    role: t.field({ type: MessageRoleEnum, required: true }),
    content: t.field({ type: [ContentBlockInput], required: true, validate: boundedList(LIMITS.contentBlocksPerMessage) }),
    metadata: t.field({ type: 'JSON', validate: jsonObject, description: 'A JSON object; defaults to {}.' }),
    createdAt: t.string({ validate: labelString(), description: 'Defaults to the time of the write.' }),
    finishedAt: t.string({ validate: labelString() }),
    usage: t.field({ type: UsageInput }),
  }),
});

export function toMessageDraft(input: typeof MessageInput.$inferInput): MessageDraft {
  return { ...input, metadata: input.metadata as JsonObject | null | undefined, content: input.content.map(toContentBlockDraft) };
}
