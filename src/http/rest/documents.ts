import type {
  AgentStateRecord,
  ContentBlock,
  DataBlock,
  Message,
  PermissionRule,
  SessionRecord,
  Task,
  TextBlock,
  TextOrBlocks,
} from '../../sessions/model.js';
import type { AgentStateJson, MsgJson, SessionRecordJson } from './schemas.js';

/*
 * The domain model as upstream serialises it: snake_case, working directories and rules as maps,
 * the summary and tool outputs in their original form, provider fields spread into their block.
 */

export interface SessionParts {
  state: AgentStateRecord;
  context: Message[];
  tasks: Task[];
}

export function sessionDocument(session: SessionRecord, { state, context, tasks }: SessionParts): SessionRecordJson {
  const config = session.chatModelConfig;
  return {
    id: session.id,
    user_id: session.userId,
    agent_id: session.agentId,
    config: {
      workspace_id: session.workspaceId,
      // Upstream's name is a string, never null: a cleared name is left out.
      ...(session.name !== null && { name: session.name }),
      chat_model_config: config && {
        type: config.type,
        credential_id: config.credentialId,
        model: config.model,
        parameters: config.parameters,
      },
    },
    created_at: session.createdAt.toISOString(),
    updated_at: session.updatedAt.toISOString(),
    source: session.source,
    source_schedule_id: session.sourceScheduleId,
    state: agentStateDocument(state, context, tasks),
  };
}

function agentStateDocument(state: AgentStateRecord, context: Message[], tasks: Task[]): AgentStateJson {
  return {
    session_id: state.sessionId,
    summary: textOrBlocksDocument(state.summary),
    context: context.map(messageDocument),
    reply_id: state.replyId,
    cur_iter: state.curIter,
    permission_context: {
      mode: state.permissionMode,
      working_directories: Object.fromEntries(
        state.workingDirectories.map((directory) => [directory.path, { ...directory }]),
      ),
      allow_rules: rulesByTool(state.allowRules),
      deny_rules: rulesByTool(state.denyRules),
      ask_rules: rulesByTool(state.askRules),
    },
    tool_context: {
      max_cache_files: state.maxCacheFiles,
      max_cache_bytes: state.maxCacheBytes,
      read_file_cache: state.readFileCache.map((entry) => ({
        lines: entry.lines,
        updated_at: entry.updatedAt,
        bytes: entry.bytes,
        file_path: entry.filePath,
      })),
      activated_groups: state.activatedGroups,
    },
    tasks_context: {
      tasks: tasks.map((task) => ({
        id: task.id,
        subject: task.subject,
        description: task.description,
        metadata: task.metadata,
        created_at: task.createdAt,
        state: task.state,
        owner: task.owner,
        blocks: task.blocks,
        blocked_by: task.blockedBy,
      })),
    },
  };
}

export function messageDocument(message: Message): MsgJson {
  return {
    id: message.id,
    name: message.name,
    role: message.role,
    content: message.content.map(contentBlockDocument),
    metadata: message.metadata,
    created_at: message.createdAt,
    finished_at: message.finishedAt,
    usage: message.usage && { input_tokens: message.usage.inputTokens, output_tokens: message.usage.outputTokens },
  };
}

function contentBlockDocument(block: ContentBlock): MsgJson['content'][number] {
  switch (block.type) {
    case 'text':
    case 'data':
      return textOrDataBlockDocument(block);
    case 'hint':
      return { type: 'hint', id: block.id, hint: block.hint };
    // Provider fields go first so that they can never shadow a declared field.
    case 'thinking':
      return { ...block.extra, type: 'thinking', id: block.id, thinking: block.thinking };
    case 'tool_call':
      return {
        ...block.extra,
        type: 'tool_call',
        id: block.id,
        name: block.name,
        input: block.input,
        state: block.state,
        suggested_rules: block.suggestedRules.map(ruleDocument),
      };
    case 'tool_result':
      return {
        type: 'tool_result',
        id: block.id,
        name: block.name,
        output: textOrBlocksDocument(block.output),
        state: block.state,
      };
  }
}

function textOrDataBlockDocument(block: TextBlock | DataBlock) {
  if (block.type === 'text') return { type: 'text' as const, id: block.id, text: block.text };
  const { source } = block;
  return {
    type: 'data' as const,
    id: block.id,
    source:
      source.type === 'base64'
        ? { type: 'base64' as const, data: source.data, media_type: source.mediaType }
        : { type: 'url' as const, url: source.url, media_type: source.mediaType },
    name: block.name,
  };
}

function textOrBlocksDocument(value: TextOrBlocks) {
  return typeof value === 'string' ? value : value.map(textOrDataBlockDocument);
}

function ruleDocument(rule: PermissionRule) {
  return { tool_name: rule.toolName, rule_content: rule.ruleContent, behavior: rule.behavior, source: rule.source };
}

/** Upstream keys each rule list by tool name (through a Map, so that no tool name can touch a prototype). */
function rulesByTool(rules: PermissionRule[]): Record<string, ReturnType<typeof ruleDocument>[]> {
  const byTool = new Map<string, ReturnType<typeof ruleDocument>[]>();
  for (const rule of rules) {
    const list = byTool.get(rule.toolName);
    if (list) list.push(ruleDocument(rule));
    else byTool.set(rule.toolName, [ruleDocument(rule)]);
  }
  return Object.fromEntries(byTool);
}
