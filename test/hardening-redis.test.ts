import { randomBytes } from 'node:crypto';
import type { TadaDocumentNode } from 'gql.tada';
import { print } from 'graphql';
import { describe, expect, onTestFinished, test } from 'vitest';
import { graphql } from './graphql/graphql.js';
import { memberOf, outcomeOf } from './support/documents.js';
import type { GraphQLResponse } from './support/fixtures.js';
import { startServiceProcess } from './support/service-process.js';
import { subscribeSse } from './support/subscriptions.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const REDIS = new URL(process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379');
const AGENT = 'outage-agent';
const SESSION_EVENTS = graphql(
  `subscription EventsThroughOutage($agentId: ID!) { sessionEvents(agentId: $agentId) { kind sessionId } }`,
);
const CREATE = graphql(
  `mutation CreateThroughOutage($input: CreateSessionInput!) { createSession(input: $input) { __typename ... on CreateSessionPayload { session { id } } } }`,
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
  return (await response.json()) as GraphQLResponse<Data>;
}

async function until<T>(read: () => Promise<T>, expected: T, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

/** A subscription request read to its end: what a client sees when the server refuses it. */
async function refusedSubscription(url: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-user-id': 'alice' },
    body: JSON.stringify({ query: print(SESSION_EVENTS), variables: { agentId: AGENT } }),
    signal: AbortSignal.timeout(5_000),
  });
  return { status: response.status, text: await response.text() };
}

describe('Redis goes away under a running service (a real process; Redis behind a TCP proxy the test cuts)', () => {
  test('the process stays up: /ready 503, new subscriptions refused at once, writes succeed; all recovers when Redis returns', async () => {
    const proxy = await startTcpProxy({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
    onTestFinished(() => proxy.close());
    const service = await startServiceProcess({
      REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
      REDIS_CHANNEL_PREFIX: `test-${randomBytes(6).toString('hex')}`,
    });
    onTestFinished(() => service.stop());
    const base = `http://127.0.0.1:${await service.port}`;
    const url = `${base}/graphql`;
    const ready = async () => (await fetch(`${base}/ready`)).status;

    const before = await subscribeSse(url, SESSION_EVENTS, { agentId: AGENT }, { 'x-user-id': 'alice' });
    onTestFinished(() => before.close());
    expect(outcomeOf(await post(url, CREATE, { input: { agentId: AGENT } }, 'alice'))).toBe('CreateSessionPayload');
    await before.nth(0);

    proxy.set('refuse');
    expect(await until(ready, 503)).toBe(503);
    // Subscribing and unsubscribing while Redis is down: each used to leave a rejected promise
    // behind that ended the process some 11 s later.
    const startedAt = Date.now();
    const refused = await refusedSubscription(url);
    expect(Date.now() - startedAt).toBeLessThan(2_000);
    expect(refused.text).toContain('SERVICE_UNAVAILABLE');
    expect(refused.text).toContain('Live updates are unavailable right now (Redis); retry later.');
    before.close();
    const written = await post(url, CREATE, { input: { agentId: AGENT, name: 'during the outage' } }, 'alice');
    expect(outcomeOf(written)).toBe('CreateSessionPayload');

    await new Promise((resolve) => setTimeout(resolve, 12_500));
    expect(service.child.exitCode).toBeNull();
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect(service.lines.filter((line) => line.level >= 50)).toEqual([]);

    proxy.set('forward');
    expect(await until(ready, 200, 10_000)).toBe(200);
    const after = await subscribeSse(url, SESSION_EVENTS, { agentId: AGENT }, { 'x-user-id': 'alice' });
    onTestFinished(() => after.close());
    const { id } = memberOf(
      (await post(url, CREATE, { input: { agentId: AGENT } }, 'alice')).data!.createSession,
      'CreateSessionPayload',
    ).session;
    expect((await after.nth(0)).data!.sessionEvents).toEqual({ kind: 'CREATED', sessionId: id });
  }, 60_000);
});
