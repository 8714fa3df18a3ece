import { test as base } from 'vitest';
import { federationDocument, graphql, type InputOf, type ResultOf } from './graphql/graphql.js';
import { memberOf, outcomeOf, type SessionStateInput } from './support/documents.js';
import {
  describe,
  expect,
  type GraphQLResponse,
  type RawGraphQLResponse,
  startTestApp,
  type TestApp,
} from './support/fixtures.js';

/*
 * Issue 10, the data items: federation's `_entities` bounded and batched, list filters that mean
 * what they say, inputs that fit their columns and context windows that stay within their limit.
 */

const MAX_REPRESENTATIONS = 100;

const test = base.extend<{ service: TestApp }>({
  service: [
    async ({}, use) => {
      const service = await startTestApp({ env: { MAX_ENTITY_REPRESENTATIONS: String(MAX_REPRESENTATIONS) } });
      await use(service);
      await service.close();
    },
    { scope: 'file' },
  ],
});

const ENTITIES = federationDocument(/* GraphQL */ `
  query EntitiesCapped($representations: [_Any!]!, $more: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Agent { id sessions(first: 2) { totalCount edges { node { id config { name } } } } }
      ... on Session { id }
    }
    more: _entities(representations: $more) { ... on Agent { id } }
  }
`);

const LIST = graphql(`
  query ListFiltered($agentId: ID!, $filter: SessionFilter) {
    sessions(agentId: $agentId, first: 100, filter: $filter) { totalCount edges { node { id config { name } } } }
  }
`);

const AGENT_SESSIONS = federationDocument(/* GraphQL */ `
  query AgentSessions($representations: [_Any!]!, $filter: SessionFilter) {
    _entities(representations: $representations) { ... on Agent { id sessions(filter: $filter) { totalCount } } }
  }
`);

const CREATE = graphql(`
  mutation CreateForData($input: CreateSessionInput!) {
    createSession(input: $input) { __typename ... on CreateSessionPayload { session { id agentId } } }
  }
`);

const COUNT = graphql(`
  query CountForData($agentId: ID!) { sessions(agentId: $agentId) { totalCount } }
`);

const agentRef = (id: string) => ({ __typename: 'Agent', id });

async function createSession(service: TestApp, userId: string, agentId: string, name?: string) {
  const { data, errors } = await service.graphql(CREATE, { input: { agentId, name } }, { userId });
  expect(errors).toBeUndefined();
  expect(data!.createSession.__typename).toBe('CreateSessionPayload');
  return memberOf(data!.createSession, 'CreateSessionPayload').session;
}

