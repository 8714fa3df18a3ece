import { randomBytes } from 'node:crypto';
import { print } from 'graphql';
import { describe, expect, onTestFinished, test } from 'vitest';
import { graphql } from './graphql/graphql.js';
import { startTestApp } from './support/fixtures.js';
import { eventually, listen } from './support/subscriptions.js';
import { startTcpProxy } from './support/tcp-proxy.js';

const REDIS = new URL(process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379');
const SESSION_EVENTS = graphql(
  `subscription EventsThroughPartition($agentId: ID!) { sessionEvents(agentId: $agentId) { kind sessionId } }`,
);

function sse(url: string, variables: { agentId: string }, signal: AbortSignal) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-user-id': 'user-1' },
    body: JSON.stringify({ query: print(SESSION_EVENTS), variables }),
    signal,
  });
}

describe('an SSE subscriber that hangs up while Redis does not answer (a partition: TCP proxy stalled)', () => {
  test('its slot is freed at once, not when Redis answers', async () => {
    const proxy = await startTcpProxy({ host: REDIS.hostname, port: Number(REDIS.port || 6379) });
    onTestFinished(() => proxy.close());
    const redisService = await startTestApp({
      env: {
        REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
        REDIS_CHANNEL_PREFIX: `test-${randomBytes(6).toString('hex')}`,
      },
    });
    onTestFinished(() => redisService.close());
    const redisServer = await listen(redisService.app);
    onTestFinished(() => redisServer.close());
    proxy.set('stall');
    const hangUp = new AbortController();
    const subscribing = sse(redisServer.url, { agentId: 'a' }, hangUp.signal).catch(() => {});
    expect(await eventually(() => redisService.app.subscriptions.openCount(), 1)).toBe(1);
    hangUp.abort();
    await subscribing;
    expect(await eventually(() => redisService.app.subscriptions.openCount(), 0, 1_000)).toBe(0);
    proxy.set('forward');
  });
});
