import { initGraphQLTada } from 'gql.tada';
import type { introspection } from './graphql-env.js';

type Scalars = { DateTime: string; JSON: unknown; ID: string };

/**
 * The typed client's `graphql()`: documents written with it are typed from schema.graphql
 * (`npm run schema:types` regenerates graphql-env.d.ts), so a schema change that breaks them fails
 * `npm run typecheck`.
 */
export const graphql = initGraphQLTada<{
  introspection: introspection;
  disableMasking: true;
  scalars: Scalars;
}>();

export type { ResultOf, VariablesOf } from 'gql.tada';

/** The TypeScript type of a schema input object or enum, by name, for values built apart from a document. */
export type InputOf<Name extends string> = NonNullable<Parameters<typeof graphql.scalar<Name, never>>[1]>;

type Types = introspection['types'];
type NonNull<Type> = { kind: 'NON_NULL'; name: never; ofType: Type };

/**
 * schema.graphql plus what the federation spec adds to a served subgraph (`_service`, `_entities`
 * over the `@key` types, `_Any`): the queries a gateway sends. Built on the generated introspection
 * so that these documents follow schema.graphql as the others do.
 */
type FederationIntrospection = Omit<introspection, 'name' | 'types'> & {
  name: 'federation';
  types: Omit<Types, 'Query'> & {
    Query: {
      kind: 'OBJECT';
      name: 'Query';
      fields: Types['Query']['fields'] & {
        _service: { name: '_service'; type: NonNull<{ kind: 'OBJECT'; name: '_Service'; ofType: null }> };
        _entities: {
          name: '_entities';
          type: NonNull<{ kind: 'LIST'; name: never; ofType: { kind: 'UNION'; name: '_Entity'; ofType: null } }>;
        };
      };
    };
    _Service: {
      kind: 'OBJECT';
      name: '_Service';
      fields: { sdl: { name: 'sdl'; type: { kind: 'SCALAR'; name: 'String'; ofType: null } } };
    };
    _Entity: { kind: 'UNION'; name: '_Entity'; fields: Record<never, never>; possibleTypes: 'Agent' | 'Session' };
    _Any: unknown;
  };
};

const federationTada = initGraphQLTada<{
  introspection: FederationIntrospection;
  disableMasking: true;
  scalars: Scalars & { _Any: unknown };
}>();

/**
 * A typed document of the federation protocol (`_entities`, `_service`). Deliberately not named
 * `graphql`: `gql.tada check` knows schema.graphql only, so these documents are left to typecheck
 * (through FederationIntrospection) and to graphql-eslint, whose schema adds test/graphql/federation.graphql.
 */
export function federationDocument<const Source extends string>(source: Source) {
  return federationTada(source);
}
