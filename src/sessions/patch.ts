import type { ChatModelConfig, JsonObject, PermissionMode } from './model.js';

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
