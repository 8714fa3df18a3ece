import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { printSortedSchema } from '../src/graphql/print.js';

test('schema.graphql is the printed, sorted schema (run `npm run schema:print` after schema changes)', () => {
  const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
  expect(committed).toBe(printSortedSchema());
});
