import type { ContentBlockDraft, DataBlockDraft, TextBlockDraft, TextOrBlocksDraft } from '../../sessions/drafts.js';
import { LIMITS } from '../../sessions/limits.js';
import type {
  ContentBlock,
  DataBlock,
  DataSource,
  HintBlock,
  JsonObject,
  TextBlock,
  TextOrBlocks,
  ThinkingBlock,
  ToolCallBlock,
  ToolResultBlock,
} from '../../sessions/model.js';
import { builder } from '../builder.js';
import { boundedList, boundedString, freeText, idString, jsonObject, labelString } from '../validation.js';
import { ToolCallStateEnum, ToolResultStateEnum } from './enums.js';
import { PermissionRuleInput, PermissionRuleRef } from './permission.js';

/* Output types: one object type per block kind, joined in unions. */

const Base64SourceRef = builder.objectRef<Extract<DataSource, { type: 'base64' }>>('Base64Source').implement({
  fields: (t) => ({ data: t.exposeString('data'), mediaType: t.exposeString('mediaType') }),
});
const UrlSourceRef = builder.objectRef<Extract<DataSource, { type: 'url' }>>('UrlSource').implement({
  fields: (t) => ({ url: t.exposeString('url'), mediaType: t.exposeString('mediaType') }),
});
const DataSourceUnion = builder.unionType('DataSource', {
  types: [Base64SourceRef, UrlSourceRef],
  resolveType: (source) => (source.type === 'base64' ? Base64SourceRef : UrlSourceRef),
});

const TextBlockRef = builder.objectRef<TextBlock>('TextBlock').implement({
  fields: (t) => ({ id: t.exposeID('id'), text: t.exposeString('text') }),
});
const ThinkingBlockRef = builder.objectRef<ThinkingBlock>('ThinkingBlock').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    thinking: t.exposeString('thinking'),
    extra: t.field({ type: 'JSON', nullable: true, description: 'Provider-specific fields, e.g. a signature.', resolve: (block) => block.extra }),
  }),
});
const HintBlockRef = builder.objectRef<HintBlock>('HintBlock').implement({
  fields: (t) => ({ id: t.exposeID('id'), hint: t.exposeString('hint') }),
});
const ToolCallBlockRef = builder.objectRef<ToolCallBlock>('ToolCallBlock').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    input: t.exposeString('input', { description: 'The raw JSON string of the arguments.' }),
    state: t.field({ type: ToolCallStateEnum, resolve: (block) => block.state }),
    suggestedRules: t.field({ type: [PermissionRuleRef], resolve: (block) => block.suggestedRules }),
    extra: t.field({ type: 'JSON', nullable: true, description: 'Provider-specific fields, e.g. a call id.', resolve: (block) => block.extra }),
  }),
});
const DataBlockRef = builder.objectRef<DataBlock>('DataBlock').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    source: t.field({ type: DataSourceUnion, resolve: (block) => block.source }),
    name: t.exposeString('name', { nullable: true }),
  }),
});

const TextOrDataBlockUnion = builder.unionType('TextOrDataBlock', {
  types: [TextBlockRef, DataBlockRef],
  resolveType: (block) => (block.type === 'text' ? TextBlockRef : DataBlockRef),
});

const PlainTextRef = builder.objectRef<{ text: string }>('PlainText').implement({
  fields: (t) => ({ text: t.exposeString('text') }),
});
const BlockListRef = builder.objectRef<{ blocks: Array<TextBlock | DataBlock> }>('BlockList').implement({
  fields: (t) => ({ blocks: t.field({ type: [TextOrDataBlockUnion], resolve: (list) => list.blocks }) }),
});

type TextOrBlocksShape = { text: string } | { blocks: Array<TextBlock | DataBlock> };

/** A summary or tool output: a plain string or a list of text/data blocks, kept in the form given. */
export const TextOrBlocksUnion = builder.unionType('TextOrBlocks', {
  types: [PlainTextRef, BlockListRef],
  resolveType: (value: TextOrBlocksShape) => ('text' in value ? PlainTextRef : BlockListRef),
});

export function textOrBlocksShape(value: TextOrBlocks): TextOrBlocksShape {
  return typeof value === 'string' ? { text: value } : { blocks: value };
}

const ToolResultBlockRef = builder.objectRef<ToolResultBlock>('ToolResultBlock').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    output: t.field({ type: TextOrBlocksUnion, resolve: (block) => textOrBlocksShape(block.output) }),
    state: t.field({ type: ToolResultStateEnum, resolve: (block) => block.state }),
  }),
});

const blockRefs = {
  text: TextBlockRef,
  thinking: ThinkingBlockRef,
  hint: HintBlockRef,
  tool_call: ToolCallBlockRef,
  tool_result: ToolResultBlockRef,
  data: DataBlockRef,
} as const;

export const ContentBlockUnion = builder.unionType('ContentBlock', {
  types: Object.values(blockRefs),
  resolveType: (block: ContentBlock) => blockRefs[block.type],
});

/* Inputs: GraphQL has no input unions, so each choice is a @oneOf input with one field per kind. */

const optionalId = () => ({ validate: idString(), description: 'Generated when absent.' });

