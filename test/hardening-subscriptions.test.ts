import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { startTestApp } from './support/fixtures.js';
import { eventually, listen, type Listening } from './support/subscriptions.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const REDIS = new URL(process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379');
const SESSION_EVENTS = `subscription ($agentId: ID!) { sessionEvents(agentId: $agentId) { kind sessionId } }`;

const SESSION_UPDATED = `subscription ($id: ID!, $agentId: ID!) { sessionUpdated(id: $id, agentId: $agentId) { id } }`;
const CREATE = `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`;

let service: Awaited<ReturnType<typeof startTestApp>>;
let server: Listening;
beforeAll(async () => {
  service = await startTestApp({ env: { MAX_SUBSCRIPTIONS_PER_CALLER: '1' } });
  server = await listen(service.app);
});
afterAll(async () => {
  await server?.close();
  await service?.close();
});

function sse(url: string, query: string, variables: Record<string, unknown>, signal: AbortSignal) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-user-id': 'user-1' },
    body: JSON.stringify({ query, variables }),
    signal,
  });
}

/** Holds the sessions table for `ms`, so a read of it waits that long (both databases). */
async function holdSessions(ms: number): Promise<Promise<void>> {
  const { database } = service.app;
  if (database.kind === 'pglite') return database.query(`SELECT pg_sleep(${ms / 1000})`, []).then(() => {});
  const connection = await database.connect();
  await connection.exec('BEGIN; LOCK TABLE sessions IN ACCESS EXCLUSIVE MODE');
  return new Promise<void>((resolve) => setTimeout(resolve, ms)).then(async () => {
    await connection.exec('COMMIT');
    await connection.release();
  });
}

describe('an SSE subscriber that hangs up early', () => {
  test('while the subscribe resolver still waits on the database: the slot is freed', async () => {
    const { id } = (await service.graphql(CREATE, { input: { agentId: 'a' } })).data.createSession;
    const held = await holdSessions(1_500);
    const hangUp = new AbortController();
    const subscribing = sse(server.url, SESSION_UPDATED, { id, agentId: 'a' }, hangUp.signal).catch(() => {});
    expect(await eventually(() => service.app.subscriptions.openCount(), 1)).toBe(1);
    hangUp.abort();
    await subscribing;
    await held;
    expect(await eventually(() => service.app.subscriptions.openCount(), 0)).toBe(0);
    // The caller (limit: one) can subscribe again.
    const again = await sse(server.url, SESSION_UPDATED, { id, agentId: 'a' }, AbortSignal.timeout(1_000));
    const reader = again.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).not.toContain('TOO_MANY_SUBSCRIPTIONS');
    await reader.cancel();
  });
});

describe('an SSE subscriber that hangs up while Redis does not answer (a partition: TCP proxy stalled)', () => {
  test('its slot is freed at once, not when Redis answers', async () => {
    const proxy = await startTcpProxy({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
    onTestFinished(() => proxy.close());
    const redisService = await startTestApp({ env: { REDIS_URL: `redis://127.0.0.1:${proxy.port}`, REDIS_CHANNEL_PREFIX: `test-${randomBytes(6).toString('hex')}` } });
    onTestFinished(() => redisService.close());
    const redisServer = await listen(redisService.app);
    onTestFinished(() => redisServer.close());
    proxy.set('stall');
    const hangUp = new AbortController();
    const subscribing = sse(redisServer.url, SESSION_EVENTS, { agentId: 'a' }, hangUp.signal).catch(() => {});
    expect(await eventually(() => redisService.app.subscriptions.openCount(), 1)).toBe(1);
    hangUp.abort();
    await subscribing;
    expect(await eventually(() => redisService.app.subscriptions.openCount(), 0, 1_000)).toBe(0);
    proxy.set('forward');
  });
});
