import type { Caller } from './model.js';

/** What a session points at that other services own. */
export type ReferenceType = 'Agent' | 'Credential';

export interface Reference {
  type: ReferenceType;
  id: string;
}

/**
 * Whether the agent and credential a write names exist and are the caller's. Their owners are other
 * services, so the answer comes from outside; this service stores only their ids.
 */
export interface ReferenceCheck {
  /** Resolves when every reference is the caller's; otherwise rejects with ReferenceNotFoundError for one that is not. */
  assertOwned(caller: Caller, references: readonly Reference[]): Promise<void>;
}

/** No check: any id is accepted (the default, for a service without the other subgraphs). */
export const referenceCheckOff: ReferenceCheck = {
  assertOwned: async () => {},
};
