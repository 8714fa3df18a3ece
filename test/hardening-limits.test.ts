import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config.js';
import { createCallerResolver } from '../src/http/identity.js';
import { createYogaServer, type YogaServer } from '../src/http/yoga.js';
import { createLogger } from '../src/logger.js';
import { SessionService } from '../src/sessions/service.js';
import { SessionStore } from '../src/sessions/store.js';
import { startTestApp } from './support/fixtures.js';

const CREATE = `mutation ($input: CreateSessionInput!) { createSession(input: $input) { __typename ... on CreateSessionPayload { session { id } } } }`;
const SESSION = `query ($id: ID!, $agentId: ID!) { session(id: $id, agentId: $agentId) { id } }`;

let service: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  service = await startTestApp();
});
afterAll(async () => {
  await service?.close();
});

/** The service's GraphQL server, on the test's database, with session reads slowed down by `delayMs`. */
async function slowReadingServer(env: Record<string, string>, delayMs: number): Promise<YogaServer> {
  const { database, subscriptions } = service.app;
  const config = loadConfig({ GRAPHIQL: 'false', ...env });
  const sessions = new SessionService(new SessionStore(database.prisma, database.query), subscriptions);
  const get = sessions.get.bind(sessions);
  sessions.get = async (...args) => {
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    return get(...args);
  };
  return createYogaServer({
    sessions,
    subscriptions,
    logger: createLogger('silent'),
    resolveCaller: await createCallerResolver(config.auth),
    graphiql: null,
    introspection: true,
    limits: config.limits,
    persistedOperations: null,
    metrics: null,
    checkReady: async () => {},
    operationSpans: false,
  });
}

async function post(yoga: YogaServer, query: string, variables: Record<string, unknown>) {
  const response = await yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': 'user-1' },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: Array<{ extensions?: Record<string, unknown> }> };
}

describe('OPERATION_TIMEOUT_MS', () => {
  test('holds on a query compiled by graphql-jit', async () => {
    const { id } = (await service.graphql(CREATE, { input: { agentId: 'a' } })).data.createSession.session;
    const yoga = await slowReadingServer({ OPERATION_TIMEOUT_MS: '500' }, 3_000);
    const startedAt = Date.now();
    const slow = await post(yoga, SESSION, { id, agentId: 'a' });
    expect(slow.errors?.map((error) => error.extensions?.code)).toEqual(['TIMEOUT']);
    expect(Date.now() - startedAt).toBeLessThan(2_500);
  });
});

describe('MAX_RESPONSE_BYTES', () => {
  test('a response that would pass the ceiling is one clear error instead', async () => {
    const small = await startTestApp({ env: { MAX_RESPONSE_BYTES: '1000' } });
    try {
      const { id } = (await small.graphql(CREATE, { input: { agentId: 'a', name: 'n'.repeat(200) } })).data
        .createSession.session;
      const aliases = (count: number) =>
        `query ($id: ID!, $agentId: ID!) { ${Array.from({ length: count }, (_, i) => `s${i}: session(id: $id, agentId: $agentId) { config { name } }`).join(' ')} }`;
      expect(Object.keys((await small.graphql(aliases(3), { id, agentId: 'a' })).data)).toEqual(['s0', 's1', 's2']);
      const tooLarge = await small.graphql(aliases(6), { id, agentId: 'a' });
      expect(tooLarge.data ?? null).toBeNull();
      expect(tooLarge.errors).toEqual([expect.objectContaining({ extensions: { code: 'RESPONSE_TOO_LARGE' } })]);
      expect(tooLarge.errors![0]!.message).toContain('larger than 1000 bytes (MAX_RESPONSE_BYTES)');
    } finally {
      await small.close();
    }
  });
});

describe('MAX_COST prices lists by the most they can hold', () => {
  const CONTENT = `content { __typename id ... on SessionTextBlock { text } ... on SessionThinkingBlock { thinking extra } ... on SessionHintBlock { hint } ... on SessionToolCallBlock { name input callState extra } ... on SessionToolResultBlock { name resultState output { __typename ... on SessionPlainText { text } } } }`;
  /** `count` aliases of the session's context, each with its messages' content. */
  const contexts = (count: number, window = '') =>
    `query ($id: ID!, $agentId: ID!) { session(id: $id, agentId: $agentId) { state { ${Array.from({ length: count }, (_, i) => `c${i}: context${window} { id ${CONTENT} }`).join(' ')} } } }`;

  test('8 aliases of a whole context (up to 5,000 messages each) are refused before anything is read', async () => {
    const { id } = (await service.graphql(CREATE, { input: { agentId: 'a' } })).data.createSession.session;
    const executed = await service.countStatements(async () => {
      const refused = await service.graphql(contexts(8), { id, agentId: 'a' });
      expect(refused.data).toBeUndefined();
      expect(refused.errors).toEqual([expect.objectContaining({ extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })]);
      expect(refused.errors![0]!.message).toMatch(/^Query cost limit of 20000000 exceeded, found \d+ \(MAX_COST\)/);
    });
    expect(executed).toBe(0);
  });

  test('one whole context, or 8 windows of it (context(last: 20)), pass', async () => {
    const { id } = (await service.graphql(CREATE, { input: { agentId: 'a' } })).data.createSession.session;
    for (const query of [contexts(1), contexts(8, '(last: 20)')]) {
      const response = await service.graphql(query, { id, agentId: 'a' });
      expect(response.errors).toBeUndefined();
      expect(response.data.session.state.c0).toEqual([]);
    }
  });
});
