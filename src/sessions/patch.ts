import { buildRules, buildTextOrBlocks, type PermissionRuleDraft, type TextOrBlocksDraft } from './drafts.js';
import type {
  AgentStateRecord,
  ChatModelConfig,
  JsonObject,
  PermissionMode,
  ReadCacheEntry,
  WorkingDirectory,
} from './model.js';

/** A chat model configuration as clients send it: `parameters` may be left out. */
export type ChatModelConfigDraft = Omit<ChatModelConfig, 'parameters'> & { parameters?: JsonObject | null };

export function buildChatModelConfig(draft: ChatModelConfigDraft): ChatModelConfig {
  return { ...draft, parameters: draft.parameters ?? {} };
}

/**
 * A PATCH of a session. A key that is absent (undefined) keeps its value; `null` clears `name`
 * and `chatModelConfig`, and keeps `permissionMode` (a mode cannot be empty).
 */
export interface SessionPatch {
  name?: string | null;
  chatModelConfig?: ChatModelConfigDraft | null;
  permissionMode?: PermissionMode | null;
}

/** The columns a PATCH writes: only the fields it names, so concurrent PATCHes never undo each other. */
export interface SessionChanges {
  session: { name?: string | null; chatModelConfig?: ChatModelConfig | null };
  state: { permissionMode?: PermissionMode };
}

export function planSessionPatch(patch: SessionPatch): SessionChanges {
  const changes: SessionChanges = { session: {}, state: {} };
  if (patch.name !== undefined) changes.session.name = patch.name;
  if (patch.chatModelConfig !== undefined) {
    // A given config replaces the old one whole; there is no field-by-field merge.
    changes.session.chatModelConfig = patch.chatModelConfig && buildChatModelConfig(patch.chatModelConfig);
  }
  if (patch.permissionMode !== undefined && patch.permissionMode !== null) {
    changes.state.permissionMode = patch.permissionMode;
  }
  return changes;
}

/**
 * A small write of the agent state between turns. Absent or null keeps a field (none of them can
 * be empty); a given list replaces the old one whole.
 */
export interface AgentStatePatch {
  summary?: TextOrBlocksDraft | null;
  replyId?: string | null;
  curIter?: number | null;
  permissionContext?: {
    mode?: PermissionMode | null;
    workingDirectories?: WorkingDirectory[] | null;
    allowRules?: PermissionRuleDraft[] | null;
    denyRules?: PermissionRuleDraft[] | null;
    askRules?: PermissionRuleDraft[] | null;
  } | null;
  toolContext?: {
    maxCacheFiles?: number | null;
    maxCacheBytes?: number | null;
    readFileCache?: ReadCacheEntry[] | null;
    activatedGroups?: string[] | null;
  } | null;
}

/** The state fields a patch names, completed (ids, defaults) but nothing else. */
export function planStatePatch(patch: AgentStatePatch): Partial<Omit<AgentStateRecord, 'sessionId'>> {
  const permission = patch.permissionContext ?? {};
  const tool = patch.toolContext ?? {};
  const changes: Partial<Omit<AgentStateRecord, 'sessionId'>> = {
    summary: patch.summary == null ? undefined : buildTextOrBlocks(patch.summary),
    replyId: patch.replyId ?? undefined,
    curIter: patch.curIter ?? undefined,
    permissionMode: permission.mode ?? undefined,
    workingDirectories: permission.workingDirectories ?? undefined,
    allowRules: permission.allowRules == null ? undefined : buildRules(permission.allowRules),
    denyRules: permission.denyRules == null ? undefined : buildRules(permission.denyRules),
    askRules: permission.askRules == null ? undefined : buildRules(permission.askRules),
    maxCacheFiles: tool.maxCacheFiles ?? undefined,
    maxCacheBytes: tool.maxCacheBytes ?? undefined,
    readFileCache: tool.readFileCache ?? undefined,
    activatedGroups: tool.activatedGroups ?? undefined,
  };
  return Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
}
