import { graphql, type InputOf, type ResultOf } from '../graphql/graphql.js';
import type { GraphQLResponse } from './fixtures.js';

const BLOCKS = graphql(`
  fragment Blocks on SessionTextOrDataBlock {
    __typename
    ... on SessionTextBlock { id text }
    ... on SessionDataBlock { id fileName source { __typename ... on SessionBase64Source { data mediaType } ... on SessionUrlSource { url mediaType } } }
  }
`);

const TEXT_OR_BLOCKS = graphql(
  `
  fragment TextOrBlocksFields on SessionTextOrBlocks {
    __typename
    ... on SessionPlainText { text }
    ... on SessionBlockList { blocks { ...Blocks } }
  }
`,
  [BLOCKS],
);

const RULE = graphql(`
  fragment Rule on SessionPermissionRule { toolName ruleContent behavior source }
`);

/** Every field of a session, nested state included, for round-trip assertions. */
export const SESSION_FIELDS = graphql(
  `
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
          id
          ... on SessionTextBlock { text }
          ... on SessionThinkingBlock { thinking extra }
          ... on SessionHintBlock { hint }
          ... on SessionToolCallBlock { name input callState extra suggestedRules { ...Rule } }
          ... on SessionToolResultBlock { name resultState output { ...TextOrBlocksFields } }
          ... on SessionDataBlock { fileName source { __typename ... on SessionBase64Source { data mediaType } ... on SessionUrlSource { url mediaType } } }
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
`,
  [TEXT_OR_BLOCKS, RULE],
);

/** What every write result may be besides its payload: the typed expected failures. */
export const WRITE_FAILURES = graphql(`
  fragment WriteFailure on SessionError {
    __typename
    message
    ... on SessionVersionConflictError { sessionId expectedVersion currentVersion }
    ... on SessionNotFoundError { sessionId }
    ... on SessionTaskNotFoundError { taskId }
    ... on SessionInvalidInputError { issues { path message } }
    ... on SessionReferenceNotFoundError { referenceType referenceId }
  }
`);

export const CREATE_SESSION = graphql(
  `
  mutation Create($input: CreateSessionInput!) {
    createSession(input: $input) { __typename ... on CreateSessionPayload { session { ...SessionFields } } ...WriteFailure }
  }
`,
  [SESSION_FIELDS, WRITE_FAILURES],
);

export const GET_SESSION = graphql(
  `
  query ReadSession($id: ID!, $agentId: ID!) { session(id: $id, agentId: $agentId) { ...SessionFields } }
`,
  [SESSION_FIELDS],
);

export const UPDATE_SESSION = graphql(
  `
  mutation Update($input: UpdateSessionInput!) {
    updateSession(input: $input) { __typename ... on UpdateSessionPayload { session { ...SessionFields } } ...WriteFailure }
  }
`,
  [SESSION_FIELDS, WRITE_FAILURES],
);

export const REPLACE_STATE = graphql(
  `
  mutation Replace($input: ReplaceSessionStateInput!) {
    replaceSessionState(input: $input) { __typename ... on ReplaceSessionStatePayload { session { ...SessionFields } } ...WriteFailure }
  }
`,
  [SESSION_FIELDS, WRITE_FAILURES],
);

export const DELETE_SESSION = graphql(
  `
  mutation Delete($input: DeleteSessionInput!) {
    deleteSession(input: $input) { __typename ... on DeleteSessionPayload { deletedSessionId lastVersion } ...WriteFailure }
  }
`,
  [WRITE_FAILURES],
);

export const LIST_SESSIONS = graphql(`
  query List($agentId: ID!, $first: Int, $after: String) {
    sessions(agentId: $agentId, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id config { name } updatedAt } }
    }
  }
`);

/** A session's state as the GraphQL inputs take it. */
export type SessionStateInput = InputOf<'SessionAgentStateInput'>;

