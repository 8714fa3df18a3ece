import type { ChatModelConfig, JsonObject, PermissionMode } from './model.js';

/**
 * A PATCH of a session. A key that is absent (undefined) keeps its value; `null` clears `name`
 * and `chatModelConfig`, and keeps `permissionMode` (a mode cannot be empty).
 */
export interface SessionPatch {
  name?: string | null;
  chatModelConfig?: (Omit<ChatModelConfig, 'parameters'> & { parameters?: JsonObject | null }) | null;
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
    changes.session.chatModelConfig =
      patch.chatModelConfig === null ? null : { ...patch.chatModelConfig, parameters: patch.chatModelConfig.parameters ?? {} };
  }
  if (patch.permissionMode !== undefined && patch.permissionMode !== null) {
    changes.state.permissionMode = patch.permissionMode;
  }
  return changes;
}
