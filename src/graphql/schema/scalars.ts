import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { builder } from '../builder.js';

builder.addScalarType('DateTime', DateTimeResolver, {
  description: 'An instant in ISO-8601 form, always UTC with a `Z` suffix (e.g. 2026-11-28T10:00:00.000Z).',
});
builder.addScalarType('JSON', JSONResolver, { description: 'Any JSON value.' });
