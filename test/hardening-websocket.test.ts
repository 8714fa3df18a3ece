import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import WebSocket from 'ws';
import { graphql, type ResultOf } from './graphql/graphql.js';
import { CREATE_SESSION, createdSession } from './support/documents.js';
import { startTestApp } from './support/fixtures.js';
import { listen, type Listening } from './support/subscriptions.js';

const AGENT = 'ws-agent';
const SESSION_EVENTS = graphql(
  `subscription EventsBehindGateway($agentId: ID!) { sessionEvents(agentId: $agentId) { kind sessionId } }`,
);

let service: Awaited<ReturnType<typeof startTestApp>>;
let server: Listening;
beforeAll(async () => {
  service = await startTestApp({ env: { ALLOW_USER_ID_HEADER: 'true' } });
  server = await listen(service.app);
});
afterAll(async () => {
  await server?.close();
  await service?.close();
});

/** A client behind a gateway that authenticated it as `upgradeUserId` (x-user-id on the upgrade request). */
function clientBehindGateway(upgradeUserId: string | null, connectionParams: Record<string, unknown>): Client {
  const headers: Record<string, string> = upgradeUserId === null ? {} : { 'x-user-id': upgradeUserId };
  const client = createClient({
    url: server.url.replace('http', 'ws'),
    webSocketImpl: class extends WebSocket {
      constructor(url: string, protocols: string | string[]) {
        super(url, protocols, { headers });
      }
    },
    connectionParams,
    retryAttempts: 0,
    lazy: true,
  });
  onTestFinished(() => void client.dispose());
  return client;
}

async function untilOpen(count: number) {
  const deadline = Date.now() + 3_000;
  while (service.app.subscriptions.openCount() !== count && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
}

async function firstEventOf(client: Client, userId: string) {
  await untilOpen(0);
  const events = client.iterate<ResultOf<typeof SESSION_EVENTS>>({
    query: print(SESSION_EVENTS),
    variables: { agentId: AGENT },
  });
  const first = events.next();
  // Written once the subscription is open (its slot taken).
  await untilOpen(1);
  const created = await service.graphql(CREATE_SESSION, { input: { agentId: AGENT } }, { userId });
  const result = { first: await first, id: createdSession(created).id };
  await events.return?.();
  return result;
}

describe('WebSocket credentials: the upgrade request (set by the gateway) wins over connectionParams', () => {
  test.each([
    ['another user in connectionParams', { 'x-user-id': 'bob' }],
    ['the same header spelled otherwise', { 'X-User-Id': 'bob' }],
    ['a bearer token in connectionParams', { authorization: 'Bearer any-token' }],
  ])('%s is refused with 4403', async (_name, connectionParams) => {
    const events = clientBehindGateway('alice', connectionParams).iterate({
      query: print(SESSION_EVENTS),
      variables: { agentId: AGENT },
    });
    await expect(events.next()).rejects.toMatchObject({ code: 4403 });
    expect(service.app.subscriptions.openCount()).toBe(0);
  });

  test('connectionParams that repeat the upgrade credential, or none, subscribe as the upgrade request says', async () => {
    for (const connectionParams of [{ 'x-user-id': 'alice' }, {}]) {
      const { first, id } = await firstEventOf(clientBehindGateway('alice', connectionParams), 'alice');
      expect(first.value).toEqual({ data: { sessionEvents: { kind: 'CREATED', sessionId: id } } });
    }
  });

  test('without credentials on the upgrade request, connectionParams name the caller (browsers)', async () => {
    const { first, id } = await firstEventOf(clientBehindGateway(null, { 'x-user-id': 'carol' }), 'carol');
    expect(first.value).toEqual({ data: { sessionEvents: { kind: 'CREATED', sessionId: id } } });
  });
});
