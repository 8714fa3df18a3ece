import type { StringValidationOptions } from '@pothos/plugin-zod';
import type { JsonObject, JsonValue } from '../sessions/model.js';
import { LIMITS } from '../sessions/limits.js';
import { boundedText, nonEmptyText } from '../sessions/rules.js';
import { inexactJsonIssue, nestsWithin } from '../sessions/text.js';

/*
 * Validation options for plugin-zod. Strings use the zod schemas of src/sessions/rules.ts, which the
 * REST bodies validate with too. JSON objects are checked by refinements, not a schema: plugin-zod
 * hands the resolver the parsed value, and zod's copy of a record drops a "__proto__" key.
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

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** For JSON arguments that must be objects (`parameters`, `metadata`, `extra`); null passes where the field is optional. */
export const jsonObject: Array<[(value: JsonValue) => boolean, { message: string }]> = [
  [(value) => value == null || isPlainObject(value), { message: 'Must be a JSON object.' }],
  [
    (value) => value == null || nestsWithin(value, LIMITS.jsonObjectDepth),
    { message: `Must nest at most ${LIMITS.jsonObjectDepth} levels.` },
  ],
  [
    // Too deep to serialise safely: already reported by the rule above.
    (value) =>
      value == null ||
      !nestsWithin(value, LIMITS.jsonObjectDepth) ||
      Buffer.byteLength(JSON.stringify(value)) <= LIMITS.jsonObjectBytes,
    { message: `Must be at most ${LIMITS.jsonObjectBytes} bytes as JSON.` },
  ],
  [
    (value) => value == null || !nestsWithin(value, LIMITS.jsonObjectDepth) || inexactJsonIssue(value) === null,
    {
      message:
        'Must be storable exactly: finite numbers, integers within ±2^53 (larger ones as strings), no "__proto__" keys.',
    },
  ],
];
