import { readFileSync } from 'node:fs';
import { sortSdl } from '../src/graphql/print.js';
import { federationDocument, type ResultOf } from './graphql/graphql.js';
import { CREATE_SESSION, createdSession, memberOf } from './support/documents.js';
import { describe, expect, type GraphQLResponse, test, type TestApp } from './support/fixtures.js';
import { captureConsoleErrors } from './support/console.js';

const ENTITIES = federationDocument(/* GraphQL */ `
  query SessionAndAgentEntities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Session {
        id userId agentId
        agent { id }
        config { name chatModelConfig { credentialId credential { __typename id } } }
        state { context { id } tasksContext { tasks { id } } }
      }
      ... on Agent { id sessions(first: 2) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } } }
    }
  }
`);

const CHAT_MODEL_CONFIG = { type: 'openai', credentialId: 'cred-7', model: 'gpt-4o' };

async function createSession(service: TestApp, userId: string, agentId: string, name = `${userId}/${agentId}`) {
  const created = await service.graphql(
    CREATE_SESSION,
    { input: { agentId, name, chatModelConfig: CHAT_MODEL_CONFIG } },
    { userId },
  );
  expect(created.errors).toBeUndefined();
  return createdSession(created);
}

const sessionRef = (id: string) => ({ __typename: 'Session', id });

