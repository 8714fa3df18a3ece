import { print } from 'graphql';
import { graphql } from './graphql/graphql.js';
import {
  CREATE_SESSION,
  createdSession,
  GET_SESSION,
  LIST_SESSIONS,
  REPLACE_STATE,
  UPDATE_SESSION,
  writeOf,
} from './support/documents.js';
import { describe, expect, type RawGraphQLResponse, test, type TestApp } from './support/fixtures.js';

/**
 * Each bad input fails naming the bad field's path, and writes nothing: a mutation answers with a
 * SessionInvalidInputError (paths as strings); a value graphql-js cannot even coerce, and a bad
 * argument of a query field, are BAD_USER_INPUT errors.
 */
function expectBadInput(
  result: { data?: object | null; errors?: RawGraphQLResponse['errors'] },
  path: Array<string | number>,
) {
  const typed = Object.values(result.data ?? {})[0] as
    | { __typename?: string; issues?: Array<{ path: string[] }> }
    | undefined;
  if (!result.errors && typed?.__typename === 'SessionInvalidInputError') {
    expect(typed.issues!.map((issue) => issue.path)).toContainEqual(path.map(String));
    return;
  }
  expect(result.errors, JSON.stringify(result)).toHaveLength(1);
  const [error] = result.errors!;
  expect(error!.extensions!.code).toBe('BAD_USER_INPUT');
  expect(error!.extensions!.issues.map((issue: { path: unknown }) => issue.path)).toContainEqual(path);
}

const AGENT = 'validation-agent';
const MODEL = { type: 'openai', credentialId: 'cred-1', model: 'gpt-5', parameters: {} };
const message = <Overrides extends object>(overrides?: Overrides) => ({
  name: 'user',
  role: 'USER' as const,
  content: [{ text: { text: 'hi' } }],
  ...overrides,
});

/** Inputs the input types refuse (wrong types, unknown fields) go by the raw path. */
const badCreates: Array<[string, Record<string, unknown>, Array<string | number>]> = [
  ['an empty agentId', { agentId: '' }, ['input', 'agentId']],
  ['an oversized agentId', { agentId: 'a'.repeat(256) }, ['input', 'agentId']],
  ['an empty name', { name: '' }, ['input', 'name']],
  ['an oversized name', { name: 'n'.repeat(501) }, ['input', 'name']],
  ['a wrong source enum value', { source: 'CRON' }, ['input', 'source']],
  ['an unknown input field', { userId: 'mallory' }, ['input']],
  [
    'array parameters',
    { chatModelConfig: { ...MODEL, parameters: [1, 2] } },
    ['input', 'chatModelConfig', 'parameters'],
  ],
  [
    'string parameters',
    { chatModelConfig: { ...MODEL, parameters: 'temperature=1' } },
    ['input', 'chatModelConfig', 'parameters'],
  ],
  ['an empty model', { chatModelConfig: { ...MODEL, model: '' } }, ['input', 'chatModelConfig', 'model']],
  [
    'a missing credentialId',
    { chatModelConfig: { type: 't', model: 'm' } },
    ['input', 'chatModelConfig', 'credentialId'],
  ],
  [
    'oversized parameters',
    { chatModelConfig: { ...MODEL, parameters: { blob: 'x'.repeat(70_000) } } },
    ['input', 'chatModelConfig', 'parameters'],
  ],
  [
    'a wrong permission mode',
    { state: { permissionContext: { mode: 'YOLO' } } },
    ['input', 'state', 'permissionContext', 'mode'],
  ],
  [
    'non-object message metadata',
    { state: { context: [message({ metadata: [1] })] } },
    ['input', 'state', 'context', 0, 'metadata'],
  ],
  [
    'a message without role',
    { state: { context: [{ name: 'n', content: [] }] } },
    ['input', 'state', 'context', 0, 'role'],
  ],
  [
    'a content block of two kinds',
    { state: { context: [message({ content: [{ text: { text: 'a' }, hint: { hint: 'b' } }] })] } },
    ['input', 'state', 'context', 0, 'content', 0],
  ],
  [
    'a content block of no kind',
    { state: { context: [message({ content: [{}] })] } },
    ['input', 'state', 'context', 0, 'content', 0],
  ],
  [
    'a tool call without id',
    { state: { context: [message({ content: [{ toolCall: { name: 'Bash', input: '{}' } }] })] } },
    ['input', 'state', 'context', 0, 'content', 0, 'toolCall', 'id'],
  ],
  [
    'a data block with a bad URL',
    {
      state: {
        context: [message({ content: [{ data: { source: { url: { url: 'not a url', mediaType: 'image/png' } } } }] })],
      },
    },
    ['input', 'state', 'context', 0, 'content', 0, 'data', 'source', 'url', 'url'],
  ],
  ['a summary of both forms', { state: { summary: { text: 'a', blocks: [] } } }, ['input', 'state', 'summary']],
  [
    'non-object task metadata',
    { state: { tasksContext: { tasks: [{ subject: 's', description: 'd', metadata: 'x' }] } } },
    ['input', 'state', 'tasksContext', 'tasks', 0, 'metadata'],
  ],
  [
    'a wrong task state',
    { state: { tasksContext: { tasks: [{ subject: 's', description: 'd', state: 'DONE' }] } } },
    ['input', 'state', 'tasksContext', 'tasks', 0, 'state'],
  ],
  [
    'too many activated groups',
    { state: { toolContext: { activatedGroups: Array.from({ length: 201 }, (_, i) => `g${i}`) } } },
    ['input', 'state', 'toolContext', 'activatedGroups'],
  ],
  [
    'too many tasks',
    { state: { tasksContext: { tasks: Array.from({ length: 1001 }, () => ({ subject: 's', description: 'd' })) } } },
    ['input', 'state', 'tasksContext', 'tasks'],
  ],
  [
    'maxCacheFiles of 1',
    { state: { toolContext: { maxCacheFiles: 1 } } },
    ['input', 'state', 'toolContext', 'maxCacheFiles'],
  ],
  [
    'maxCacheBytes of 10000',
    { state: { toolContext: { maxCacheBytes: 10_000 } } },
    ['input', 'state', 'toolContext', 'maxCacheBytes'],
  ],
  ['a negative curIter', { state: { curIter: -1 } }, ['input', 'state', 'curIter']],
  ['a non-integer curIter', { state: { curIter: 'x' } }, ['input', 'state', 'curIter']],
];

