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
  /** Set: only this user (the request's x-user-id) sees the agent, as the real owner scopes agents. */
  userId?: string;
}

/** The caller as a subgraph behind the gateway sees it: the forwarded x-user-id. */
export function callerOf(context: unknown): string | null {
  return (context as { request: Request }).request.headers.get('x-user-id');
}

export function createAgentsSubgraph(agents: AgentRecord[]) {
  const visible = (agent: AgentRecord, userId: string | null) => agent.userId === undefined || agent.userId === userId;
  const find = (id: string, userId: string | null) =>
    agents.find((agent) => agent.id === id && visible(agent, userId)) ?? null;
  const schema = buildSubgraphSchema({
    typeDefs: parse(AGENTS_SDL),
    resolvers: {
      Query: { agent: (_root: unknown, { id }: { id: string }, context: unknown) => find(id, callerOf(context)) },
      Agent: {
        __resolveReference: ({ id }: { id: string }, context: unknown) => find(id, callerOf(context)),
        featuredSession: (agent: AgentRecord) => (agent.featuredSessionId ? { id: agent.featuredSessionId } : null),
      },
    },
  });
  return createYoga({ schema, graphiql: false, logging: false, landingPage: false });
}