const TextBlockInput = builder.inputType('TextBlockInput', {
  fields: (t) => ({ id: t.id(optionalId()), text: t.string({ required: true, validate: freeText() }) }),
});
const ThinkingBlockInput = builder.inputType('ThinkingBlockInput', {
  fields: (t) => ({
    id: t.id(optionalId()),
    thinking: t.string({ required: true, validate: freeText() }),
    extra: t.field({ type: 'JSON', validate: jsonObject, description: 'Provider-specific fields, kept verbatim.' }),
  }),
});
const HintBlockInput = builder.inputType('HintBlockInput', {
  fields: (t) => ({ id: t.id(optionalId()), hint: t.string({ required: true, validate: freeText() }) }),
});
const ToolCallBlockInput = builder.inputType('ToolCallBlockInput', {
  fields: (t) => ({
    id: t.id({ required: true, validate: idString() }),
    name: t.string({ required: true, validate: labelString() }),
    input: t.string({ required: true, validate: freeText(), description: 'The raw JSON string of the arguments.' }),
    state: t.field({ type: ToolCallStateEnum, description: 'Defaults to PENDING.' }),
    suggestedRules: t.field({ type: [PermissionRuleInput], validate: boundedList(LIMITS.rulesPerList) }),
    extra: t.field({ type: 'JSON', validate: jsonObject, description: 'Provider-specific fields, kept verbatim.' }),
  }),
});
const Base64SourceInput = builder.inputType('Base64SourceInput', {
  fields: (t) => ({
    data: t.string({ required: true, validate: boundedString(LIMITS.dataLength) }),
    mediaType: t.string({ required: true, validate: labelString() }),
  }),
});
const UrlSourceInput = builder.inputType('UrlSourceInput', {
  fields: (t) => ({
    url: t.string({ required: true, validate: { ...labelString(), url: [true, { message: 'Must be a URL.' }] } }),
    mediaType: t.string({ required: true, validate: labelString() }),
  }),
});
const DataSourceInput = builder.inputType('DataSourceInput', {
  isOneOf: true,
  fields: (t) => ({ base64: t.field({ type: Base64SourceInput }), url: t.field({ type: UrlSourceInput }) }),
});
const DataBlockInput = builder.inputType('DataBlockInput', {
  fields: (t) => ({
    id: t.id(optionalId()),
    source: t.field({ type: DataSourceInput, required: true }),
    name: t.string({ validate: labelString() }),
  }),
});
const TextOrDataBlockInput = builder.inputType('TextOrDataBlockInput', {
  isOneOf: true,
  fields: (t) => ({ text: t.field({ type: TextBlockInput }), data: t.field({ type: DataBlockInput }) }),
});
export const TextOrBlocksInput = builder.inputType('TextOrBlocksInput', {
  isOneOf: true,
  description: 'Either a plain string or a list of text/data blocks.',
  fields: (t) => ({
    text: t.string({ validate: freeText() }),
    blocks: t.field({ type: [TextOrDataBlockInput], validate: boundedList(LIMITS.contentBlocksPerMessage) }),
  }),
});
const ToolResultBlockInput = builder.inputType('ToolResultBlockInput', {
  fields: (t) => ({
    id: t.id({ required: true, validate: idString() }),
    name: t.string({ required: true, validate: labelString() }),
    output: t.field({ type: TextOrBlocksInput, required: true }),
    state: t.field({ type: ToolResultStateEnum, description: 'Defaults to RUNNING.' }),
  }),
});

export const ContentBlockInput = builder.inputType('ContentBlockInput', {
  isOneOf: true,
  description: 'One content block: set exactly one field, named after the block kind.',
  fields: (t) => ({
    text: t.field({ type: TextBlockInput }),
    thinking: t.field({ type: ThinkingBlockInput }),
    hint: t.field({ type: HintBlockInput }),
    toolCall: t.field({ type: ToolCallBlockInput }),
    toolResult: t.field({ type: ToolResultBlockInput }),
    data: t.field({ type: DataBlockInput }),
  }),
});

/* Input → domain drafts. @oneOf guarantees exactly one field is set. */

type InputOf<Ref> = Ref extends { $inferInput: infer Shape } ? Shape : never;

function toDataBlockDraft(input: InputOf<typeof DataBlockInput>): DataBlockDraft {
  const { base64, url } = input.source;
  const source: DataSource = base64 ? { type: 'base64', ...base64 } : { type: 'url', ...url! };
  return { type: 'data', id: input.id, source, name: input.name };
}

function toTextOrDataBlockDraft(input: InputOf<typeof TextOrDataBlockInput>): TextBlockDraft | DataBlockDraft {
  return input.text ? { type: 'text', ...input.text } : toDataBlockDraft(input.data!);
}

export function toTextOrBlocksDraft(input: InputOf<typeof TextOrBlocksInput>): TextOrBlocksDraft {
  return input.blocks ? input.blocks.map(toTextOrDataBlockDraft) : input.text!;
}

export function toContentBlockDraft(input: InputOf<typeof ContentBlockInput>): ContentBlockDraft {
  if (input.text) return { type: 'text', ...input.text };
  if (input.thinking) return { type: 'thinking', ...input.thinking, extra: input.thinking.extra as JsonObject | null | undefined };
  if (input.hint) return { type: 'hint', ...input.hint };
  if (input.toolCall) return { type: 'tool_call', ...input.toolCall, extra: input.toolCall.extra as JsonObject | null | undefined };
  if (input.toolResult) return { type: 'tool_result', ...input.toolResult, output: toTextOrBlocksDraft(input.toolResult.output) };
  return toDataBlockDraft(input.data!);
}