async function sessionCount(service: TestApp) {
  return (await service.graphql(LIST_SESSIONS, { agentId: AGENT })).data!.sessions.totalCount;
}

describe('createSession rejects bad input and writes nothing', () => {
  for (const [what, overrides, path] of badCreates) {
    test(what, async ({ service }) => {
      const result = await service.sendRawDocument(print(CREATE_SESSION), { input: { agentId: AGENT, ...overrides } });
      expectBadInput(result, path);
      expect(await sessionCount(service)).toBe(0);
    });
  }

  test('several bad fields are all reported', async ({ service }) => {
    const result = await service.graphql(CREATE_SESSION, {
      input: { agentId: AGENT, name: '', chatModelConfig: { ...MODEL, type: '', parameters: 3 } },
    });
    expectBadInput(result, ['input', 'name']);
    expectBadInput(result, ['input', 'chatModelConfig', 'type']);
    expectBadInput(result, ['input', 'chatModelConfig', 'parameters']);
  });

  test('duplicate message ids in the context', async ({ service }) => {
    const result = await service.graphql(CREATE_SESSION, {
      input: { agentId: AGENT, state: { context: [message({ id: 'same' }), message({ id: 'same' })] } },
    });
    expectBadInput(result, ['input', 'state', 'context', 1, 'id']);
    expect(await sessionCount(service)).toBe(0);
  });

  test('duplicate task ids', async ({ service }) => {
    const tasks = [
      { id: 't', subject: 'a', description: 'd' },
      { id: 't', subject: 'b', description: 'd' },
    ];
    const result = await service.graphql(CREATE_SESSION, {
      input: { agentId: AGENT, state: { tasksContext: { tasks } } },
    });
    expectBadInput(result, ['input', 'state', 'tasksContext', 'tasks', 1, 'id']);
    expect(await sessionCount(service)).toBe(0);
  });
});

