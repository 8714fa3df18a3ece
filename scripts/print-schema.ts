// Regenerates schema.graphql (`npm run schema:print`); test/schema.test.ts fails while it is stale.
import { writeFileSync } from 'node:fs';
import { printSortedSchema } from '../src/graphql/print.js';

const target = new URL('../schema.graphql', import.meta.url);
writeFileSync(target, printSortedSchema());
console.log(`wrote ${target.pathname}`);
