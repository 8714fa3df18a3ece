import { z } from 'zod';
import { LIMITS } from './limits.js';
import type { JsonObject } from './model.js';
import { inexactJsonIssue, isStorableText, nestsWithin, UNSTORABLE_TEXT_MESSAGE } from './text.js';

/*
 * The rules of the strings and JSON objects both front doors accept, as zod schemas: the GraphQL inputs (plugin-zod's
 * `schema`) and the REST bodies validate with these same schemas, so no rule is written twice.
 * Each front door reports a failure in its own dialect.
 */

/** Ids also reach SQL in reads, where the domain's check on written data does not apply. */
const storable = [isStorableText, { message: UNSTORABLE_TEXT_MESSAGE }] as const;

/** A string that may be empty but not oversized (free text). */
export const boundedText = (maxLength: number) =>
  z
    .string()
    .max(maxLength, { message: `Must be at most ${maxLength} characters.` })
    .refine(...storable);

/** A required string that must not be empty (ids, names, labels). */
export const nonEmptyText = (maxLength: number) =>
  z
    .string()
    .min(1, { message: 'Must not be empty.' })
    .max(maxLength, { message: `Must be at most ${maxLength} characters.` })
    .refine(...storable);

export const idText = () => nonEmptyText(LIMITS.idLength);
export const labelText = () => nonEmptyText(LIMITS.labelLength);

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A JSON object (`parameters`, `metadata`, `extra`) that nests within the limit, fits its byte budget
 * and is stored exactly. `z.custom` passes the value on as it is: zod's copy of a record would drop
 * a "__proto__" key, which the exactness rule must see.
 */
export const jsonObject = () =>
  z
    .custom<JsonObject>()
    .superRefine((value, context) => {
      if (!isPlainObject(value)) {
        context.addIssue({ code: 'invalid_type', expected: 'object', input: value, message: 'Must be a JSON object.' });
        return;
      }
      // Too deep to serialise safely: the checks below would overflow the stack.
      if (!nestsWithin(value, LIMITS.jsonObjectDepth)) {
        context.addIssue({ code: 'custom', message: `Must nest at most ${LIMITS.jsonObjectDepth} levels.` });
        return;
      }
      if (Buffer.byteLength(JSON.stringify(value)) > LIMITS.jsonObjectBytes)
        context.addIssue({ code: 'custom', message: `Must be at most ${LIMITS.jsonObjectBytes} bytes as JSON.` });
      const inexact = inexactJsonIssue(value);
      if (inexact) context.addIssue({ code: 'custom', message: inexact.message, path: inexact.path });
    })
    // Its JSON Schema (the REST OpenAPI): a custom schema has no shape zod could print.
    .meta({ type: 'object', propertyNames: { type: 'string' }, additionalProperties: {} });
