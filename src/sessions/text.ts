import { InvalidInputError, type InputIssue } from './errors.js';

// PostgreSQL's text and jsonb cannot hold NUL, and UTF-8 cannot encode an unpaired surrogate:
// such input would fail in the database as an internal error, so it is refused up front.
const UNSTORABLE = /[\u0000\uD800-\uDFFF]/u;
export const UNSTORABLE_TEXT_MESSAGE = 'Must not contain NUL characters or unpaired surrogates.';
/** Enough to show the client what is wrong without building a huge error for a huge input. */
const MAX_ISSUES = 20;

/** Whether `value` nests at most `maxDepth` levels; iterative, since the point is to refuse what would overflow the stack. */
export function nestsWithin(value: unknown, maxDepth: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop()!;
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return false;
    for (const item of Object.values(current)) pending.push([item, depth + 1]);
  }
  return true;
}

export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

/** Every string of `value`, object keys included, can be stored; InvalidInputError names those that cannot. */
export function assertStorableText(value: unknown): void {
  const issues: InputIssue[] = [];
  // Iterative: JSON payloads may nest deeper than the call stack allows.
  const pending: Array<[unknown, Array<string | number>]> = [[value, []]];
  while (pending.length > 0 && issues.length < MAX_ISSUES) {
    const [current, path] = pending.pop()!;
    if (typeof current === 'string') {
      if (!isStorableText(current)) issues.push({ path, message: UNSTORABLE_TEXT_MESSAGE });
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => pending.push([item, [...path, index]]));
    } else if (current !== null && typeof current === 'object' && !(current instanceof Date)) {
      for (const [key, item] of Object.entries(current)) {
        if (!isStorableText(key)) issues.push({ path: [...path, key], message: UNSTORABLE_TEXT_MESSAGE });
        pending.push([item, [...path, key]]);
      }
    }
  }
  if (issues.length > 0) throw new InvalidInputError(issues);
}

/**
 * Where and why a JSON value would not be stored exactly as sent, or null. JSON parsing has
 * already turned an out-of-range number (`1e400`) into Infinity, which would be stored as null,
 * and an integer beyond ±2^53 into its nearest double; a `__proto__` key does not survive copying
 * as a key. Refused rather than altered: the client sends such numbers as strings, and renames the key.
 */
export function inexactJsonIssue(value: unknown): InputIssue | null {
  const pending: Array<[unknown, Array<string | number>]> = [[value, []]];
  while (pending.length > 0) {
    const [current, path] = pending.pop()!;
    if (typeof current === 'number') {
      if (!Number.isFinite(current))
        return {
          path,
          message: 'Numbers must be finite (JSON numbers beyond ±1.8e308 cannot be stored); send them as strings.',
        };
      if (Number.isInteger(current) && !Number.isSafeInteger(current)) {
        return {
          path,
          message: 'Integers must be within ±9007199254740991 to be kept exactly; send larger ones as strings.',
        };
      }
    } else if (current !== null && typeof current === 'object') {
      if (Object.hasOwn(current, '__proto__'))
        return { path: [...path, '__proto__'], message: 'Keys must not be "__proto__".' };
      for (const [key, item] of Object.entries(current))
        pending.push([item, [...path, Array.isArray(current) ? Number(key) : key]]);
    }
  }
  return null;
}
