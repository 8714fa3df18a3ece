import { InvalidInputError, type InputIssue } from './errors.js';
import { newId } from './ids.js';
import { LIMITS } from './limits.js';
import type {
  AgentStateValue,
  ContentBlock,
  DataBlock,
  JsonObject,
  Message,
  MessageRole,
  PermissionMode,
  PermissionRule,
  ReadCacheEntry,
  Task,
  TaskState,
  TextBlock,
  TextOrBlocks,
  ToolCallState,
  ToolResultState,
  Usage,
  WorkingDirectory,
} from './model.js';

/*
 * What a client may send for a state, a message or a block: the model with every defaulted field
 * optional (null counts as absent). `build*` fills in the upstream defaults.
 */
type Maybe<T> = T | null | undefined;

export type PermissionRuleDraft = Omit<PermissionRule, 'ruleContent'> & { ruleContent?: Maybe<string> };

export type TextBlockDraft = { type: 'text'; id?: Maybe<string>; text: string };
export type DataBlockDraft = Omit<DataBlock, 'id' | 'name'> & { id?: Maybe<string>; name?: Maybe<string> };
export type TextOrBlocksDraft = string | Array<TextBlockDraft | DataBlockDraft>;
export type ContentBlockDraft =
  | TextBlockDraft
  | DataBlockDraft
  | { type: 'thinking'; id?: Maybe<string>; thinking: string; extra?: Maybe<JsonObject> }
  | { type: 'hint'; id?: Maybe<string>; hint: string }
  | {
      type: 'tool_call';
      id: string;
      name: string;
      input: string;
      state?: Maybe<ToolCallState>;
      suggestedRules?: Maybe<PermissionRuleDraft[]>;
      extra?: Maybe<JsonObject>;
    }
  | { type: 'tool_result'; id: string; name: string; output: TextOrBlocksDraft; state?: Maybe<ToolResultState> };

export interface MessageDraft {
  id?: Maybe<string>;
  name: string;
  role: MessageRole;
  content: ContentBlockDraft[];
  metadata?: Maybe<JsonObject>;
  createdAt?: Maybe<string>;
  finishedAt?: Maybe<string>;
  usage?: Maybe<Usage>;
}

export interface TaskDraft {
  id?: Maybe<string>;
  subject: string;
  description: string;
  metadata?: Maybe<JsonObject>;
  createdAt?: Maybe<string>;
  state?: Maybe<TaskState>;
  owner?: Maybe<string>;
  blocks?: Maybe<string[]>;
  blockedBy?: Maybe<string[]>;
}

export interface AgentStateDraft {
  summary?: Maybe<TextOrBlocksDraft>;
  context?: Maybe<MessageDraft[]>;
  replyId?: Maybe<string>;
  curIter?: Maybe<number>;
  permissionContext?: Maybe<{
    mode?: Maybe<PermissionMode>;
    workingDirectories?: Maybe<WorkingDirectory[]>;
    allowRules?: Maybe<PermissionRuleDraft[]>;
    denyRules?: Maybe<PermissionRuleDraft[]>;
    askRules?: Maybe<PermissionRuleDraft[]>;
  }>;
  toolContext?: Maybe<{
    maxCacheFiles?: Maybe<number>;
    maxCacheBytes?: Maybe<number>;
    readFileCache?: Maybe<ReadCacheEntry[]>;
    activatedGroups?: Maybe<string[]>;
  }>;
  tasksContext?: Maybe<{ tasks?: Maybe<TaskDraft[]> }>;
}

/** The upstream defaults of a fresh agent state. */
const STATE_DEFAULTS = {
  summary: '',
  curIter: 0,
  permissionMode: 'default',
  maxCacheFiles: 100,
  maxCacheBytes: 25_000,
} as const satisfies Partial<AgentStateValue>;

/** Completes a state draft with upstream defaults and checks the rules that span its parts. */
export function buildAgentState(draft: AgentStateDraft = {}, now = new Date()): AgentStateValue {
  const createdAt = now.toISOString();
  const permission = draft.permissionContext ?? {};
  const tool = draft.toolContext ?? {};
  const state: AgentStateValue = {
    summary: buildTextOrBlocks(draft.summary ?? STATE_DEFAULTS.summary),
    context: (draft.context ?? []).map((message) => buildMessage(message, createdAt)),
    replyId: draft.replyId ?? newId(),
    curIter: draft.curIter ?? STATE_DEFAULTS.curIter,
    permissionMode: permission.mode ?? STATE_DEFAULTS.permissionMode,
    workingDirectories: permission.workingDirectories ?? [],
    allowRules: buildRules(permission.allowRules),
    denyRules: buildRules(permission.denyRules),
    askRules: buildRules(permission.askRules),
    maxCacheFiles: tool.maxCacheFiles ?? STATE_DEFAULTS.maxCacheFiles,
    maxCacheBytes: tool.maxCacheBytes ?? STATE_DEFAULTS.maxCacheBytes,
    readFileCache: tool.readFileCache ?? [],
    activatedGroups: tool.activatedGroups ?? [],
    tasks: (draft.tasksContext?.tasks ?? []).map((task) => buildTask(task, createdAt)),
  };
  if (state.context.length > LIMITS.contextMessages) {
    throw new InvalidInputError([
      { path: ['context'], message: `Must have at most ${LIMITS.contextMessages} entries.` },
    ]);
  }
  assertUniqueMessageIds(state.context, ['context']);
  assertTaskGraph(state.tasks, ['tasksContext', 'tasks']);
  return { ...state, tasks: withMirroredLinks(state.tasks) };
}

