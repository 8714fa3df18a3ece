import type { StringValidationOptions } from '@pothos/plugin-zod';
import { LIMITS } from '../sessions/limits.js';
import { boundedText, jsonObject as jsonObjectRule, nonEmptyText } from '../sessions/rules.js';

/*
 * Validation options for plugin-zod, from the zod schemas of src/sessions/rules.ts, which the REST
 * bodies validate with too.
 */

/** A required string that must not be empty (ids, names, labels). */
export function nonEmptyString(maxLength: number): StringValidationOptions {
  return { type: 'string', schema: nonEmptyText(maxLength) };
}

/** A string that may be empty but not oversized (free text). */
export function boundedString(maxLength: number): StringValidationOptions {
  return { type: 'string', schema: boundedText(maxLength) };
}

/** For list arguments; add `items` for the entries' own rules. */
export function boundedList(maxLength: number): { maxLength: [number, { message: string }] } {
  return { maxLength: [maxLength, { message: `Must have at most ${maxLength} entries.` }] };
}

export const idString = () => nonEmptyString(LIMITS.idLength);
export const labelString = () => nonEmptyString(LIMITS.labelLength);
export const freeText = () => boundedString(LIMITS.textLength);

/** For JSON arguments that must be objects (`parameters`, `metadata`, `extra`); plugin-zod lets null pass where the field is optional. */
export const jsonObject = { schema: jsonObjectRule() };
