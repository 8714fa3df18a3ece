import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.js';

/**
 * The typed client's `graphql()`: documents written with it are typed from schema.graphql
 * (`npm run schema:types` regenerates graphql-env.d.ts), so a schema change that breaks them fails
 * `npm run typecheck`.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  disableMasking: true;
  scalars: { DateTime: string; JSON: unknown; ID: string };
}>();

export type { ResultOf, VariablesOf } from 'gql.tada';
