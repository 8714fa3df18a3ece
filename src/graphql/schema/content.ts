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

/*
 * Output types: one object type per block kind, all implementing SessionContentBlock, and the
 * unions of the places that admit only some kinds. Fields of different types have different names
 * across kinds (callState/resultState, fileName), so one selection can ask every kind at once.
 */

const Base64SourceRef = builder.objectRef<Extract<DataSource, { type: 'base64' }>>('SessionBase64Source').implement({
  description: 'Data carried inline, base64-encoded.',
  fields: (t) => ({ data: t.exposeString('data'), mediaType: t.exposeString('mediaType') }),
});
const UrlSourceRef = builder.objectRef<Extract<DataSource, { type: 'url' }>>('SessionUrlSource').implement({
  description: 'Data found at a URL.',
  fields: (t) => ({ url: t.exposeString('url'), mediaType: t.exposeString('mediaType') }),
});
const DataSourceUnion = builder.unionType('SessionDataSource', {
  description: 'Where the data of a data block is.',
  types: [Base64SourceRef, UrlSourceRef],
  resolveType: (source) => (source.type === 'base64' ? Base64SourceRef : UrlSourceRef),
});

/** What every block kind has: select it once on the interface. */
export const ContentBlockInterface = builder.interfaceRef<ContentBlock>('SessionContentBlock').implement({
  description: 'A block of message content; each kind is its own type.',
  fields: (t) => ({ id: t.exposeID('id') }),
  resolveType: (block) => blockTypeNames[block.type],
});

const blockTypeNames = {
  text: 'SessionTextBlock',
  thinking: 'SessionThinkingBlock',
  hint: 'SessionHintBlock',
  tool_call: 'SessionToolCallBlock',
  tool_result: 'SessionToolResultBlock',
  data: 'SessionDataBlock',
} as const satisfies Record<ContentBlock['type'], string>;

const TextBlockRef = builder.objectRef<TextBlock>(blockTypeNames.text).implement({
  description: 'Text the message says.',
  interfaces: [ContentBlockInterface],
  fields: (t) => ({ text: t.exposeString('text') }),
});
builder.objectRef<ThinkingBlock>(blockTypeNames.thinking).implement({
  description: "The model's reasoning.",
  interfaces: [ContentBlockInterface],
  fields: (t) => ({
    thinking: t.exposeString('thinking'),
    extra: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Provider-specific fields, e.g. a signature.',
      resolve: (block) => block.extra,
    }),
  }),
});
builder.objectRef<HintBlock>(blockTypeNames.hint).implement({
  description: 'A hint to the model.',
  interfaces: [ContentBlockInterface],
  fields: (t) => ({ hint: t.exposeString('hint') }),
});
builder.objectRef<ToolCallBlock>(blockTypeNames.tool_call).implement({
  description: 'A tool the model asks to call.',
  interfaces: [ContentBlockInterface],
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The tool.' }),
    input: t.exposeString('input', { description: 'The raw JSON string of the arguments.' }),
    callState: t.field({ type: ToolCallStateEnum, resolve: (block) => block.state }),
    suggestedRules: t.field({ type: [PermissionRuleRef], resolve: (block) => block.suggestedRules }),
    extra: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Provider-specific fields, e.g. a call id.',
      resolve: (block) => block.extra,
    }),
  }),
});
const DataBlockRef = builder.objectRef<DataBlock>(blockTypeNames.data).implement({
  description: 'Data (an image, a file) inline or by URL.',
  interfaces: [ContentBlockInterface],
  fields: (t) => ({
    source: t.field({ type: DataSourceUnion, resolve: (block) => block.source }),
    fileName: t.exposeString('name', { nullable: true, description: 'The name of the data, e.g. a file name.' }),
  }),
});

const TextOrDataBlockUnion = builder.unionType('SessionTextOrDataBlock', {
  description: 'A text or data block: what a summary or a tool output may hold.',
  types: [TextBlockRef, DataBlockRef],
  resolveType: (block) => (block.type === 'text' ? TextBlockRef : DataBlockRef),
});

const PlainTextRef = builder.objectRef<{ text: string }>('SessionPlainText').implement({
  description: 'A plain string.',
  fields: (t) => ({ text: t.exposeString('text') }),
});
const BlockListRef = builder.objectRef<{ blocks: Array<TextBlock | DataBlock> }>('SessionBlockList').implement({
  description: 'A list of text and data blocks.',
  fields: (t) => ({ blocks: t.field({ type: [TextOrDataBlockUnion], resolve: (list) => list.blocks }) }),
});

type TextOrBlocksShape = { text: string } | { blocks: Array<TextBlock | DataBlock> };

/** A summary or tool output: a plain string or a list of text/data blocks, kept in the form given. */
export const TextOrBlocksUnion = builder.unionType('SessionTextOrBlocks', {
  description: 'A plain string or a list of text/data blocks, in the form it was written.',
  types: [PlainTextRef, BlockListRef],
  resolveType: (value: TextOrBlocksShape) => ('text' in value ? PlainTextRef : BlockListRef),
});

export function textOrBlocksShape(value: TextOrBlocks): TextOrBlocksShape {
  return typeof value === 'string' ? { text: value } : { blocks: value };
}

builder.objectRef<ToolResultBlock>(blockTypeNames.tool_result).implement({
  description: 'What a tool call returned.',
  interfaces: [ContentBlockInterface],
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The tool.' }),
    output: t.field({ type: TextOrBlocksUnion, resolve: (block) => textOrBlocksShape(block.output) }),
    resultState: t.field({ type: ToolResultStateEnum, resolve: (block) => block.state }),
  }),
});