/** A state using every part of the model: both summary forms are covered by the tests. */
export const FULL_STATE = {
  summary: {
    blocks: [
      { text: { id: 's1', text: 'Earlier: the user asked for a report.' } },
      {
        data: {
          id: 's2',
          fileName: 'chart.png',
          source: { url: { url: 'https://example.com/c.png', mediaType: 'image/png' } },
        },
      },
    ],
  },
  replyId: 'reply-1',
  curIter: 3,
  context: [
    {
      id: 'm1',
      name: 'user',
      role: 'USER',
      createdAt: '2026-11-28T10:00:00.000Z',
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
      createdAt: '2026-11-28T10:00:01.000Z',
      finishedAt: '2026-11-28T10:00:05.000Z',
      usage: { inputTokens: 120, outputTokens: 40 },
      content: [
        { thinking: { id: 'b3', thinking: 'Read the files first.', extra: { signature: 'sig-abc' } } },
        { hint: { id: 'b4', hint: 'Be brief.' } },
        {
          toolCall: {
            id: 'call-1',
            name: 'Read',
            input: '{"path": "README.md"}',
            callState: 'FINISHED',
            extra: { call_id: 'oa-1' },
            suggestedRules: [{ toolName: 'Read', ruleContent: 'src/**', behavior: 'ALLOW', source: 'session' }],
          },
        },
        { toolResult: { id: 'call-1', name: 'Read', resultState: 'SUCCESS', output: { text: '# Readme' } } },
        {
          toolResult: {
            id: 'call-2',
            name: 'Shot',
            resultState: 'ERROR',
            output: { blocks: [{ text: { id: 'b5', text: 'failed' } }] },
          },
        },
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
      {
        id: 't1',
        subject: 'Read',
        description: 'Read the files',
        metadata: { priority: 1 },
        createdAt: '2026-11-28T10:00:00.000Z',
        state: 'COMPLETED',
        owner: 'agent',
        blocks: ['t2'],
      },
      {
        id: 't2',
        subject: 'Write',
        description: 'Write the report',
        createdAt: '2026-11-28T10:00:00.000Z',
        blockedBy: ['t1'],
      },
    ],
  },
} satisfies SessionStateInput;

/** The variables of a write of an existing session: its address, the expected version and the change. */
export function writeOf<Change extends object = Record<never, never>>(
  ref: { id: string; agentId: string },
  change: Change = {} as Change,
  expectedVersion?: number | null,
): { input: { sessionId: string; agentId: string; expectedVersion?: number } & Change } {
  return {
    input: { sessionId: ref.id, agentId: ref.agentId, ...(expectedVersion != null && { expectedVersion }), ...change },
  };
}

/**
 * What a single-mutation response came to: the code of its error, else the type of its result
 * (the payload, or a typed failure such as SessionVersionConflictError).
 */
export function outcomeOf(response: {
  data?: Record<string, { __typename: string } | null> | null;
  errors?: Array<{ extensions?: Record<string, any> }>;
}): string | undefined {
  return response.errors?.[0]?.extensions?.code ?? Object.values(response.data ?? {})[0]?.__typename;
}

/**
 * The member `typename` of a union result (a payload or a typed failure), for reading its fields;
 * throws, showing what came instead, when the result is another member or missing.
 */
export function memberOf<Result extends { __typename: string }, Typename extends Result['__typename']>(
  result: Result | null | undefined,
  typename: Typename,
): Extract<Result, { __typename: Typename }> {
  if (result?.__typename !== typename) throw new Error(`expected ${typename}, got ${JSON.stringify(result)}`);
  return result as Extract<Result, { __typename: Typename }>;
}

/** The session a CREATE_SESSION answer made; throws, showing the answer, when it made none. */
export function createdSession(response: GraphQLResponse<ResultOf<typeof CREATE_SESSION>>) {
  return memberOf(response.data?.createSession, 'CreateSessionPayload').session;
}

/** What an existing session's write may change: its input without the address and the expected version. */
export type ChangeOf<Input extends string> = Omit<InputOf<Input>, 'sessionId' | 'agentId' | 'expectedVersion'>;
