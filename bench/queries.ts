/** The operations the benchmark sends; the floor serves the same data as NESTED_LIST. */

const CONTENT = /* GraphQL */ `
  content {
    __typename
    id
    ... on SessionTextBlock { text }
    ... on SessionThinkingBlock { thinking extra }
    ... on SessionHintBlock { hint }
    ... on SessionToolCallBlock { name input callState extra }
    ... on SessionToolResultBlock { name resultState output { __typename ... on SessionPlainText { text } } }
    ... on SessionDataBlock { fileName source { __typename ... on SessionUrlSource { url mediaType } ... on SessionBase64Source { data mediaType } } }
  }
`;

export const NESTED_LIST = /* GraphQL */ `
  query NestedList($agentId: ID!, $first: Int, $after: String) {
    sessions(agentId: $agentId, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id userId agentId version source createdAt updatedAt
          config { workspaceId name chatModelConfig { type credentialId model parameters } }
          state {
            replyId curIter
            summary { __typename ... on SessionPlainText { text } }
            permissionContext { mode workingDirectories { path source } allowRules { toolName ruleContent behavior source } }
            toolContext { maxCacheFiles maxCacheBytes activatedGroups }
            context(last: 20) { id name role createdAt usage { inputTokens outputTokens } ${CONTENT} }
            tasksContext { tasks { id subject description state owner blocks blockedBy } }
          }
        }
      }
    }
  }
`;

export const HISTORY_PAGE = /* GraphQL */ `
  query HistoryPage($id: ID!, $agentId: ID!, $after: String, $first: Int = 200) {
    session(id: $id, agentId: $agentId) {
      messages(first: $first, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id name role createdAt ${CONTENT} } } }
    }
  }
`;

export const SESSIONS_PAGE = /* GraphQL */ `
  query SessionsPage($agentId: ID!, $after: String) {
    sessions(agentId: $agentId, first: 20, after: $after) { edges { cursor node { id version updatedAt config { name } } } }
  }
`;

// The writes take the benchmark's $id and $agentId and build their input inline.
export const UPDATE_SESSION = /* GraphQL */ `
  mutation Update($id: ID!, $agentId: ID!) {
    updateSession(input: { sessionId: $id, agentId: $agentId, name: "renamed by the benchmark" }) {
      __typename
      ... on UpdateSessionPayload { session { id version } }
      ... on SessionError { message }
    }
  }
`;

export const APPEND_MESSAGES = /* GraphQL */ `
  mutation Append($id: ID!, $agentId: ID!) {
    appendSessionMessages(input: { sessionId: $id, agentId: $agentId, messages: [
      { name: "user", role: USER, content: [{ text: { text: "One more thing: check the tests." } }] }
      { name: "assistant", role: ASSISTANT, content: [{ toolCall: { id: "c", name: "Bash", input: "{\\"cmd\\": \\"npm test\\"}" } }] }
    ] }) {
      __typename
      ... on AppendSessionMessagesPayload { session { id version } messages { id } }
      ... on SessionError { message }
    }
  }
`;
