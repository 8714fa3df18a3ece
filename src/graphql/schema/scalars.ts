import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { builder } from '../builder.js';

builder.addScalarType('DateTime', DateTimeResolver, {
  description: 'An instant in ISO-8601 form, always UTC with a `Z` suffix (e.g. 2026-11-28T10:00:00.000Z).',
});
builder.addScalarType('JSON', JSONResolver, { description: 'Any JSON value.' });

/**
 * A stored message or task time as a DateTime. Times written through GraphQL are ISO-8601 already;
 * a time without a zone (as upstream runtimes write `2026-11-28 10:00:00.000`) is read as UTC.
 */
export function instantOf(stored: string): Date {
  const iso = stored.replace(' ', 'T');
  return new Date(/(Z|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`);
}