/**
 * A task list whose links hold in both directions: a link named on either side (A.blocks ∋ B or
 * B.blockedBy ∋ A) is written on both, once each, as the task mutations keep it.
 */
function withMirroredLinks(tasks: Task[]): Task[] {
  const blocks = new Map(tasks.map((task) => [task.id, new Set(task.blocks)]));
  const blockedBy = new Map(tasks.map((task) => [task.id, new Set(task.blockedBy)]));
  for (const task of tasks) {
    for (const blocked of task.blocks) blockedBy.get(blocked)!.add(task.id);
    for (const blocker of task.blockedBy) blocks.get(blocker)!.add(task.id);
  }
  return tasks.map((task) => ({ ...task, blocks: [...blocks.get(task.id)!], blockedBy: [...blockedBy.get(task.id)!] }));
}

export function buildMessage(draft: MessageDraft, createdAt: string): Message {
  return {
    id: draft.id ?? newId(),
    name: draft.name,
    role: draft.role,
    content: draft.content.map(buildContentBlock),
    metadata: draft.metadata ?? {},
    createdAt: draft.createdAt ?? createdAt,
    finishedAt: draft.finishedAt ?? null,
    usage: draft.usage ?? null,
  };
}

export function buildTask(draft: TaskDraft, createdAt: string): Task {
  return {
    id: draft.id ?? newId(),
    subject: draft.subject,
    description: draft.description,
    metadata: draft.metadata ?? {},
    createdAt: draft.createdAt ?? createdAt,
    state: draft.state ?? 'pending',
    owner: draft.owner ?? null,
    blocks: draft.blocks ?? [],
    blockedBy: draft.blockedBy ?? [],
  };
}

function buildContentBlock(draft: ContentBlockDraft): ContentBlock {
  switch (draft.type) {
    case 'text':
    case 'data':
      return buildTextOrDataBlock(draft);
    case 'thinking':
      return { type: 'thinking', id: draft.id ?? newId(), thinking: draft.thinking, extra: draft.extra ?? null };
    case 'hint':
      return { type: 'hint', id: draft.id ?? newId(), hint: draft.hint };
    case 'tool_call':
      return {
        type: 'tool_call',
        id: draft.id,
        name: draft.name,
        input: draft.input,
        state: draft.state ?? 'pending',
        suggestedRules: buildRules(draft.suggestedRules),
        extra: draft.extra ?? null,
      };
    case 'tool_result':
      return {
        type: 'tool_result',
        id: draft.id,
        name: draft.name,
        output: buildTextOrBlocks(draft.output),
        state: draft.state ?? 'running',
      };
  }
}

export function buildRules(drafts: Maybe<PermissionRuleDraft[]>): PermissionRule[] {
  return (drafts ?? []).map((rule) => ({ ...rule, ruleContent: rule.ruleContent ?? null }));
}

function buildTextOrDataBlock(draft: TextBlockDraft | DataBlockDraft): TextBlock | DataBlock {
  return draft.type === 'text'
    ? { type: 'text', id: draft.id ?? newId(), text: draft.text }
    : { type: 'data', id: draft.id ?? newId(), source: draft.source, name: draft.name ?? null };
}

export function buildTextOrBlocks(draft: TextOrBlocksDraft): TextOrBlocks {
  return typeof draft === 'string' ? draft : draft.map(buildTextOrDataBlock);
}

/** Message ids are unique within a session's history, so within any list of its messages. */
export function assertUniqueMessageIds(messages: Array<{ id: string }>, path: Array<string | number>): void {
  const seen = new Set<string>();
  const issues: InputIssue[] = [];
  messages.forEach((message, index) => {
    if (seen.has(message.id))
      issues.push({ path: [...path, index, 'id'], message: `Duplicate message id '${message.id}'.` });
    seen.add(message.id);
  });
  if (issues.length > 0) throw new InvalidInputError(issues);
}

/** Task ids are unique within a session, and `blocks`/`blockedBy` name tasks of the same session. */
function assertTaskGraph(tasks: Task[], path: Array<string | number>): void {
  const issues: InputIssue[] = [];
  const ids = new Set<string>();
  tasks.forEach((task, index) => {
    if (ids.has(task.id)) issues.push({ path: [...path, index, 'id'], message: `Duplicate task id '${task.id}'.` });
    ids.add(task.id);
  });
  tasks.forEach((task, index) => issues.push(...taskLinkIssues(ids, task, [...path, index])));
  if (issues.length > 0) throw new InvalidInputError(issues);
}

/** What is wrong with one task's links, given the ids of its session's tasks. */
export function taskLinkIssues(
  ids: ReadonlySet<string>,
  task: Pick<Task, 'id' | 'blocks' | 'blockedBy'>,
  path: Array<string | number>,
): InputIssue[] {
  const issues: InputIssue[] = [];
  for (const field of ['blocks', 'blockedBy'] as const) {
    for (const linked of task[field]) {
      if (linked === task.id) issues.push({ path: [...path, field], message: 'A task cannot block itself.' });
      else if (!ids.has(linked))
        issues.push({ path: [...path, field], message: `No task '${linked}' in this session.` });
    }
  }
  return issues;
}
