import { test as base } from 'vitest';
import { describe, expect, startTestApp, type TestApp } from './support/fixtures.js';

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

const ENTITIES = /* GraphQL */ `
  query Entities($representations: [_Any!]!, $more: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Agent { id sessions(first: 2) { totalCount edges { node { id config { name } } } } }
      ... on Session { id }
    }
    more: _entities(representations: $more) { ... on Agent { id } }
  }
`;

const LIST = /* GraphQL */ `
  query List($agentId: ID!, $filter: SessionFilter) {
    sessions(agentId: $agentId, first: 100, filter: $filter) { totalCount edges { node { config { name } } } }
  }
`;

const AGENT_SESSIONS = /* GraphQL */ `
  query AgentSessions($representations: [_Any!]!, $filter: SessionFilter) {
    _entities(representations: $representations) { ... on Agent { sessions(filter: $filter) { totalCount } } }
  }
`;

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateSessionInput!) { createSession(input: $input) { id agentId } }
`;

const agentRef = (id: string) => ({ __typename: 'Agent', id });

async function createSession(service: TestApp, userId: string, agentId: string, name?: string) {
  const { data, errors } = await service.graphql(CREATE, { input: { agentId, name } }, { userId });
  expect(errors).toBeUndefined();
  return data.createSession as { id: string; agentId: string };
}

describe('_entities', () => {
  test(`takes at most MAX_ENTITY_REPRESENTATIONS (${MAX_REPRESENTATIONS}) representations per request, aliases together`, async ({ service }) => {
    const refs = (count: number) => Array.from({ length: count }, (_, index) => agentRef(`cap-agent-${index}`));
    let response!: Awaited<ReturnType<TestApp['graphql']>>;
    const statements = await service.countStatements(async () => {
      response = await service.graphql(ENTITIES, { representations: refs(51), more: refs(50) }, { userId: 'cap-user' });
    });
    expect(response.data ?? null).toBeNull();
    expect(response.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT' }, message: expect.stringContaining(`At most ${MAX_REPRESENTATIONS} representations`) }]);
    // Refused before anything was read.
    expect(statements).toBe(0);
    const accepted = await service.graphql(ENTITIES, { representations: refs(50), more: refs(50) }, { userId: 'cap-user' });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data._entities).toHaveLength(50);
  });

  test('Agent.sessions of many representations costs the same statements for 3 agents and for 60', async ({ service }) => {
    const agents = Array.from({ length: 60 }, (_, index) => `batch-agent-${index}`);
    for (const agentId of agents.slice(0, 3)) {
      await createSession(service, 'batch-user', agentId, `${agentId} one`);
      await createSession(service, 'batch-user', agentId, `${agentId} two`);
      await createSession(service, 'batch-user', agentId, `${agentId} three`);
    }
    const resolve = async (count: number) => {
      let data: any;
      const statements = await service.countStatements(async () => {
        const response = await service.graphql(ENTITIES, { representations: agents.slice(0, count).map(agentRef), more: [] }, { userId: 'batch-user' });
        expect(response.errors).toBeUndefined();
        data = response.data;
      });
      return { statements, entities: data._entities };
    };
    const few = await resolve(3);
    const many = await resolve(60);
    // One statement for a page of every agent, one for their counts.
    expect(few.statements).toBe(2);
    expect(many.statements).toBe(2);
    expect(many.entities[0]).toEqual({
      id: 'batch-agent-0',
      sessions: { totalCount: 3, edges: [{ node: { id: expect.any(String), config: { name: 'batch-agent-0 three' } } }, { node: { id: expect.any(String), config: { name: 'batch-agent-0 two' } } }] },
    });
    expect(many.entities[2].sessions.totalCount).toBe(3);
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
    const { errors, data } = await service.graphql(ENTITIES, { representations: [representation], more: [] }, { userId: 'bad-ref-user' });
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
      const { data, errors } = await service.graphql(LIST, { agentId: 'like-agent', filter: { nameContains } }, { userId: 'like-user' });
      expect(errors).toBeUndefined();
      return { count: data.sessions.totalCount, names: data.sessions.edges.map((edge: any) => edge.node.config.name) };
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
      expect(listed.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', issues: [{ path: ['filter', field] }] } }]);
      const federated = await service.graphql(AGENT_SESSIONS, { representations: [agentRef('date-agent')], filter }, { userId: 'date-user' });
      expect(federated.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT' } }]);
    },
  );
});