describe('the subgraph', () => {
  test('serves `_service { sdl }`: the SDL committed in schema.graphql, with the federation @link', async ({
    service,
  }) => {
    const { data, errors } = await service.graphql(
      federationDocument(/* GraphQL */ `query SubgraphSdl { _service { sdl } }`),
      {},
      { userId: null },
    );
    expect(errors).toBeUndefined();
    expect(data!._service.sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.6"');
    expect(`${sortSdl(data!._service.sdl!)}\n`).toBe(
      readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8'),
    );
  });

  test("_entities resolves the caller's own sessions, whatever their agent, in the order asked", async ({
    service,
  }) => {
    const first = await createSession(service, 'ent-alice', 'agent-a');
    const second = await createSession(service, 'ent-alice', 'agent-b');
    const { data, errors } = await service.graphql(
      ENTITIES,
      { representations: [sessionRef(second.id), sessionRef(first.id)] },
      { userId: 'ent-alice' },
    );
    expect(errors).toBeUndefined();
    expect(data!._entities).toMatchObject([
      {
        __typename: 'Session',
        id: second.id,
        userId: 'ent-alice',
        agentId: 'agent-b',
        agent: { id: 'agent-b' },
        config: { name: 'ent-alice/agent-b' },
      },
      { __typename: 'Session', id: first.id, agentId: 'agent-a', agent: { id: 'agent-a' } },
    ]);
    // The credential is a reference for the gateway to resolve in the credentials subgraph.
    expect(memberOf(data!._entities[0], 'Session').config.chatModelConfig).toEqual({
      credentialId: 'cred-7',
      credential: { __typename: 'Credential', id: 'cred-7' },
    });
  });

  test("another user's session, or one that does not exist, resolves to null and leaks nothing", async ({
    service,
  }) => {
    const alices = await createSession(service, 'ent-owner', 'agent-a');
    const { data, errors } = await service.graphql(
      ENTITIES,
      { representations: [sessionRef(alices.id), sessionRef('f'.repeat(32))] },
      { userId: 'ent-intruder' },
    );
    expect(errors).toBeUndefined();
    expect(data!._entities).toEqual([null, null]);
  });

  test('_entities without a caller is UNAUTHENTICATED', async ({ service }) => {
    const session = await createSession(service, 'ent-someone', 'agent-a');
    for (const userId of [null, ' ']) {
      const { data, errors } = await service.graphql(
        ENTITIES,
        { representations: [sessionRef(session.id)] },
        { userId },
      );
      expect(errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(data?._entities?.[0] ?? null).toBeNull();
    }
  });

  test.for([
    ['a number', 42],
    ['an empty string', ''],
    ['an oversized string', 'x'.repeat(256)],
    ['an object', { in: ['a'] }],
  ] as const)('a representation whose id is %s is BAD_USER_INPUT', async ([, id], { service }) => {
    const { errors } = await service.graphql(
      ENTITIES,
      { representations: [{ __typename: 'Session', id }] },
      { userId: 'ent-bad' },
    );
    expect(errors?.map((error) => error.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(errors?.[0]?.extensions?.issues).toEqual([
      { path: ['representations', 'id'], message: 'Must be a string of 1 to 255 characters.' },
    ]);
  });

  test('_entities with 100 representations runs as many SQL statements as with 10', async ({ service }) => {
    const own: string[] = [];
    for (let index = 0; index < 80; index++)
      own.push((await createSession(service, 'ent-batch', `agent-${index % 3}`)).id);
    const others: string[] = [];
    for (let index = 0; index < 10; index++) others.push((await createSession(service, 'ent-other', 'agent-0')).id);
    const absent = Array.from({ length: 10 }, (_, index) => `${index}`.padStart(32, 'e'));

    const resolve = async (ids: string[]) => {
      let result!: GraphQLResponse<ResultOf<typeof ENTITIES>>;
      const statements = await service.countStatements(async () => {
        result = await service.graphql(ENTITIES, { representations: ids.map(sessionRef) }, { userId: 'ent-batch' });
      });
      expect(result.errors).toBeUndefined();
      expect(result.data!._entities.map((entity) => entity?.id ?? null)).toEqual(
        ids.map((id) => (own.includes(id) ? id : null)),
      );
      return statements;
    };
    const forTen = await resolve([...own.slice(0, 8), others[0]!, absent[0]!]);
    const forHundred = await resolve([...own, ...others, ...absent]);
    expect(forHundred).toBe(forTen);
    // The sessions, their states, context messages and tasks: one statement each.
    expect(forHundred).toBe(4);
  });

  test("an Agent reference lists the caller's sessions of that agent, paged like Query.sessions", async ({
    service,
  }) => {
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) ids.push((await createSession(service, 'ent-pager', 'agent-paged')).id);
    await createSession(service, 'ent-pager', 'agent-elsewhere');
    await createSession(service, 'ent-not-pager', 'agent-paged');

    const { data, errors } = await service.graphql(
      ENTITIES,
      { representations: [{ __typename: 'Agent', id: 'agent-paged' }] },
      { userId: 'ent-pager' },
    );
    expect(errors).toBeUndefined();
    const agent = memberOf(data!._entities[0], 'Agent');
    const sessions = agent.sessions!;
    expect(agent.id).toBe('agent-paged');
    expect(sessions.totalCount).toBe(3);
    expect(sessions.edges.map((edge) => edge.node.id)).toEqual([ids[2], ids[1]]);
    expect(sessions.pageInfo.hasNextPage).toBe(true);

    const next = await service.graphql(
      federationDocument(/* GraphQL */ `query Next($representations: [_Any!]!, $after: String) {
        _entities(representations: $representations) { __typename ... on Agent { id sessions(after: $after) { edges { node { id } } pageInfo { hasNextPage } } } }
      }`),
      { representations: [{ __typename: 'Agent', id: 'agent-paged' }], after: sessions.pageInfo.endCursor },
      { userId: 'ent-pager' },
    );
    expect(next.errors).toBeUndefined();
    expect(memberOf(next.data!._entities[0], 'Agent').sessions).toEqual({
      edges: [{ node: { id: ids[0] } }],
      pageInfo: { hasNextPage: false },
    });
  });

  test('Agent.sessions checks its arguments like Query.sessions', async ({ service }) => {
    const page = federationDocument(/* GraphQL */ `query AgentPage($first: Int, $after: String) {
      _entities(representations: [{ __typename: "Agent", id: "agent-x" }]) { ... on Agent { id sessions(first: $first, after: $after) { totalCount } } }
    }`);
    const consoleErrors = captureConsoleErrors();
    for (const [variables, path] of [
      [{ first: 0 }, ['first']],
      [{ first: 101 }, ['first']],
      [{ after: 'not-a-cursor' }, ['after']],
    ] as const) {
      const { errors } = await service.graphql(page, variables, { userId: 'ent-args' });
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(errors?.[0]?.extensions?.issues?.map((issue: any) => issue.path)).toEqual([path]);
    }
    const anonymous = await service.graphql(page, {}, { userId: null });
    expect(anonymous.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    // graphql-jit, compiling the literal representation, warns that _Any's parseLiteral takes variables
    // (it has none to give here: nothing is lost).
    expect(new Set(consoleErrors)).toEqual(new Set([expect.stringContaining('Scalar with variable inputs detected')]));
  });
});
