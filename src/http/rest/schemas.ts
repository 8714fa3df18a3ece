import { z } from 'zod';
import { LIMITS } from '../../sessions/limits.js';
import { idText, jsonObject, labelText } from '../../sessions/rules.js';
import {
  MESSAGE_ROLES,
  PERMISSION_BEHAVIORS,
  PERMISSION_MODES,
  SESSION_SOURCES,
  TASK_STATES,
  TOOL_CALL_STATES,
  TOOL_RESULT_STATES,
} from '../../sessions/model.js';

/*
 * The upstream REST shapes (snake_case) as zod schemas. Requests are validated with them, responses
 * are typed by them, and /openapi.json is generated from them: every schema registered in
 * `components` becomes `#/components/schemas/<id>`.
 */

export const components = z.registry<{ id: string; description?: string }>();

function component<Schema extends z.ZodType>(id: string, schema: Schema, description?: string): Schema {
  components.add(schema, { id, description });
  return schema;
}

/* Requests */

// The string rules the GraphQL inputs validate with too (src/sessions/rules.ts), in the upstream shapes.
const idString = idText;
const labelString = labelText;

export const ChatModelConfigInput = component(
  'ChatModelConfigInput',
  z.strictObject({
    type: labelString(),
    credential_id: idString(),
    model: labelString(),
    parameters: jsonObject().nullable().optional().describe('A JSON object; defaults to {}.'),
  }),
  'A model configuration as a client sends it; `parameters` may be omitted.',
);

export const CreateSessionRequest = component(
  'CreateSessionRequest',
  z.strictObject({
    agent_id: idString().describe('Agent this session belongs to.'),
    workspace_id: idString().nullable().optional().describe('Workspace this session belongs to; a new id when absent.'),
    name: z
      .string()
      .min(1)
      .max(LIMITS.nameLength)
      .nullable()
      .optional()
      .describe('Display name. Defaults to the creation time (UTC).'),
    chat_model_config: ChatModelConfigInput.nullable()
      .optional()
      .describe('Model provider and parameters. Can be set later via PATCH.'),
  }),
  'Request body for creating a new session. Unknown keys are rejected.',
);

export const UpdateSessionRequest = component(
  'UpdateSessionRequest',
  z.strictObject({
    name: z.string().min(1).max(LIMITS.nameLength).nullable().optional().describe('New display name; null clears it.'),
    chat_model_config: ChatModelConfigInput.nullable()
      .optional()
      .describe('New model configuration. Replaces the existing one entirely; null clears it.'),
    permission_mode: z
      .enum(PERMISSION_MODES)
      .nullable()
      .optional()
      .describe('New permission mode; null keeps the current one.'),
  }),
  'A PATCH: omit a field to keep its value. Unknown keys are rejected.',
);

export const CallerHeaders = z.object({
  'x-user-id': z
    .string()
    .describe(
      "Caller's user ID, where this service accepts the header (otherwise send Authorization: Bearer <jwt>). Empty: 401.",
    ),
});

const agentIdQuery = idString().describe('Agent the session belongs to.');

export const SessionPathParams = z.object({ session_id: idString() });
export const SessionQuery = z.object({ agent_id: agentIdQuery });

const DECIMAL_INTEGER = /^[+-]?\d+$/;

/**
 * A query integer as upstream (pydantic) parses one: decimal digits only, so `''`, `1e1` and `0x10`
 * are `int_parsing` errors rather than 0, 10 and 16.
 */
function queryInteger(bounds: z.ZodDefault<z.ZodInt>) {
  return z.preprocess((value, context) => {
    if (typeof value !== 'string') return value;
    if (!DECIMAL_INTEGER.test(value.trim())) {
      context.addIssue({ code: 'custom', message: 'Not an integer.', params: { type: 'int_parsing' }, input: value });
      return z.NEVER;
    }
    // Beyond the safe range every bound here fails anyway: clamping reports that bound, once.
    return Math.min(Number(value), Number.MAX_SAFE_INTEGER);
  }, bounds);
}

/** The paging query parameters of a list: `offset` from 0, `limit` from 1 to `max`. */
function windowParams(max: number, fallback: number, descriptions: { offset: string; limit: string }) {
  return {
    offset: queryInteger(z.int().min(0).max(LIMITS.maxOffset).default(0)).describe(descriptions.offset),
    limit: queryInteger(z.int().min(1).max(max).default(fallback)).describe(descriptions.limit),
  };
}

export const ListSessionsQuery = z.object({
  agent_id: agentIdQuery,
  ...windowParams(LIMITS.maxRestListSize, LIMITS.maxRestListSize, {
    offset: 'Sessions to skip (extension).',
    limit: `At most this many sessions (extension); at most ${LIMITS.maxRestListSize}, which is also the default.`,
  }),
});

export const ListMessagesQuery = z.object({
  agent_id: agentIdQuery,
  ...windowParams(LIMITS.maxMessagePage, LIMITS.defaultMessagePage, {
    offset: 'Pagination offset.',
    limit: 'Max messages.',
  }),
});

/* Responses */

const PermissionRule = component(
  'PermissionRule',
  z.object({
    tool_name: z.string(),
    rule_content: z.string().nullable(),
    behavior: z.enum(PERMISSION_BEHAVIORS),
    source: z.string(),
  }),
);

