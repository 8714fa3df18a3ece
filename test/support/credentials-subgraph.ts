import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { callerOf } from './agents-subgraph.js';

/** A small credentials subgraph, as the platform team's would be: it owns `Credential { id provider }`, each one a user's. */
export const CREDENTIALS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Query {
    credential(id: ID!): Credential
  }

  type Credential @key(fields: "id") {
    id: ID!
    provider: String!
  }
`;

export interface CredentialRecord {
  id: string;
  provider: string;
  /** Only this user (the request's x-user-id) sees the credential. */
  userId: string;
}

export function createCredentialsSubgraph(credentials: CredentialRecord[]) {
  const find = (id: string, userId: string | null) =>
    credentials.find((credential) => credential.id === id && credential.userId === userId) ?? null;
  const schema = buildSubgraphSchema({
    typeDefs: parse(CREDENTIALS_SDL),
    resolvers: {
      Query: { credential: (_root: unknown, { id }: { id: string }, context: unknown) => find(id, callerOf(context)) },
      Credential: { __resolveReference: ({ id }: { id: string }, context: unknown) => find(id, callerOf(context)) },
    },
  });
  return createYoga({ schema, graphiql: false, logging: false, landingPage: false });
}
