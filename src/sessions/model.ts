/**
 * The session model as the domain sees it: the contract's records in camelCase, independent of
 * GraphQL, HTTP and the storage layout.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export const SESSION_SOURCES = ['user', 'schedule'] as const;
export const PERMISSION_MODES = ['default', 'accept_edits', 'explore', 'bypass', 'dont_ask'] as const;
export const PERMISSION_BEHAVIORS = ['allow', 'deny', 'ask', 'passthrough'] as const;
export const MESSAGE_ROLES = ['user', 'assistant', 'system'] as const;
export const TASK_STATES = ['pending', 'in_progress', 'completed'] as const;
export const TOOL_CALL_STATES = ['pending', 'asking', 'allowed', 'submitted', 'finished'] as const;
export const TOOL_RESULT_STATES = ['success', 'error', 'interrupted', 'denied', 'running'] as const;

export type SessionSource = (typeof SESSION_SOURCES)[number];
export type PermissionMode = (typeof PERMISSION_MODES)[number];
export type PermissionBehavior = (typeof PERMISSION_BEHAVIORS)[number];
export type MessageRole = (typeof MESSAGE_ROLES)[number];
export type TaskState = (typeof TASK_STATES)[number];
export type ToolCallState = (typeof TOOL_CALL_STATES)[number];
export type ToolResultState = (typeof TOOL_RESULT_STATES)[number];

/** Who is asking. Every read and write is scoped to it. */
export interface Caller {
  userId: string;
  /**
   * The header that established the caller, as it was sent: forwarded to the services that own
   * what a session points at (agents, credentials) when they are asked whether it is the caller's.
   */
  credential?: Readonly<Record<string, string>>;
}

/** A session is addressed by its id and its agent, never by id alone. */
export interface SessionRef {
  id: string;
  agentId: string;
}

export interface ChatModelConfig {
  type: string;
  credentialId: string;
  model: string;
  parameters: JsonObject;
}

export interface SessionRecord {
  id: string;
  userId: string;
  agentId: string;
  workspaceId: string;
  name: string | null;
  chatModelConfig: ChatModelConfig | null;
  source: SessionSource;
  sourceScheduleId: string | null;
  version: number;
  /** Whether the agent runtime is working on the session (it sets and clears this). */
  isRunning: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface PermissionRule {
  toolName: string;
  ruleContent: string | null;
  behavior: PermissionBehavior;
  source: string;
}

export interface WorkingDirectory {
  path: string;
  source: string;
}

export interface ReadCacheEntry {
  filePath: string;
  lines: string[];
  updatedAt: number;
  bytes: number;
}

export type DataSource =
  | { type: 'base64'; data: string; mediaType: string }
  | { type: 'url'; url: string; mediaType: string };

export interface TextBlock {
  type: 'text';
  id: string;
  text: string;
}
export interface ThinkingBlock {
  type: 'thinking';
  id: string;
  thinking: string;
  /** Provider-specific fields (e.g. a signature), kept verbatim. */
  extra: JsonObject | null;
}
export interface HintBlock {
  type: 'hint';
  id: string;
  hint: string;
}
export interface ToolCallBlock {
  type: 'tool_call';
  id: string;
  name: string;
  /** The raw JSON string of the call's arguments, possibly partial while streaming. */
  input: string;
  state: ToolCallState;
  suggestedRules: PermissionRule[];
  extra: JsonObject | null;
}
export interface ToolResultBlock {
  type: 'tool_result';
  id: string;
  name: string;
  output: TextOrBlocks;
  state: ToolResultState;
}
export interface DataBlock {
  type: 'data';
  id: string;
  source: DataSource;
  name: string | null;
}

export type ContentBlock = TextBlock | ThinkingBlock | HintBlock | ToolCallBlock | ToolResultBlock | DataBlock;
/** The summary and a tool's output are either a plain string or a list of text/data blocks. */
export type TextOrBlocks = string | Array<TextBlock | DataBlock>;

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface Message {
  id: string;
  name: string;
  role: MessageRole;
  content: ContentBlock[];
  metadata: JsonObject;
  createdAt: string;
  finishedAt: string | null;
  usage: Usage | null;
}

export interface Task {
  id: string;
  subject: string;
  description: string;
  metadata: JsonObject;
  createdAt: string;
  state: TaskState;
  owner: string | null;
  blocks: string[];
  blockedBy: string[];
}

/** The agent state without its two row-stored lists (context messages and tasks). */
export interface AgentStateRecord {
  sessionId: string;
  summary: TextOrBlocks;
  replyId: string;
  curIter: number;
  permissionMode: PermissionMode;
  workingDirectories: WorkingDirectory[];
  allowRules: PermissionRule[];
  denyRules: PermissionRule[];
  askRules: PermissionRule[];
  maxCacheFiles: number;
  maxCacheBytes: number;
  readFileCache: ReadCacheEntry[];
  activatedGroups: string[];
}

/** A whole agent state as written by the runtime. */
export interface AgentStateValue extends Omit<AgentStateRecord, 'sessionId'> {
  context: Message[];
  tasks: Task[];
}
