import SchemaBuilder from '@pothos/core';
import DirectivesPlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import ZodPlugin from '@pothos/plugin-zod';
import type { JsonValue } from '../sessions/model.js';
import type { GraphQLContext } from './context.js';
import { zodValidationError } from './errors.js';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: JsonValue; Output: JsonValue };
  };
}>({
  // Federation last: it must see the resolvers the other plugins wrap.
  plugins: [ZodPlugin, DirectivesPlugin, FederationPlugin],
  defaultFieldNullability: false,
  zod: { validationError: zodValidationError },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
