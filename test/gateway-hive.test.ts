import { createClient as createWsClient } from 'graphql-ws';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import WebSocket from 'ws';
import { createAgentsSubgraph, type AgentRecord } from './support/agents-subgraph.js';
import { startTestApp } from './support/fixtures.js';
import {
  CREATE_SESSION,
  createdSession,
  createSessionVariables,
  RENAME_SESSION,
  renamedSession,
  renameSessionVariables,
  SESSION_COUNT,
  SESSION_EVENTS,
  SESSION_UPDATED,
  SESSION_WITH_AGENT,
} from './support/gateway-documents.js';
import { composeSupergraph, startHiveGateway } from './support/hive-gateway.js';
import { eventually, listen, subscribeSse } from './support/subscriptions.js';
import { listenOnLoopback, type Running } from './support/supergraph.js';

const SECRET = 'a-test-secret-of-at-least-thirty-two-bytes';
const token = (sub: string, secret = SECRET) =>
  new SignJWT({ sub })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));
const bearer = async (sub: string) => ({ authorization: `Bearer ${await token(sub)}` });

type Body = { data?: any; errors?: Array<{ message: string; extensions?: Record<string, any> }> };

async function post(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<Body> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as Body;
}

const AGENTS: AgentRecord[] = [
  { id: 'agent-1', name: 'Researcher' },
  { id: 'agent-2', name: 'Writer' },
];

