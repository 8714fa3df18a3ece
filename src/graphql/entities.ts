import { LIMITS } from '../sessions/limits.js';
import { builder } from './builder.js';
import { InvalidInputError } from '../sessions/errors.js';

/** `@key(fields: "id")`: how every entity of this subgraph (own or referenced) is keyed. */
export const idKey = builder.selection<{ id: string }>('id');

/**
 * The id of an entity representation. `_entities` takes representations as `_Any`, unchecked, so
 * this is what stops a malformed id from reaching the database.
 */
export function referencedId(reference: { id: unknown }): string {
  const { id } = reference;
  if (typeof id !== 'string' || id.length === 0 || id.length > LIMITS.idLength) {
    throw new InvalidInputError([{ path: ['representations', 'id'], message: `Must be a string of 1 to ${LIMITS.idLength} characters.` }]);
  }
  return id;
}
