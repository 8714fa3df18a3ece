/**
 * What happened to a session, told after the write committed. Ids only: whoever relays an event
 * reads the session afresh, so nothing stale or foreign travels with it.
 */
export const SESSION_EVENT_KINDS = ['created', 'updated', 'deleted'] as const;
export type SessionEventKind = (typeof SESSION_EVENT_KINDS)[number];

export interface SessionEvent {
  kind: SessionEventKind;
  sessionId: string;
  userId: string;
  agentId: string;
  /** The version the write produced (for a delete: the last one). */
  version: number;
}

/** Told of every committed write. It must not throw: the write has happened whatever it does. */
export interface SessionEvents {
  published(event: SessionEvent): void;
}
