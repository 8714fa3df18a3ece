import { z } from 'zod';
import { LIMITS } from './limits.js';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from './text.js';

/*
 * The rules of the strings both front doors accept, as zod schemas: the GraphQL inputs (plugin-zod's
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
