import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';

/**
 * A small agents subgraph, as the platform team's would be: it owns `Agent { id name }` and, like
 * any other subgraph might, points at a session by id (`featuredSession`), which the gateway then
 * resolves through the sessions subgraph's `_entities`.
 */
export const AGENTS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Query {
    agent(id: ID!): Agent
  }

  type Agent @key(fields: "id") {
    id: ID!
    name: String!
    featuredSession: Session
  }

  type Session @key(fields: "id", resolvable: false) {
    id: ID!
  }
`;

export interface AgentRecord {
  id: string;
  name: string;
  featuredSessionId?: string;
}

export function createAgentsSubgraph(agents: AgentRecord[]) {
  const find = (id: string) => agents.find((agent) => agent.id === id) ?? null;
  const schema = buildSubgraphSchema({
    typeDefs: parse(AGENTS_SDL),
    resolvers: {
      Query: { agent: (_root: unknown, { id }: { id: string }) => find(id) },
      Agent: {
        __resolveReference: ({ id }: { id: string }) => find(id),
        featuredSession: (agent: AgentRecord) => (agent.featuredSessionId ? { id: agent.featuredSessionId } : null),
      },
    },
  });
  return createYoga({ schema, graphiql: false, logging: false, landingPage: false });
}
