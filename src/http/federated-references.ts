import { createHash } from 'node:crypto';
import type { Logger } from '../logger.js';
import { ReferenceNotFoundError } from '../sessions/errors.js';
import type { Caller } from '../sessions/model.js';
import type { Reference, ReferenceCheck, ReferenceType } from '../sessions/references.js';
import { ServiceUnavailableError } from '../errors.js';

export interface FederatedReferenceOptions {
  /** The GraphQL endpoint of the subgraph that owns each type; a type without one is not checked. */
  urls: Partial<Record<ReferenceType, string>>;
  /** How long a reference found is taken as the caller's without asking again; 0 asks every time. */
  cacheSeconds: number;
  timeoutMs: number;
  logger: Logger;
}

/** Enough for the ids one busy instance touches within a few seconds; the oldest go first beyond it. */
const MAX_CACHED_ANSWERS = 10_000;

const ENTITIES =
  'query ReferenceCheck($representations: [_Any!]!) { _entities(representations: $representations) { __typename } }';

/**
 * Asks the owning subgraphs, as the gateway would, through `_entities` with the caller's credential:
 * an owner answers null for an id it does not know or that is not the caller's. References of one
 * call that share an owner go in one request; found ones are kept for a few seconds per caller. An owner
 * that cannot answer makes the write fail as unavailable: an unchecked reference is never accepted.
 */
export function createFederatedReferenceCheck({
  urls,
  cacheSeconds,
  timeoutMs,
  logger,
}: FederatedReferenceOptions): ReferenceCheck {
  const answers = new Map<string, { found: Promise<boolean>; expires: number }>();

  function cached(key: string): Promise<boolean> | undefined {
    const entry = answers.get(key);
    if (entry && entry.expires > Date.now()) return entry.found;
    answers.delete(key);
    return undefined;
  }

  function remember(key: string, found: Promise<boolean>) {
    if (cacheSeconds === 0) return;
    answers.set(key, { found, expires: Date.now() + cacheSeconds * 1000 });
    if (answers.size > MAX_CACHED_ANSWERS) answers.delete(answers.keys().next().value!);
    // Only "found" is kept: an id created a moment ago must not stay unknown, and a failure is no answer.
    found.then(
      (exists) => exists || answers.delete(key),
      () => answers.delete(key),
    );
  }

  async function resolveEntities(url: string, caller: Caller, references: Reference[]): Promise<boolean[]> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...caller.credential },
        body: JSON.stringify({
          query: ENTITIES,
          variables: { representations: references.map(({ type, id }) => ({ __typename: type, id })) },
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw unavailable(references, { err: error, url });
    }
    const body = (await response.json().catch(() => null)) as {
      data?: { _entities?: unknown };
      errors?: unknown[];
    } | null;
    const entities = body?.data?._entities;
    if (!response.ok || body?.errors?.length || !Array.isArray(entities) || entities.length !== references.length) {
      throw unavailable(references, { url, status: response.status, errors: body?.errors });
    }
    return entities.map(
      (entity, index) => (entity as { __typename?: string } | null)?.__typename === references[index]!.type,
    );
  }

  function unavailable(references: Reference[], details: Record<string, unknown>): ServiceUnavailableError {
    const types = [...new Set(references.map((reference) => reference.type.toLowerCase()))].join(' and ');
    logger.warn(details, `the owner of ${types} references could not be asked`);
    return new ServiceUnavailableError(
      `The ${types} could not be checked now (its service is unavailable); retry later.`,
    );
  }

  return {
    async assertOwned(caller, references) {
      const owner = credentialKey(caller);
      const keyOf = (reference: Reference) => `${owner}\n${reference.type}\n${reference.id}`;
      const checked = references.filter((reference) => urls[reference.type] !== undefined);
      const found = new Map<string, Promise<boolean>>();
      const toAsk = new Map<string, Map<string, Reference>>();
      for (const reference of checked) {
        const key = keyOf(reference);
        const known = cached(key);
        if (known) found.set(key, known);
        else {
          const url = urls[reference.type]!;
          toAsk.set(url, (toAsk.get(url) ?? new Map()).set(key, reference));
        }
      }
      for (const [url, batch] of toAsk) {
        const resolved = resolveEntities(url, caller, [...batch.values()]);
        [...batch.keys()].forEach((key, index) => {
          const answer = resolved.then((list) => list[index]!);
          found.set(key, answer);
          remember(key, answer);
        });
      }
      const results = await Promise.all(checked.map((reference) => found.get(keyOf(reference))!));
      const missing = checked.find((_, index) => !results[index]);
      if (missing) throw new ReferenceNotFoundError(missing.type, missing.id);
    },
  };
}

/** Answers are the caller's own: keyed by a digest of the credential, so no token is kept in memory as a key. */
function credentialKey(caller: Caller): string {
  return createHash('sha256')
    .update(JSON.stringify([caller.userId, caller.credential ?? {}]))
    .digest('base64url');
}
