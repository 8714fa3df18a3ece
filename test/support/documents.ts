/** Every field of a session, nested state included, for round-trip assertions. */
export const SESSION_FIELDS = /* GraphQL */ `
  fragment Blocks on TextOrDataBlock {
    __typename
    ... on TextBlock { id text }
    ... on DataBlock { id name source { __typename ... on Base64Source { data mediaType } ... on UrlSource { url mediaType } } }
  }
  fragment TextOrBlocksFields on TextOrBlocks {
    __typename
    ... on PlainText { text }
    ... on BlockList { blocks { ...Blocks } }
  }
  fragment Rule on PermissionRule { toolName ruleContent behavior source }
  fragment SessionFields on Session {
    id userId agentId version source sourceScheduleId createdAt updatedAt
    config { workspaceId name chatModelConfig { type credentialId model parameters } }
    state {
      sessionId replyId curIter
      summary { ...TextOrBlocksFields }
      context {
        id name role metadata createdAt finishedAt usage { inputTokens outputTokens }
        content {
          __typename
          ... on TextBlock { id text }
          ... on ThinkingBlock { id thinking extra }
          ... on HintBlock { id hint }
          ... on ToolCallBlock { id name input callState: state extra suggestedRules { ...Rule } }
          ... on ToolResultBlock { id name resultState: state output { ...TextOrBlocksFields } }
          ... on DataBlock { id dataName: name source { __typename ... on Base64Source { data mediaType } ... on UrlSource { url mediaType } } }
        }
      }
      permissionContext {
        mode
        workingDirectories { path source }
        allowRules { ...Rule }
        denyRules { ...Rule }
        askRules { ...Rule }
      }
      toolContext { maxCacheFiles maxCacheBytes activatedGroups readFileCache { filePath lines updatedAt bytes } }
      tasksContext { tasks { id subject description metadata createdAt state owner blocks blockedBy } }
    }
  }
`;

export const CREATE_SESSION = /* GraphQL */ `
  mutation Create($input: CreateSessionInput!) { createSession(input: $input) { ...SessionFields } }
  ${SESSION_FIELDS}
`;

export const GET_SESSION = /* GraphQL */ `
  query Get($id: ID!, $agentId: ID!) { session(id: $id, agentId: $agentId) { ...SessionFields } }
  ${SESSION_FIELDS}
`;

export const UPDATE_SESSION = /* GraphQL */ `
  mutation Update($id: ID!, $agentId: ID!, $input: UpdateSessionInput!, $expectedVersion: Int) {
    updateSession(id: $id, agentId: $agentId, input: $input, expectedVersion: $expectedVersion) { ...SessionFields }
  }
  ${SESSION_FIELDS}
`;

export const REPLACE_STATE = /* GraphQL */ `
  mutation Replace($id: ID!, $agentId: ID!, $state: AgentStateInput!, $expectedVersion: Int) {
    replaceSessionState(id: $id, agentId: $agentId, state: $state, expectedVersion: $expectedVersion) { ...SessionFields }
  }
  ${SESSION_FIELDS}
`;

export const DELETE_SESSION = /* GraphQL */ `
  mutation Delete($id: ID!, $agentId: ID!) { deleteSession(id: $id, agentId: $agentId) }
`;

export const LIST_SESSIONS = /* GraphQL */ `
  query List($agentId: ID!, $first: Int, $after: String) {
    sessions(agentId: $agentId, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id config { name } updatedAt } }
    }
  }
`;

/** A state using every part of the model: both summary forms are covered by the tests. */
export const FULL_STATE = {
  summary: { blocks: [{ text: { id: 's1', text: 'Earlier: the user asked for a report.' } }, { data: { id: 's2', name: 'chart.png', source: { url: { url: 'https://example.com/c.png', mediaType: 'image/png' } } } }] },
  replyId: 'reply-1',
  curIter: 3,
  context: [
    {
      id: 'm1',
      name: 'user',
      role: 'USER',
      createdAt: '2026-11-28 10:00:00.000',
      metadata: { channel: 'web' },
      content: [
        { text: { id: 'b1', text: 'Summarise the repo' } },
        { data: { id: 'b2', source: { base64: { data: 'aGVsbG8=', mediaType: 'text/plain' } } } },
      ],
    },
    {
      id: 'm2',
      name: 'assistant',
      role: 'ASSISTANT',
      createdAt: '2026-11-28 10:00:01.000',
      finishedAt: '2026-11-28 10:00:05.000',
      usage: { inputTokens: 120, outputTokens: 40 },
      content: [
        { thinking: { id: 'b3', thinking: 'Read the files first.', extra: { signature: 'sig-abc' } } },
        { hint: { id: 'b4', hint: 'Be brief.' } },
        {
          toolCall: {
            id: 'call-1',
            name: 'Read',
            input: '{"path": "README.md"}',
            state: 'FINISHED',
            extra: { call_id: 'oa-1' },
            suggestedRules: [{ toolName: 'Read', ruleContent: 'src/**', behavior: 'ALLOW', source: 'session' }],
          },
        },
        { toolResult: { id: 'call-1', name: 'Read', state: 'SUCCESS', output: { text: '# Readme' } } },
        { toolResult: { id: 'call-2', name: 'Shot', state: 'ERROR', output: { blocks: [{ text: { id: 'b5', text: 'failed' } }] } } },
      ],
    },
  ],
  permissionContext: {
    mode: 'ACCEPT_EDITS',
    workingDirectories: [{ path: '/work', source: 'session' }],
    allowRules: [{ toolName: 'Bash', ruleContent: 'npm test', behavior: 'ALLOW', source: 'user' }],
    denyRules: [{ toolName: 'Write', ruleContent: null, behavior: 'DENY', source: 'policy' }],
    askRules: [],
  },
  toolContext: {
    maxCacheFiles: 10,
    maxCacheBytes: 50_000,
    activatedGroups: ['files'],
    readFileCache: [{ filePath: 'README.md', lines: ['# Readme', ''], updatedAt: 1_795_000_000.5, bytes: 9 }],
  },
  tasksContext: {
    tasks: [
      { id: 't1', subject: 'Read', description: 'Read the files', metadata: { priority: 1 }, createdAt: '2026-11-28T10:00:00Z', state: 'COMPLETED', owner: 'agent', blocks: ['t2'] },
      { id: 't2', subject: 'Write', description: 'Write the report', createdAt: '2026-11-28T10:00:00Z', blockedBy: ['t1'] },
    ],
  },
};