describe('_entities', () => {
  test(`takes at most MAX_ENTITY_REPRESENTATIONS (${MAX_REPRESENTATIONS}) representations per request, aliases together`, async ({
    service,
  }) => {
    const refs = (count: number) => Array.from({ length: count }, (_, index) => agentRef(`cap-agent-${index}`));
    let response!: GraphQLResponse<ResultOf<typeof ENTITIES>>;
    const statements = await service.countStatements(async () => {
      response = await service.graphql(ENTITIES, { representations: refs(51), more: refs(50) }, { userId: 'cap-user' });
    });
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toMatchObject([
      {
        extensions: { code: 'BAD_USER_INPUT' },
        message: expect.stringContaining(`At most ${MAX_REPRESENTATIONS} representations`),
      },
    ]);
    // Refused before anything was read.
    expect(statements).toBe(0);
    const accepted = await service.graphql(
      ENTITIES,
      { representations: refs(50), more: refs(50) },
      { userId: 'cap-user' },
    );
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data!._entities).toHaveLength(50);
  });

  test('Agent.sessions of many representations costs the same statements for 3 agents and for 60', async ({
    service,
  }) => {
    const agents = Array.from({ length: 60 }, (_, index) => `batch-agent-${index}`);
    for (const agentId of agents.slice(0, 3)) {
      await createSession(service, 'batch-user', agentId, `${agentId} one`);
      await createSession(service, 'batch-user', agentId, `${agentId} two`);
      await createSession(service, 'batch-user', agentId, `${agentId} three`);
    }
    const resolve = async (count: number) => {
      let data: ResultOf<typeof ENTITIES> | undefined;
      const statements = await service.countStatements(async () => {
        const response = await service.graphql(
          ENTITIES,
          { representations: agents.slice(0, count).map(agentRef), more: [] },
          { userId: 'batch-user' },
        );
        expect(response.errors).toBeUndefined();
        data = response.data;
      });
      return { statements, entities: data!._entities };
    };
    const few = await resolve(3);
    const many = await resolve(60);
    // One statement for a page of every agent, one for their counts.
    expect(few.statements).toBe(2);
    expect(many.statements).toBe(2);
    expect(many.entities[0]).toEqual({
      id: 'batch-agent-0',
      sessions: {
        totalCount: 3,
        edges: [
          { node: { id: expect.any(String), config: { name: 'batch-agent-0 three' } } },
          { node: { id: expect.any(String), config: { name: 'batch-agent-0 two' } } },
        ],
      },
    });
    expect(many.entities[2]).toMatchObject({ sessions: { totalCount: 3 } });
    expect(many.entities[59]).toEqual({ id: 'batch-agent-59', sessions: { totalCount: 0, edges: [] } });
  });

  test.for([
    ['a NUL in an id', { __typename: 'Agent', id: 'agent\u0000x' }, 'id'],
    ['a NUL in a session id', { __typename: 'Session', id: 'session\u0000x' }, 'id'],
    ['no __typename', { id: 'agent-1' }, '__typename'],
    ['__typename __proto__', { __typename: '__proto__', id: 'agent-1' }, '__typename'],
    ['__typename constructor', { __typename: 'constructor', id: 'agent-1' }, '__typename'],
    ['__typename of a type that is no entity', { __typename: 'Query', id: 'agent-1' }, '__typename'],
    ['a representation that is no object', 'Agent', '__typename'],
  ] as const)('a representation with %s is BAD_USER_INPUT', async ([, representation, field], { service }) => {
    const { errors, data } = await service.graphql(
      ENTITIES,
      { representations: [representation], more: [] },
      { userId: 'bad-ref-user' },
    );
    expect(data?._entities ?? null).toBeNull();
    expect(errors).toHaveLength(1);
    expect(errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(JSON.stringify(errors![0]!.extensions!.issues)).toContain(field);
  });
});

