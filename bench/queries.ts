/** The operations the benchmark sends; the floor serves the same data as NESTED_LIST. */

const CONTENT = /* GraphQL */ `
  content {
    __typename
    ... on TextBlock { id text }
    ... on ThinkingBlock { id thinking extra }
    ... on HintBlock { id hint }
    ... on ToolCallBlock { id name input callState: state extra }
    ... on ToolResultBlock { id name resultState: state output { __typename ... on PlainText { text } } }
    ... on DataBlock { id dataName: name source { __typename ... on UrlSource { url mediaType } ... on Base64Source { data mediaType } } }
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
            summary { __typename ... on PlainText { text } }
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

export const UPDATE_SESSION = /* GraphQL */ `
  mutation Update($id: ID!, $agentId: ID!) { updateSession(id: $id, agentId: $agentId, input: { name: "renamed by the benchmark" }) { id version } }
`;

export const APPEND_MESSAGES = /* GraphQL */ `
  mutation Append($id: ID!, $agentId: ID!) {
    appendMessages(id: $id, agentId: $agentId, messages: [
      { name: "user", role: USER, content: [{ text: { text: "One more thing: check the tests." } }] }
      { name: "assistant", role: ASSISTANT, content: [{ toolCall: { id: "c", name: "Bash", input: "{\\"cmd\\": \\"npm test\\"}" } }] }
    ]) { id version }
  }
`;