/** A graphql-ws subscription to `sessionEvents` of `agentId`, with `connectionParams`; disposed when the test ends. */
function subscribeWs(httpUrl: string, connectionParams: Record<string, string>, agentId: string) {
  const client = createWsClient({
    url: httpUrl.replace('http', 'ws'),
    webSocketImpl: WebSocket,
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  onTestFinished(() => client.dispose());
  return client.iterate<any>({ query: SESSION_EVENTS, variables: { agentId } });
}

/** This subgraph (configured by `env`), the agents subgraph and Hive Gateway (with `gatewayEnv`), each on 127.0.0.1. */
async function startThree(env: Record<string, string>, gatewayEnv: Record<string, string> = {}) {
  const sessions = await startTestApp({ env });
  const sessionsSubgraph = await listen(sessions.app);
  const agentsSubgraph = await listenOnLoopback(createAgentsSubgraph(AGENTS));
  const running: Running[] = [sessionsSubgraph, agentsSubgraph];
  try {
    const gateway = await startHiveGateway(
      await composeSupergraph({ sessions: sessionsSubgraph.url, agents: agentsSubgraph.url }),
      gatewayEnv,
    );
    running.unshift(gateway);
    return {
      sessions,
      sessionsUrl: sessionsSubgraph.url,
      gatewayUrl: gateway.url,
      async close() {
        for (const server of running) await server.close();
        await sessions.close();
      },
    };
  } catch (error) {
    for (const server of running) await server.close();
    await sessions.close();
    throw error;
  }
}

describe('behind Hive Gateway, bearer tokens forwarded and verified here (production mode, no x-user-id)', () => {
  let three: Awaited<ReturnType<typeof startThree>>;
  beforeAll(async () => {
    three = await startThree({ NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET });
  }, 120_000);
  afterAll(() => three?.close());

  const viaGateway = async (query: string, variables: Record<string, unknown>, userId?: string) =>
    post(three.gatewayUrl, query, variables, userId ? await bearer(userId) : {});

  async function createSession(userId: string, agentId: string, name: string): Promise<string> {
    const { data, errors } = await viaGateway(CREATE_SESSION, createSessionVariables(agentId, name), userId);
    expect(errors).toBeUndefined();
    expect(createdSession(data)).toMatchObject({ userId, agentId, version: 1 });
    return createdSession(data).id;
  }

  test('queries and mutations, with the agent joined from the agents subgraph', async () => {
    const id = await createSession('alice', 'agent-1', 'first');
    const renamed = await viaGateway(RENAME_SESSION, renameSessionVariables(id, 'agent-1', 'renamed'), 'alice');
    expect(renamed.errors).toBeUndefined();
    expect(renamedSession(renamed.data)).toEqual({
      version: 2,
      config: { name: 'renamed' },
      agent: { name: 'Researcher' },
    });
    const read = await viaGateway(SESSION_WITH_AGENT, { id, agentId: 'agent-1' }, 'alice');
    expect(read).toEqual({
      data: {
        session: { id, userId: 'alice', config: { name: 'renamed' }, agent: { id: 'agent-1', name: 'Researcher' } },
      },
    });
    // Scoped to the caller the token names: another user's token finds nothing.
    expect(await viaGateway(SESSION_WITH_AGENT, { id, agentId: 'agent-1' }, 'bob')).toEqual({
      data: { session: null },
    });
  });

  test('the token is verified by this subgraph: none, a forged one or a client-sent x-user-id is UNAUTHENTICATED', async () => {
    const codes = (body: Body) => body.errors?.map((error) => error.extensions?.code);
    expect(codes(await viaGateway(SESSION_COUNT, { agentId: 'agent-1' }))).toEqual(['UNAUTHENTICATED']);
    const forged = await post(
      three.gatewayUrl,
      SESSION_COUNT,
      { agentId: 'agent-1' },
      { authorization: `Bearer ${await token('alice', 'x'.repeat(40))}` },
    );
    expect(codes(forged)).toEqual(['UNAUTHENTICATED']);
    const userIdHeader = await post(three.gatewayUrl, SESSION_COUNT, { agentId: 'agent-1' }, { 'x-user-id': 'alice' });
    expect(codes(userIdHeader)).toEqual(['UNAUTHENTICATED']);
  });

  test('sessionUpdated over SSE to the gateway: each event joins Agent.name from the agents subgraph', async () => {
    const id = await createSession('alice', 'agent-2', 'watched');
    const subscription = await subscribeSse(
      three.gatewayUrl,
      SESSION_UPDATED,
      { id, agentId: 'agent-2' },
      await bearer('alice'),
    );
    onTestFinished(() => subscription.close());
    expect(await eventually(() => three.sessions.app.subscriptions.openCount() > 0, true)).toBe(true);
    await viaGateway(RENAME_SESSION, renameSessionVariables(id, 'agent-2', 'second'), 'alice');
    await viaGateway(RENAME_SESSION, renameSessionVariables(id, 'agent-2', 'third'), 'alice');
    expect(await subscription.nth(0)).toEqual({
      data: { sessionUpdated: { id, version: 2, config: { name: 'second' }, agent: { name: 'Writer' } } },
    });
    expect(await subscription.nth(1)).toEqual({
      data: { sessionUpdated: { id, version: 3, config: { name: 'third' }, agent: { name: 'Writer' } } },
    });
  });

  test("sessionEvents over graphql-ws to the gateway; another user's subscriber hears nothing", async () => {
    const client = async (userId: string) => subscribeWs(three.gatewayUrl, await bearer(userId), 'agent-1');
    const openCount = () => three.sessions.app.subscriptions.openCount();
    expect(await eventually(openCount, 0)).toBe(0);
    const carolNext = (await client('carol')).next();
    const daveNext = (await client('dave')).next();
    expect(await eventually(openCount, 2)).toBe(2);

    const id = await createSession('carol', 'agent-1', 'carol only');
    expect((await carolNext).value).toEqual({
      data: {
        sessionEvents: {
          kind: 'CREATED',
          sessionId: id,
          session: { config: { name: 'carol only' }, agent: { name: 'Researcher' } },
        },
      },
    });
    // Dave's first event is his own write, not Carol's.
    const his = await createSession('dave', 'agent-1', 'dave only');
    expect((await daveNext).value).toEqual({
      data: {
        sessionEvents: {
          kind: 'CREATED',
          sessionId: his,
          session: { config: { name: 'dave only' }, agent: { name: 'Researcher' } },
        },
      },
    });
  });

  test('anonymous subscriptions through the gateway are UNAUTHENTICATED, over SSE and graphql-ws', async () => {
    const sse = await subscribeSse(three.gatewayUrl, SESSION_EVENTS, { agentId: 'agent-1' });
    onTestFinished(() => sse.close());
    expect((await sse.nth(0)).errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    const ws = subscribeWs(three.gatewayUrl, {}, 'agent-1');
    expect((await ws.next()).value.errors?.map((error: any) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  test('CSRF: the gateway-style SSE GET with a credential passes; a browser-style GET without one is still refused', async () => {
    const url = `${three.sessionsUrl}?query=${encodeURIComponent(SESSION_COUNT)}&variables=${encodeURIComponent(JSON.stringify({ agentId: 'agent-1' }))}`;
    const withCredential = await fetch(url, {
      headers: { accept: 'application/graphql-response+json', ...(await bearer('alice')) },
    });
    expect(await withCredential.json()).toEqual({ data: { sessions: { totalCount: expect.any(Number) } } });
    const browserLike = await fetch(url, { headers: { accept: 'application/graphql-response+json' } });
    expect(browserLike.status).toBe(403);
    const formPost = await fetch(three.sessionsUrl, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: SESSION_COUNT }),
    });
    expect(formPost.status).toBe(403);
  });
});

describe('behind Hive Gateway that authenticates and sends x-user-id (ALLOW_USER_ID_HEADER=true, no key here)', () => {
  const GATEWAY_SECRET = 'the-gateway-own-secret-of-32-bytes-or-more';
  let three: Awaited<ReturnType<typeof startThree>>;
  beforeAll(async () => {
    three = await startThree(
      { NODE_ENV: 'production', ALLOW_USER_ID_HEADER: 'true' },
      { GATEWAY_JWT_SECRET: GATEWAY_SECRET },
    );
  }, 120_000);
  afterAll(() => three?.close());

  test("the gateway verifies the token and names its user in x-user-id; a client's own x-user-id never gets through", async () => {
    const erin = { authorization: `Bearer ${await token('erin', GATEWAY_SECRET)}` };
    const created = await post(
      three.gatewayUrl,
      CREATE_SESSION,
      createSessionVariables('agent-2', 'from the gateway'),
      { ...erin, 'x-user-id': 'mallory' },
    );
    expect(created.errors).toBeUndefined();
    expect(createdSession(created.data).userId).toBe('erin');

    const spoofed = await post(three.gatewayUrl, SESSION_COUNT, { agentId: 'agent-2' }, { 'x-user-id': 'erin' });
    expect(spoofed.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
    const forged = await post(
      three.gatewayUrl,
      SESSION_COUNT,
      { agentId: 'agent-2' },
      { authorization: `Bearer ${await token('erin', 'x'.repeat(40))}` },
    );
    expect(forged.data?.sessions ?? null).toBeNull();
    expect(forged.errors).toBeDefined();
  });

  test('over graphql-ws too: the token in connectionParams names the subscriber; an x-user-id there does not', async () => {
    const openCount = () => three.sessions.app.subscriptions.openCount();
    const spoofed = subscribeWs(three.gatewayUrl, { 'x-user-id': 'erin' }, 'agent-1');
    expect((await spoofed.next()).value.errors?.map((error: any) => error.extensions?.code)).toEqual([
      'UNAUTHENTICATED',
    ]);

    const events = subscribeWs(
      three.gatewayUrl,
      { authorization: `Bearer ${await token('erin', GATEWAY_SECRET)}` },
      'agent-1',
    ).next();
    expect(await eventually(openCount, 1)).toBe(1);
    const created = await post(three.gatewayUrl, CREATE_SESSION, createSessionVariables('agent-1', 'heard over ws'), {
      authorization: `Bearer ${await token('erin', GATEWAY_SECRET)}`,
    });
    expect((await events).value).toEqual({
      data: {
        sessionEvents: {
          kind: 'CREATED',
          sessionId: createdSession(created.data).id,
          session: { config: { name: 'heard over ws' }, agent: { name: 'Researcher' } },
        },
      },
    });
  });
});