describe('updateSession and replaceSessionState reject bad input and change nothing', () => {
  test.for([
    ['a wrong permission mode', { permissionMode: 'LOUD' }, ['input', 'permissionMode']],
    ['an empty name', { name: '' }, ['input', 'name']],
    [
      'non-object parameters',
      { chatModelConfig: { ...MODEL, parameters: 5 } },
      ['input', 'chatModelConfig', 'parameters'],
    ],
    ['an unknown field', { permission_mode: 'EXPLORE' }, ['input']],
  ] as const)('%s', async ([, input, path], { service }) => {
    const created = createdSession(
      await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, name: 'kept', chatModelConfig: MODEL } }),
    );
    // Inputs the input type refuses, as a client could not send them typed: the raw path.
    expectBadInput(await service.sendRawDocument(print(UPDATE_SESSION), writeOf(created, input)), [...path]);
    expect((await service.graphql(GET_SESSION, { id: created.id, agentId: AGENT })).data!.session).toEqual(created);
  });

  test('a context that reorders messages already in the history', async ({ service }) => {
    const state = { context: [message({ id: 'a' }), message({ id: 'b' })] };
    const created = createdSession(await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, state } }));
    const reordered = { context: [message({ id: 'b' }), message({ id: 'a' })] };
    expectBadInput(await service.graphql(REPLACE_STATE, writeOf(created, { state: reordered })), [
      'input',
      'state',
      'context',
      1,
    ]);
    const newFirst = { context: [message({ id: 'c' }), message({ id: 'a' })] };
    expectBadInput(await service.graphql(REPLACE_STATE, writeOf(created, { state: newFirst })), [
      'input',
      'state',
      'context',
      1,
    ]);
    expect((await service.graphql(GET_SESSION, { id: created.id, agentId: AGENT })).data!.session).toEqual(created);
  });

  test('a malformed state', async ({ service }) => {
    const created = createdSession(await service.graphql(CREATE_SESSION, { input: { agentId: AGENT } }));
    const state = {
      summary: { text: 'new' },
      context: [message({ content: [{ toolResult: { id: 'c', name: 'n', output: {} } }] })],
    };
    // A tool result without its resultState, which the input type requires: the raw path.
    expectBadInput(await service.sendRawDocument(print(REPLACE_STATE), writeOf(created, { state })), [
      'input',
      'state',
      'context',
      0,
      'content',
      0,
      'toolResult',
      'output',
    ]);
    expect((await service.graphql(GET_SESSION, { id: created.id, agentId: AGENT })).data!.session).toEqual(created);
  });
});

describe('crafted cursors and oversized caller ids are refused, not failed', () => {
  test('a history cursor beyond the sequence range, a session cursor with an impossible date or id', async ({
    service,
  }) => {
    const created = createdSession(await service.graphql(CREATE_SESSION, { input: { agentId: AGENT } }));
    const cursor = (values: string[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
    const history = graphql(
      `query HistoryAfter($id: ID!, $agentId: ID!, $after: String) { session(id: $id, agentId: $agentId) { id messages(first: 1, after: $after) { totalCount } } }`,
    );
    expectBadInput(await service.graphql(history, { id: created.id, agentId: AGENT, after: cursor(['99999999999']) }), [
      'after',
    ]);
    for (const after of [
      cursor(['updatedAt', '-010000-01-01T00:00:00.000Z', 'x']),
      cursor(['updatedAt', new Date().toISOString(), 'a\u0000b']),
    ]) {
      expectBadInput(await service.graphql(LIST_SESSIONS, { agentId: AGENT, after }), ['after']);
    }
  });

  test('a caller id longer than an owner id can be is UNAUTHENTICATED', async ({ service }) => {
    const { errors } = await service.graphql(
      CREATE_SESSION,
      { input: { agentId: AGENT } },
      { userId: 'u'.repeat(256) },
    );
    expect(errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('sessions rejects bad paging arguments', () => {
  test.for([
    ['first: 0', { first: 0 }, ['first']],
    ['first: 101', { first: 101 }, ['first']],
    ['first: -5', { first: -5 }, ['first']],
    ['a cursor that is not base64 JSON', { after: 'not-a-cursor' }, ['after']],
    ['a cursor of the wrong shape', { after: Buffer.from(JSON.stringify({ a: 1 })).toString('base64url') }, ['after']],
    [
      'a cursor with a bad date',
      { after: Buffer.from(JSON.stringify(['yesterday', 'x'])).toString('base64url') },
      ['after'],
    ],
  ] as const)('%s', async ([, args, path], { service }) => {
    expectBadInput(await service.graphql(LIST_SESSIONS, { agentId: AGENT, ...args }), [...path]);
  });
});
