import { randomBytes } from 'node:crypto';
import type { TadaDocumentNode } from 'gql.tada';
import { print } from 'graphql';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from './support/databases.js';
import { graphql } from './graphql/graphql.js';
import { memberOf } from './support/documents.js';
import { type GraphQLResponse, testAppConfig } from './support/fixtures.js';
import { eventually, listen, subscribeSse, type Listening } from './support/subscriptions.js';

const REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';
const AGENT = 'scaled-agent';
const SESSION_EVENTS = graphql(
  `subscription ScaledEvents($agentId: ID!) { sessionEvents(agentId: $agentId) { kind sessionId version session { id config { name } } } }`,
);
const CREATE = graphql(
  `mutation CreateScaled($input: CreateSessionInput!) { createSession(input: $input) { __typename ... on CreateSessionPayload { session { id } } } }`,
);
const UPDATE = graphql(
  `mutation UpdateScaled($input: UpdateSessionInput!) { updateSession(input: $input) { __typename } }`,
);

async function post<Data, Variables>(
  url: string,
  document: TadaDocumentNode<Data, Variables>,
  variables: Variables,
  userId: string,
) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': userId },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as GraphQLResponse<Data>;
  expect(body.errors).toBeUndefined();
  return body.data!;
}

// PGlite lives inside one process's memory: instances can only share PostgreSQL.
describe.skipIf(!TEST_DATABASE_URL)('two instances sharing PostgreSQL and Redis (needs TEST_DATABASE_URL)', () => {
  let database: TestDatabase;
  const apps: App[] = [];
  const servers: Listening[] = [];

  beforeAll(async () => {
    // Fail, loudly, rather than skip: CI must not pass without having run this.
    const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    try {
      await probe.connect();
    } catch (error) {
      throw new Error(
        `Redis is not running at ${REDIS_URL} (set TEST_REDIS_URL, or start redis-server): ${(error as Error).message}`,
      );
    } finally {
      probe.disconnect();
    }
    database = await createTestDatabase();
    // A channel namespace of this run's own: parallel test files sharing the Redis never hear each other.
    const env = { REDIS_URL, REDIS_CHANNEL_PREFIX: `test-${randomBytes(6).toString('hex')}` };
    for (let instance = 0; instance < 2; instance++) {
      const app = await createApp(testAppConfig(database.options, env), pino({ level: 'silent' }));
      apps.push(app);
      servers.push(await listen(app));
    }
  }, 30_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    for (const app of apps) await app.close();
    await database?.drop();
  });

  test("a write on instance A reaches B's subscriber within a second; another user's subscriber on B hears nothing", async () => {
    const [a, b] = servers as [Listening, Listening];
    const alices = await subscribeSse(b.url, SESSION_EVENTS, { agentId: AGENT }, { 'x-user-id': 'alice' });
    const bobs = await subscribeSse(b.url, SESSION_EVENTS, { agentId: AGENT }, { 'x-user-id': 'bob' });
    onTestFinished(() => [alices, bobs].forEach((subscriber) => subscriber.close()));

    const startedAt = Date.now();
    const { id } = memberOf(
      (await post(a.url, CREATE, { input: { agentId: AGENT, name: 'on A' } }, 'alice')).createSession,
      'CreateSessionPayload',
    ).session;
    expect(await alices.nth(0, 1_000)).toEqual({
      data: {
        sessionEvents: { kind: 'CREATED', sessionId: id, version: 1, session: { id, config: { name: 'on A' } } },
      },
    });
    await post(a.url, UPDATE, { input: { sessionId: id, agentId: AGENT, name: 'renamed on A' } }, 'alice');
    expect(await alices.nth(1, 1_000)).toEqual({
      data: {
        sessionEvents: {
          kind: 'UPDATED',
          sessionId: id,
          version: 2,
          session: { id, config: { name: 'renamed on A' } },
        },
      },
    });
    expect(Date.now() - startedAt).toBeLessThan(2_000);

    // Bob's own write, published on A, is the first event he gets on B.
    const bobsOwn = memberOf(
      (await post(a.url, CREATE, { input: { agentId: AGENT } }, 'bob')).createSession,
      'CreateSessionPayload',
    ).session.id;
    expect((await bobs.nth(0, 1_000)).data!.sessionEvents.sessionId).toBe(bobsOwn);
    expect(bobs.received).toHaveLength(1);
  });

  test('disconnected subscribers are freed on their instance', async () => {
    const [, b] = servers as [Listening, Listening];
    await eventually(() => apps[1]!.subscriptions.openCount(), 0);
    const subscribers = await Promise.all(
      ['u1', 'u2', 'u3'].map((userId) =>
        subscribeSse(b.url, SESSION_EVENTS, { agentId: AGENT }, { 'x-user-id': userId }),
      ),
    );
    expect(apps[1]!.subscriptions.openCount()).toBe(3);
    subscribers.forEach((subscriber) => subscriber.close());
    expect(await eventually(() => apps[1]!.subscriptions.openCount(), 0)).toBe(0);
  });
});

describe('Redis at start-up', () => {
  test('an unreachable REDIS_URL stops start-up with a message naming it', async () => {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const config = testAppConfig(database.options, { REDIS_URL: 'redis://127.0.0.1:1' });
    await expect(createApp(config, pino({ level: 'silent' }))).rejects.toThrow(/Redis at REDIS_URL cannot be reached/);
  });
});
