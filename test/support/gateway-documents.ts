/**
 * Every GraphQL document the gateway tests send, in one place, so a schema change is ported here
 * alone. `agent { name }` is resolved by the agents subgraph: the gateway joins it on each result.
 */
export const CREATE_SESSION = /* GraphQL */ `
  mutation CreateSession($input: CreateSessionInput!) { createSession(input: $input) { id userId agentId version } }
`;
export const createSessionVariables = (agentId: string, name: string) => ({ input: { agentId, name } });

export const RENAME_SESSION = /* GraphQL */ `
  mutation RenameSession($id: ID!, $agentId: ID!, $name: String!) {
    updateSession(id: $id, agentId: $agentId, input: { name: $name }) { version config { name } agent { name } }
  }
`;
export const renameSessionVariables = (id: string, agentId: string, name: string) => ({ id, agentId, name });

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
