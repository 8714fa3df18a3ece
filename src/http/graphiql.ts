import type { GraphiQLOptions } from 'graphql-yoga';

/** The caller GraphiQL's default tabs name with the development header. */
export const EXAMPLE_USER_ID = 'graphiql-user';
export const EXAMPLE_AGENT_ID = 'example-agent';

/** The first tab: on a fresh database it must show a session at the first click, so it creates one. */
export const CREATE_EXAMPLE_SESSION = /* GraphQL */ `# Creates a session for the caller in the Headers tab.
# The next tab lists the caller's sessions.
mutation CreateExampleSession {
  createSession(input: { agentId: "${EXAMPLE_AGENT_ID}", name: "My first session" }) {
    ... on CreateSessionPayload {
      session {
        id
        agentId
        createdAt
      }
    }
    ... on SessionError {
      message
    }
  }
}
`;

export const LIST_EXAMPLE_SESSIONS = /* GraphQL */ `# The caller's sessions of the agent, most recently updated first.
query ListSessions {
  sessions(agentId: "${EXAMPLE_AGENT_ID}", first: 10) {
    totalCount
    edges {
      node {
        id
        createdAt
      }
    }
  }
}
`;

/**
 * GraphiQL with its assets inlined in the page (no CDN: it works offline), and default tabs that
 * return data at the first click. The x-user-id header is filled in only where the service accepts it;
 * elsewhere the caller adds a bearer token in the Headers tab.
 */
export function createGraphiQLPage({ userIdHeader }: { userIdHeader: boolean }) {
  const headers = userIdHeader ? JSON.stringify({ 'x-user-id': EXAMPLE_USER_ID }, null, 2) : '{}';
  const options: GraphiQLOptions = {
    title: 'Agent sessions',
    defaultTabs: [
      { query: CREATE_EXAMPLE_SESSION, headers },
      { query: LIST_EXAMPLE_SESSIONS, headers },
    ],
    defaultHeaders: headers,
    defaultEditorToolsVisibility: 'headers',
  };
  // The page inlines about 9 MB of scripts: loaded and built on the first request for it (a service
  // whose GraphiQL nobody opens never holds them), then kept.
  let page: Promise<string> | undefined;
  const render = () =>
    (page ??= import('@graphql-yoga/render-graphiql').then(({ renderGraphiQL }) => renderGraphiQL(options)));
  return { options, render };
}

export type GraphiQLPage = ReturnType<typeof createGraphiQLPage>;
