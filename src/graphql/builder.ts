import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import ErrorsPlugin from '@pothos/plugin-errors';
import FederationPlugin from '@pothos/plugin-federation';
import RelayPlugin from '@pothos/plugin-relay';
import ComplexityPlugin from '@pothos/plugin-complexity';
import ZodPlugin from '@pothos/plugin-zod';
import type { JsonValue } from '../sessions/model.js';
import type { GraphQLContext } from './context.js';
import { zodValidationError } from './errors.js';

/** What a mutation field `createSession` is called in type names: `CreateSession`. */
const capitalized = (name: string) => name[0]!.toUpperCase() + name.slice(1);

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  /** Every connection of this subgraph counts its nodes, only when a client asks. */
  Connection: { totalCount: () => Promise<number> };
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: JsonValue; Output: JsonValue };
  };
}>({
  // Errors before zod, so a field's own validation failure can become a typed result; federation
  // last: it must see the resolvers the other plugins wrap.
  plugins: [ErrorsPlugin, ZodPlugin, RelayPlugin, DirectivesPlugin, ComplexityPlugin, FederationPlugin],
  defaultFieldNullability: false,
  zod: { validationError: zodValidationError },
  // Costs only (see src/graphql/cost.ts); src/http/limits.ts enforces MAX_COST before execution.
  complexity: { defaultComplexity: 0, defaultListMultiplier: 1 },
  relay: {
    // Other subgraphs define the same Relay PageInfo; the supergraph needs one, shared.
    pageInfoTypeOptions: { shareable: true, description: 'Relay page information.' },
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    // Global `Node` ids are off: the federation key and the REST paths use the session's own id.
    nodeQueryOptions: false,
    nodesQueryOptions: false,
  },
  errors: {
    // Mutations answer `<Mutation>Result = <Mutation>Payload | <expected failures>`.
    directResult: true,
    defaultUnionOptions: {
      name: ({ fieldName }) => `${capitalized(fieldName)}Result`,
      description: 'The payload of the write, or the expected failure that stopped it (nothing was written then).',
    },
  },
});

builder.queryType({ description: "Reads of the caller's sessions." });
builder.mutationType({
  description: "Writes of the caller's sessions; each takes one input and answers with a payload or a typed failure.",
});
builder.subscriptionType({ description: "Live updates of the caller's sessions." });