const TextBlock = component('TextBlock', z.object({ type: z.literal('text'), id: z.string(), text: z.string() }));
const ThinkingBlock = component(
  'ThinkingBlock',
  z.looseObject({ type: z.literal('thinking'), id: z.string(), thinking: z.string() }),
  'Provider-specific fields (e.g. a signature) appear beside the declared ones.',
);
const HintBlock = component('HintBlock', z.object({ type: z.literal('hint'), id: z.string(), hint: z.string() }));
const ToolCallBlock = component(
  'ToolCallBlock',
  z.looseObject({
    type: z.literal('tool_call'),
    id: z.string(),
    name: z.string(),
    input: z.string(),
    state: z.enum(TOOL_CALL_STATES),
    suggested_rules: z.array(PermissionRule),
  }),
  'Provider-specific fields (e.g. a call id) appear beside the declared ones.',
);
const Base64Source = component(
  'Base64Source',
  z.object({ type: z.literal('base64'), data: z.string(), media_type: z.string() }),
);
const URLSource = component('URLSource', z.object({ type: z.literal('url'), url: z.string(), media_type: z.string() }));
const DataBlock = component(
  'DataBlock',
  z.object({
    type: z.literal('data'),
    id: z.string(),
    source: z.union([Base64Source, URLSource]),
    name: z.string().nullable(),
  }),
);
const TextOrBlocks = z.union([z.string(), z.array(z.union([TextBlock, DataBlock]))]);
const ToolResultBlock = component(
  'ToolResultBlock',
  z.object({
    type: z.literal('tool_result'),
    id: z.string(),
    name: z.string(),
    output: TextOrBlocks,
    state: z.enum(TOOL_RESULT_STATES),
  }),
);
const ContentBlock = z.union([TextBlock, ThinkingBlock, HintBlock, ToolCallBlock, ToolResultBlock, DataBlock]);

const Usage = component('Usage', z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() }));

export const Msg = component(
  'Msg',
  z.object({
    id: z.string(),
    name: z.string(),
    role: z.enum(MESSAGE_ROLES),
    content: z.array(ContentBlock),
    metadata: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    finished_at: z.string().nullable(),
    usage: Usage.nullable(),
  }),
);

const AdditionalWorkingDirectory = component(
  'AdditionalWorkingDirectory',
  z.object({ path: z.string(), source: z.string() }),
);
const RulesByTool = z.record(z.string(), z.array(PermissionRule)).describe('Rules keyed by tool name.');
const PermissionContext = component(
  'PermissionContext',
  z.object({
    mode: z.enum(PERMISSION_MODES),
    working_directories: z.record(z.string(), AdditionalWorkingDirectory).describe('Keyed by path.'),
    allow_rules: RulesByTool,
    deny_rules: RulesByTool,
    ask_rules: RulesByTool,
  }),
);
const ReadCacheEntry = component(
  'ReadCacheEntry',
  z.object({ lines: z.array(z.string()), updated_at: z.number(), bytes: z.number(), file_path: z.string() }),
);
const ToolContext = component(
  'ToolContext',
  z.object({
    max_cache_files: z.number().int(),
    max_cache_bytes: z.number(),
    read_file_cache: z.array(ReadCacheEntry),
    activated_groups: z.array(z.string()),
  }),
);
const Task = component(
  'Task',
  z.object({
    id: z.string(),
    subject: z.string(),
    description: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    state: z.enum(TASK_STATES),
    owner: z.string().nullable(),
    blocks: z.array(z.string()),
    blocked_by: z.array(z.string()),
  }),
);
const TaskContext = component('TaskContext', z.object({ tasks: z.array(Task) }));

const AgentState = component(
  'AgentState',
  z.object({
    session_id: z.string(),
    summary: TextOrBlocks.describe('A plain string or a list of text/data blocks, in the form it was written.'),
    context: z.array(Msg),
    reply_id: z.string(),
    cur_iter: z.number().int(),
    permission_context: PermissionContext,
    tool_context: ToolContext,
    tasks_context: TaskContext,
  }),
);

const ChatModelConfig = component(
  'ChatModelConfig',
  z.object({
    type: z.string(),
    credential_id: z.string(),
    model: z.string(),
    parameters: z.record(z.string(), z.unknown()),
  }),
);
const SessionConfig = component(
  'SessionConfig',
  z.object({
    workspace_id: z.string(),
    name: z.string().optional().describe('Display name; absent when it was cleared.'),
    chat_model_config: ChatModelConfig.nullable(),
  }),
);

export const SessionRecord = component(
  'SessionRecord',
  z.object({
    id: z.string(),
    user_id: z.string(),
    agent_id: z.string(),
    config: SessionConfig,
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    source: z.enum(SESSION_SOURCES),
    source_schedule_id: z.string().nullable(),
    state: AgentState,
  }),
  'The session record. Its version is in the ETag header of single-session responses.',
);

export const ListSessionsResponse = component(
  'ListSessionsResponse',
  z.object({
    sessions: z.array(SessionRecord).describe('Newest (most recently created) first.'),
    total: z.number().int().describe('All sessions of the caller for this agent, whatever the window.'),
  }),
);
export const CreateSessionResponse = component('CreateSessionResponse', z.object({ session_id: z.string() }));
export const ListMessagesResponse = component(
  'ListMessagesResponse',
  z.object({
    messages: z.array(Msg).describe('Messages in chronological order.'),
    is_running: z.boolean().describe('Whether the agent runtime is working on the session.'),
  }),
);

export const ValidationError = component(
  'ValidationError',
  z.object({
    type: z.string(),
    loc: z.array(z.union([z.string(), z.number().int()])),
    msg: z.string(),
    input: z.unknown(),
    ctx: z.record(z.string(), z.unknown()).optional(),
  }),
);
export const HTTPValidationError = component('HTTPValidationError', z.object({ detail: z.array(ValidationError) }));
export const ErrorResponse = component('ErrorResponse', z.object({ detail: z.string() }));

export type SessionRecordJson = z.output<typeof SessionRecord>;
export type AgentStateJson = z.output<typeof AgentState>;
export type MsgJson = z.output<typeof Msg>;
export type ValidationErrorJson = z.output<typeof ValidationError>;