/* Inputs: GraphQL has no input unions, so each choice is a @oneOf input with one field per kind. */

const optionalId = () => ({ validate: idString(), description: 'Generated when absent.' });

const TextBlockInput = builder.inputType('SessionTextBlockInput', {
  description: 'A text block.',
  fields: (t) => ({ id: t.id(optionalId()), text: t.string({ required: true, validate: freeText() }) }),
});
const ThinkingBlockInput = builder.inputType('SessionThinkingBlockInput', {
  description: "The model's reasoning.",
  fields: (t) => ({
    id: t.id(optionalId()),
    thinking: t.string({ required: true, validate: freeText() }),
    extra: t.field({ type: 'JSON', validate: jsonObject, description: 'Provider-specific fields, kept verbatim.' }),
  }),
});
const HintBlockInput = builder.inputType('SessionHintBlockInput', {
  description: 'A hint to the model.',
  fields: (t) => ({ id: t.id(optionalId()), hint: t.string({ required: true, validate: freeText() }) }),
});
const ToolCallBlockInput = builder.inputType('SessionToolCallBlockInput', {
  description: 'A tool the model asks to call.',
  fields: (t) => ({
    id: t.id({ required: true, validate: idString() }),
    name: t.string({ required: true, validate: labelString() }),
    input: t.string({ required: true, validate: freeText(), description: 'The raw JSON string of the arguments.' }),
    callState: t.field({ type: ToolCallStateEnum, defaultValue: 'pending' }),
    suggestedRules: t.field({ type: [PermissionRuleInput], validate: boundedList(LIMITS.rulesPerList) }),
    extra: t.field({ type: 'JSON', validate: jsonObject, description: 'Provider-specific fields, kept verbatim.' }),
  }),
});
const Base64SourceInput = builder.inputType('SessionBase64SourceInput', {
  description: 'Data carried inline, base64-encoded.',
  fields: (t) => ({
    data: t.string({ required: true, validate: boundedString(LIMITS.dataLength) }),
    mediaType: t.string({ required: true, validate: labelString() }),
  }),
});
const UrlSourceInput = builder.inputType('SessionUrlSourceInput', {
  description: 'Data found at a URL.',
  fields: (t) => ({
    url: t.string({ required: true, validate: { ...labelString(), url: [true, { message: 'Must be a URL.' }] } }),
    mediaType: t.string({ required: true, validate: labelString() }),
  }),
});
const DataSourceInput = builder.inputType('SessionDataSourceInput', {
  description: 'Where the data is: set exactly one.',
  isOneOf: true,
  fields: (t) => ({ base64: t.field({ type: Base64SourceInput }), url: t.field({ type: UrlSourceInput }) }),
});
const DataBlockInput = builder.inputType('SessionDataBlockInput', {
  description: 'Data (an image, a file) inline or by URL.',
  fields: (t) => ({
    id: t.id(optionalId()),
    source: t.field({ type: DataSourceInput, required: true }),
    fileName: t.string({ validate: labelString(), description: 'The name of the data, e.g. a file name.' }),
  }),
});
const TextOrDataBlockInput = builder.inputType('SessionTextOrDataBlockInput', {
  description: 'A text or a data block: set exactly one.',
  isOneOf: true,
  fields: (t) => ({ text: t.field({ type: TextBlockInput }), data: t.field({ type: DataBlockInput }) }),
});
export const TextOrBlocksInput = builder.inputType('SessionTextOrBlocksInput', {
  isOneOf: true,
  description: 'Either a plain string or a list of text/data blocks.',
  fields: (t) => ({
    text: t.string({ validate: freeText() }),
    blocks: t.field({ type: [TextOrDataBlockInput], validate: boundedList(LIMITS.contentBlocksPerMessage) }),
  }),
});
const ToolResultBlockInput = builder.inputType('SessionToolResultBlockInput', {
  description: 'What a tool call returned.',
  fields: (t) => ({
    id: t.id({ required: true, validate: idString() }),
    name: t.string({ required: true, validate: labelString() }),
    output: t.field({ type: TextOrBlocksInput, required: true }),
    resultState: t.field({ type: ToolResultStateEnum, defaultValue: 'running' }),
  }),
});

export const ContentBlockInput = builder.inputType('SessionContentBlockInput', {
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
  return { type: 'data', id: input.id, source, name: input.fileName };
}

function toTextOrDataBlockDraft(input: InputOf<typeof TextOrDataBlockInput>): TextBlockDraft | DataBlockDraft {
  return input.text ? { type: 'text', ...input.text } : toDataBlockDraft(input.data!);
}

export function toTextOrBlocksDraft(input: InputOf<typeof TextOrBlocksInput>): TextOrBlocksDraft {
  return input.blocks ? input.blocks.map(toTextOrDataBlockDraft) : input.text!;
}

export function toContentBlockDraft(input: InputOf<typeof ContentBlockInput>): ContentBlockDraft {
  if (input.text) return { type: 'text', ...input.text };
  if (input.thinking)
    return { type: 'thinking', ...input.thinking, extra: input.thinking.extra as JsonObject | null | undefined };
  if (input.hint) return { type: 'hint', ...input.hint };
  if (input.toolCall) {
    const { callState, ...call } = input.toolCall;
    return { type: 'tool_call', ...call, state: callState, extra: call.extra as JsonObject | null | undefined };
  }
  if (input.toolResult) {
    const { resultState, ...result } = input.toolResult;
    return { type: 'tool_result', ...result, state: resultState, output: toTextOrBlocksDraft(result.output) };
  }
  return toDataBlockDraft(input.data!);
}
