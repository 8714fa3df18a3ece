/**
 * Every GraphQL document the gateway tests send, in one place, so a schema change is ported here
 * alone. `agent { name }` is resolved by the agents subgraph: the gateway joins it on each result.
 * The mutations ask for the payload and for the expected failures' messages, so a failure shows up
 * in an assertion rather than as a missing field.
 *
 * Text, not typed documents (test/graphql/graphql.ts), and not linted: they are written against the
 * supergraph, which is composed at run time; schema.graphql has no `Agent.name`.
 */
export const CREATE_SESSION = /* GraphQL */ `
  mutation CreateSession($input: CreateSessionInput!) {
    createSession(input: $input) {
      __typename
      ... on CreateSessionPayload { session { id userId agentId version } }
      ... on SessionInvalidInputError { message }
    }
  }
`;
export const createSessionVariables = (agentId: string, name: string) => ({ input: { agentId, name } });
/** The session a CREATE_SESSION answer holds. */
export const createdSession = (data: any): { id: string; userId: string; agentId: string; version: number } =>
  data.createSession.session;

export const RENAME_SESSION = /* GraphQL */ `
  mutation RenameSession($input: UpdateSessionInput!) {
    updateSession(input: $input) {
      __typename
      ... on UpdateSessionPayload { session { version config { name } agent { name } } }
      ... on SessionNotFoundError { message }
    }
  }
`;
export const renameSessionVariables = (id: string, agentId: string, name: string) => ({
  input: { sessionId: id, agentId, name },
});
/** The session a RENAME_SESSION answer holds. */
export const renamedSession = (data: any) => data.updateSession.session;

export const SESSION_WITH_AGENT = /* GraphQL */ `
  query SessionWithAgent($id: ID!, $agentId: ID!) { session(id: $id, agentId: $agentId) { id userId config { name } agent { id name } } }
`;

export const SESSION_COUNT = /* GraphQL */ `
  query SessionCount($agentId: ID!) { sessions(agentId: $agentId) { totalCount } }
`;

export const SESSION_UPDATED = /* GraphQL */ `
  subscription SessionUpdated($id: ID!, $agentId: ID!) { sessionUpdated(id: $id, agentId: $agentId) { id version config { name } agent { name } } }
`;

export const SESSION_EVENTS = /* GraphQL */ `
  subscription SessionEvents($agentId: ID!) { sessionEvents(agentId: $agentId) { kind sessionId session { config { name } agent { name } } } }
`;
