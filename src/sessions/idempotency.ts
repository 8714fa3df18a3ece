import { createHash } from 'node:crypto';
import { InvalidInputError } from './errors.js';
import { LIMITS } from './limits.js';
import type { SessionRecord } from './model.js';
import { isStorableText } from './text.js';

/**
 * Options every write takes, whichever front door asked for it.
 *
 * `idempotencyKey` makes a write safe to retry when its answer was lost (a dropped connection, a
 * timeout): the first write under a key runs and its outcome is stored with it, in the same
 * transaction; a later write by the same caller with the same key and the same input (operation,
 * session, arguments, `expectedVersion`) returns that outcome without applying anything again, and
 * with a different input is refused (InvalidInputError). A write that fails stores nothing, so its
 * retry runs afresh. Keys are 1–255 characters, scoped to the caller, and expire
 * `LIMITS.idempotencyKeyLifetimeHours` after first use.
 */
export interface WriteOptions {
  /** Apply only if the session is still at this version (else VersionConflictError). */
  expectedVersion?: number | null;
  idempotencyKey?: string | null;
}

/** One write as its idempotency key identifies it: which operation, with which input. */
export interface WriteRequest {
  operation: string;
  input: unknown;
}

export function assertIdempotencyKey(key: string): void {
  if (key.length === 0 || key.length > LIMITS.idLength || !isStorableText(key)) {
    throw new InvalidInputError([
      { path: ['idempotencyKey'], message: `Must be 1 to ${LIMITS.idLength} characters of storable text.` },
    ]);
  }
}

/** sha256 of the request as canonical JSON (keys sorted, absent fields left out), hex. */
export function fingerprintOf(request: WriteRequest): string {
  return createHash('sha256').update(canonicalJson(request)).digest('hex');
}

function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

export function keyReusedError(): InvalidInputError {
  return new InvalidInputError([
    {
      path: ['idempotencyKey'],
      message: 'This idempotency key was used for a different write; use a new key for each distinct write.',
    },
  ]);
}

/** How a write's outcome is stored with its key and read back for a replay. */
export interface OutcomeCodec<Outcome> {
  encode(outcome: Outcome): object;
  decode(stored: unknown): Outcome;
}

export const sessionOutcome: OutcomeCodec<SessionRecord> = {
  encode: (session) => ({
    ...session,
    createdAt: session.createdAt.toISOString(),
    updatedAt: session.updatedAt.toISOString(),
  }),
  decode: (stored) => {
    const session = stored as SessionRecord & { createdAt: string; updatedAt: string };
    return { ...session, createdAt: new Date(session.createdAt), updatedAt: new Date(session.updatedAt) };
  },
};

/**
 * The outcome of a write that also made something its caller gets back (generated message ids and
 * times, a task id): a replay returns what the first write made, not something made afresh.
 */
export function writtenOutcome<Made>(): OutcomeCodec<{ session: SessionRecord; made: Made }> {
  return {
    encode: ({ session, made }) => ({ session: sessionOutcome.encode(session), made }),
    decode: (stored) => {
      const { session, made } = stored as { session: unknown; made: Made };
      return { session: sessionOutcome.decode(session), made };
    },
  };
}

/** A delete's outcome: the version the session had when it was deleted. */
export const deletedOutcome: OutcomeCodec<{ version: number }> = {
  encode: (deleted) => deleted,
  decode: (stored) => stored as { version: number },
};