describe('list filters', () => {
  test('nameContains is a plain substring: %, _ and \\ match only themselves', async ({ service }) => {
    const names = ['100% done', '100 percent done', 'a_b', 'axb', 'back\\slash', 'backslash'];
    for (const name of names) await createSession(service, 'like-user', 'like-agent', name);
    const list = async (nameContains: string) => {
      const { data, errors } = await service.graphql(
        LIST,
        { agentId: 'like-agent', filter: { nameContains } },
        { userId: 'like-user' },
      );
      expect(errors).toBeUndefined();
      return { count: data!.sessions.totalCount, names: data!.sessions.edges.map((edge) => edge.node.config.name) };
    };
    expect(await list('%')).toEqual({ count: 1, names: ['100% done'] });
    expect(await list('0% d')).toEqual({ count: 1, names: ['100% done'] });
    expect(await list('_')).toEqual({ count: 1, names: ['a_b'] });
    expect(await list('\\')).toEqual({ count: 1, names: ['back\\slash'] });
    expect(await list('BACK')).toEqual({ count: 2, names: ['backslash', 'back\\slash'] });
  });

  test.for(['updatedAfter', 'updatedBefore', 'createdAfter', 'createdBefore'])(
    'a %s in year 0 is BAD_USER_INPUT on Query.sessions and Agent.sessions',
    async (field, { service }) => {
      const filter = { [field]: '0000-01-01T00:00:00Z' };
      const listed = await service.graphql(LIST, { agentId: 'date-agent', filter }, { userId: 'date-user' });
      expect(listed.errors).toMatchObject([
        { extensions: { code: 'BAD_USER_INPUT', issues: [{ path: ['filter', field] }] } },
      ]);
      const federated = await service.graphql(
        AGENT_SESSIONS,
        { representations: [agentRef('date-agent')], filter },
        { userId: 'date-user' },
      );
      expect(federated.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT' } }]);
    },
  );
});

const CREATE_WITH = graphql(`
  mutation CreateWith($input: CreateSessionInput!) {
    createSession(input: $input) { __typename ... on CreateSessionPayload { session { id } } }
  }
`);

const APPEND = graphql(`
  mutation AppendToFullContext($input: AppendSessionMessagesInput!) {
    appendSessionMessages(input: $input) {
      __typename
      ... on AppendSessionMessagesPayload { session { id version state { context(last: 1) { id } } messages { totalCount } } }
      ... on SessionInvalidInputError { message issues { path message } }
    }
  }
`);

/** The input of an append to the session `ref`. */
const appendTo = (ref: { id: string; agentId: string }, messages: InputOf<'SessionMessageInput'>[]) => ({
  input: { sessionId: ref.id, agentId: ref.agentId, messages },
});

const message = (fields: Partial<InputOf<'SessionMessageInput'>> = {}): InputOf<'SessionMessageInput'> => ({
  name: 'user',
  role: 'USER',
  content: [{ text: { text: 'hi' } }],
  ...fields,
});

/** How a test writes a value into each client-written bounded column, through createSession. */
type ColumnInput = {
  input?: Partial<InputOf<'CreateSessionInput'>>;
  state?: SessionStateInput;
  userId?: string;
  idempotencyKey?: string;
};
const INPUT_OF_COLUMN: Record<string, (value: string) => ColumnInput> = {
  'sessions.user_id': (value) => ({ userId: value }),
  'sessions.agent_id': (value) => ({ input: { agentId: value } }),
  'sessions.workspace_id': (value) => ({ input: { workspaceId: value } }),
  'sessions.name': (value) => ({ input: { name: value } }),
  'sessions.source_schedule_id': (value) => ({ input: { sourceScheduleId: value } }),
  'agent_states.reply_id': (value) => ({ state: { replyId: value } }),
  'messages.id': (value) => ({ state: { context: [message({ id: value })] } }),
  'messages.name': (value) => ({ state: { context: [message({ name: value })] } }),
  'tasks.id': (value) => ({ state: { tasksContext: { tasks: [{ subject: 's', description: 'd', id: value }] } } }),
  'tasks.owner': (value) => ({
    state: { tasksContext: { tasks: [{ subject: 's', description: 'd', owner: value }] } },
  }),
  'idempotency_keys.user_id': (value) => ({ userId: value, idempotencyKey: 'column-key' }),
  'idempotency_keys.key': (value) => ({ idempotencyKey: value }),
};
/** Bounded columns whose values the service makes itself. */
const GENERATED_COLUMNS = [
  'sessions.id',
  'agent_states.session_id',
  'messages.session_id',
  'tasks.session_id',
  'idempotency_keys.fingerprint',
];
/**
 * Bounded columns written from a `DateTime` input. GraphQL parses it and the service stores its ISO
 * form, so no value can exceed the column (and REST writes no messages or tasks): the check is that
 * the longest ISO form a Date has (an expanded year, `+275760-09-13T00:00:00.000Z`) fits.
 */
const DATE_TIME_COLUMNS = ['messages.created_at', 'messages.finished_at', 'tasks.created_at'];
const LONGEST_ISO_TIME = new Date(8.64e15).toISOString();

describe('input limits agree with the columns', () => {
  test('every bounded text column takes a value of its full size, and one character more is SessionInvalidInputError (not a 500)', async ({
    service,
  }) => {
    const columns = await service.app.database.query<{ table_name: string; column_name: string; size: number }>(
      `SELECT table_name, column_name, character_maximum_length AS size FROM information_schema.columns
       WHERE table_schema = current_schema() AND character_maximum_length IS NOT NULL AND table_name <> '_prisma_migrations'`,
      [],
    );
    const bounded = columns.map((column) => `${column.table_name}.${column.column_name}`);
    // A new bounded column needs its input path here (or is generated): the limits cannot drift unseen.
    expect(bounded.sort()).toEqual(
      [...Object.keys(INPUT_OF_COLUMN), ...GENERATED_COLUMNS, ...DATE_TIME_COLUMNS].sort(),
    );
    for (const column of columns) {
      const name = `${column.table_name}.${column.column_name}`;
      if (DATE_TIME_COLUMNS.includes(name)) expect(LONGEST_ISO_TIME.length, name).toBeLessThanOrEqual(column.size);
      const write = INPUT_OF_COLUMN[name];
      if (!write) continue;
      const send = (value: string) => {
        const { input = {}, state, userId = 'column-user', idempotencyKey } = write(value);
        return service.graphql(
          CREATE_WITH,
          { input: { agentId: 'column-agent', ...input, ...(state && { state }), idempotencyKey } },
          { userId },
        );
      };
      const fits = await send('x'.repeat(column.size));
      expect(fits.errors, `${name} at ${column.size}`).toBeUndefined();
      expect(outcomeOf(fits), `${name} at ${column.size}`).toBe('CreateSessionPayload');
      const over = await send('y'.repeat(column.size + 1));
      // The caller is no input: a user id over its column is refused as no caller at all.
      const expected = column.column_name === 'user_id' ? 'UNAUTHENTICATED' : 'SessionInvalidInputError';
      expect(
        over.errors?.map((error) => error.extensions?.code) ?? [outcomeOf(over)],
        `${name} at ${column.size + 1}`,
      ).toEqual([expected]);
    }
  });
});

describe('the context limit', () => {
  test('appendSessionMessages cannot grow the context past 5,000 messages; after compaction it can append again', async ({
    service,
  }) => {
    const ref = await createSession(service, 'context-user', 'context-agent');
    const thousand = Array.from({ length: 1_000 }, () => message());
    for (let batch = 0; batch < 5; batch++) {
      const appended = await service.graphql(APPEND, appendTo(ref, thousand), { userId: 'context-user' });
      expect(appended.errors).toBeUndefined();
      expect(outcomeOf(appended)).toBe('AppendSessionMessagesPayload');
    }
    const refused = await service.graphql(APPEND, appendTo(ref, [message({ id: 'one-too-many' })]), {
      userId: 'context-user',
    });
    expect(refused.errors).toBeUndefined();
    expect(refused.data!.appendSessionMessages).toMatchObject({
      __typename: 'SessionInvalidInputError',
      issues: [{ path: ['input', 'messages'] }],
    });
    const { issues } = memberOf(refused.data!.appendSessionMessages, 'SessionInvalidInputError');
    expect(issues).toHaveLength(1);
    expect(issues[0]!.message).toContain('compactSessionContext');
    const compacted = await service.graphql(
      graphql(`mutation CompactFullContext($input: CompactSessionContextInput!) {
        compactSessionContext(input: $input) { __typename ... on CompactSessionContextPayload { session { id version } } }
      }`),
      { input: { sessionId: ref.id, agentId: ref.agentId, keepLast: 10, summary: { text: 's' } } },
      { userId: 'context-user' },
    );
    expect(compacted.errors).toBeUndefined();
    expect(outcomeOf(compacted)).toBe('CompactSessionContextPayload');
    const appended = await service.graphql(APPEND, appendTo(ref, [message({ id: 'after-compaction' })]), {
      userId: 'context-user',
    });
    expect(appended.errors).toBeUndefined();
    expect(memberOf(appended.data!.appendSessionMessages, 'AppendSessionMessagesPayload').session).toMatchObject({
      version: 8,
      state: { context: [{ id: 'after-compaction' }] },
      messages: { totalCount: 5_001 },
    });
  });
});

describe('JSON is stored exactly or refused', () => {
  /** A request body sent as written: JSON.stringify could not produce 1e400 or a 20-digit integer. */
  async function rawGraphql(service: TestApp, body: string): Promise<RawGraphQLResponse> {
    const response = await service.app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': 'json-user' },
      body,
    });
    return { status: response.status, ...(await response.json()) };
  }
  const CREATE_JSON = /* GraphQL */ `mutation CreateJson($input: CreateSessionInput!) { createSession(input: $input) { __typename ... on SessionInvalidInputError { issues { path } } } }`;

  test.for([
    ['a "__proto__" key', '{"__proto__": {"polluted": true}, "kept": 1}'],
    ['a nested "__proto__" key', '{"outer": {"__proto__": 1}}'],
    ['1e400', '{"temperature": 1e400}'],
    ['a 20-digit integer', '{"seed": 12345678901234567890}'],
  ])(
    'parameters with %s: SessionInvalidInputError over GraphQL and 422 over REST; nothing written',
    async ([, parameters], { service }) => {
      const config = `{"type": "openai", "credentialId": "c", "model": "m", "parameters": ${parameters}}`;
      const graphql = await rawGraphql(
        service,
        `{"query": ${JSON.stringify(CREATE_JSON)}, "variables": {"input": {"agentId": "json-agent", "chatModelConfig": ${config}}}}`,
      );
      expect(graphql.errors).toBeUndefined();
      expect(graphql.data?.createSession).toMatchObject({
        __typename: 'SessionInvalidInputError',
        issues: [{ path: expect.arrayContaining(['input', 'chatModelConfig', 'parameters']) }],
      });
      const restConfig = `{"type": "openai", "credential_id": "c", "model": "m", "parameters": ${parameters}}`;
      const rest = await service.rest('POST', '/sessions/', {
        body: `{"agent_id": "json-agent", "chat_model_config": ${restConfig}}`,
        userId: 'json-user',
      });
      expect(rest.status).toBe(422);
      const listed = await service.graphql(COUNT, { agentId: 'json-agent' }, { userId: 'json-user' });
      expect(listed.data!.sessions.totalCount).toBe(0);
    },
  );

  test('integers up to ±2^53 and ordinary floats round-trip exactly', async ({ service }) => {
    const parameters = {
      big: 9007199254740991,
      negative: -9007199254740991,
      float: 0.1,
      tiny: 5e-324,
      nested: { list: [1, 2.5] },
    };
    const created = await service.graphql(
      graphql(`mutation CreateExact($input: CreateSessionInput!) {
        createSession(input: $input) { __typename ... on CreateSessionPayload { session { id config { chatModelConfig { parameters } } } } }
      }`),
      {
        input: {
          agentId: 'json-agent-ok',
          chatModelConfig: { type: 'openai', credentialId: 'c', model: 'm', parameters },
        },
      },
      { userId: 'json-user' },
    );
    expect(created.errors).toBeUndefined();
    expect(
      memberOf(created.data!.createSession, 'CreateSessionPayload').session.config.chatModelConfig!.parameters,
    ).toEqual(parameters);
  });

  test('REST parameters nested 10,000 deep: 422, not a 500', async ({ service }) => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const response = await service.rest('POST', '/sessions/', {
      body: `{"agent_id": "deep-agent", "chat_model_config": {"type": "t", "credential_id": "c", "model": "m", "parameters": ${deep}}}`,
      userId: 'deep-user',
    });
    expect(response.status).toBe(422);
    expect(JSON.stringify(response.body)).toContain('Must nest at most 64 levels');
  });
});
