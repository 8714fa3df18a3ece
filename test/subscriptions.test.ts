import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client } from 'graphql-ws';
import { print } from 'graphql';
import { afterAll, beforeAll, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import type { TadaDocumentNode } from 'gql.tada';
import { graphql, type InputOf, type ResultOf } from './graphql/graphql.js';
import { describe, expect, startTestApp, test } from './support/fixtures.js';
import { memberOf, writeOf } from './support/documents.js';
import { eventually, listen, subscribeSse, type Listening } from './support/subscriptions.js';
import { captureConsoleErrors } from './support/console.js';

const AGENT = 'live-agent';

const SESSION_UPDATED = graphql(`
  subscription Updated($id: ID!, $agentId: ID!) {
    sessionUpdated(id: $id, agentId: $agentId) {
      id version isRunning config { name } state { permissionContext { mode } context { id } }
    }
  }
`);
const SESSION_EVENTS = graphql(`
  subscription Events($agentId: ID!) {
    sessionEvents(agentId: $agentId) { kind sessionId agentId version session { id version config { name } } }
  }
`);
const CREATE = graphql(
  `mutation CreateLive($input: CreateSessionInput!) { createSession(input: $input) { __typename ... on CreateSessionPayload { session { id version } } } }`,
);
const UPDATE = graphql(
  `mutation UpdateLive($input: UpdateSessionInput!) { updateSession(input: $input) { __typename } }`,
);
const APPEND = graphql(
  `mutation AppendLive($input: AppendSessionMessagesInput!) { appendSessionMessages(input: $input) { __typename } }`,
);
const DELETE = graphql(
  `mutation DeleteLive($input: DeleteSessionInput!) { deleteSession(input: $input) { __typename } }`,
);

const message = (id: string): InputOf<'SessionMessageInput'> => ({
  id,
  name: 'user',
  role: 'USER',
  content: [{ text: { text: `text of ${id}` } }],
});
const as = (userId: string) => ({ 'x-user-id': userId });

let service: Awaited<ReturnType<typeof startTestApp>>;
let server: Listening;

beforeAll(async () => {
  service = await startTestApp({ env: { MAX_SUBSCRIPTIONS_PER_CALLER: '3' } });
  server = await listen(service.app);
});
afterAll(async () => {
  await server?.close();
  await service?.close();
});

async function createSession(userId = 'alice', agentId = AGENT): Promise<string> {
  const { data, errors } = await service.graphql(CREATE, { input: { agentId, name: 'live' } }, { userId });
  expect(errors).toBeUndefined();
  return memberOf(data!.createSession, 'CreateSessionPayload').session.id;
}

async function write<Data, Variables>(
  document: TadaDocumentNode<Data, Variables>,
  variables: Variables,
  userId = 'alice',
) {
  const { errors } = await service.graphql(document, variables, { userId });
  expect(errors).toBeUndefined();
}

const openCount = () => service.app.subscriptions.openCount();

/** Waits until the subscriptions of earlier tests (closed as those tests finished) are gone. */
async function noneOpen() {
  expect(await eventually(openCount, 0)).toBe(0);
}

function track<T extends { close(): void }>(subscription: T): T {
  onTestFinished(() => subscription.close());
  return subscription;
}

describe('over server-sent events', () => {
  test('sessionUpdated delivers the fresh session after updateSession and a state write, and completes on delete', async () => {
    const id = await createSession();
    const updates = track(await subscribeSse(server.url, SESSION_UPDATED, { id, agentId: AGENT }, as('alice')));

    await write(UPDATE, writeOf({ id, agentId: AGENT }, { name: 'renamed', permissionMode: 'EXPLORE' }));
    expect((await updates.nth(0)).data!.sessionUpdated).toMatchObject({
      id,
      version: 2,
      config: { name: 'renamed' },
      state: { permissionContext: { mode: 'EXPLORE' }, context: [] },
    });

    await write(APPEND, writeOf({ id, agentId: AGENT }, { messages: [message('m-1')] }));
    // Read afresh for this event: a loader cache kept from the first event would show no message.
    expect((await updates.nth(1)).data!.sessionUpdated).toMatchObject({
      version: 3,
      state: { permissionContext: { mode: 'EXPLORE' }, context: [{ id: 'm-1' }] },
    });

    await write(UPDATE, writeOf({ id, agentId: AGENT }, { permissionMode: 'BYPASS' }));
    expect((await updates.nth(2)).data!.sessionUpdated).toMatchObject({
      version: 4,
      state: { permissionContext: { mode: 'BYPASS' } },
    });

    await write(DELETE, writeOf({ id, agentId: AGENT }));
    await updates.completed;
    expect(updates.received).toHaveLength(3);
  });

  test("sessionEvents reports created, updated (from GraphQL and REST) and deleted for the caller's sessions of the agent", async () => {
    const events = track(await subscribeSse(server.url, SESSION_EVENTS, { agentId: AGENT }, as('alice')));
    const id = await createSession();
    expect((await events.nth(0)).data!.sessionEvents).toEqual({
      kind: 'CREATED',
      sessionId: id,
      agentId: AGENT,
      version: 1,
      session: { id, version: 1, config: { name: 'live' } },
    });

    const patched = await service.rest('PATCH', `/sessions/${id}?agent_id=${AGENT}`, {
      userId: 'alice',
      body: { name: 'via REST' },
    });
    expect(patched.status).toBe(200);
    expect((await events.nth(1)).data!.sessionEvents).toMatchObject({
      kind: 'UPDATED',
      version: 2,
      session: { config: { name: 'via REST' } },
    });

    await write(APPEND, writeOf({ id, agentId: AGENT }, { messages: [message('m-1')] }));
    expect((await events.nth(2)).data!.sessionEvents).toMatchObject({ kind: 'UPDATED', version: 3 });

    expect((await service.rest('DELETE', `/sessions/${id}?agent_id=${AGENT}`, { userId: 'alice' })).status).toBe(204);
    expect((await events.nth(3)).data!.sessionEvents).toEqual({
      kind: 'DELETED',
      sessionId: id,
      agentId: AGENT,
      version: 3,
      session: null,
    });
  });

  test("a subscriber never sees another user's events, nor another agent's", async () => {
    const bobs = track(await subscribeSse(server.url, SESSION_EVENTS, { agentId: AGENT }, as('bob')));
    const alicesOtherAgent = track(
      await subscribeSse(server.url, SESSION_EVENTS, { agentId: 'other-agent' }, as('alice')),
    );
    const alices = track(await subscribeSse(server.url, SESSION_EVENTS, { agentId: AGENT }, as('alice')));
    const id = await createSession('alice');
    await write(UPDATE, writeOf({ id, agentId: AGENT }, { name: 'secret' }));
    await write(DELETE, writeOf({ id, agentId: AGENT }));
    // Alice hears her writes through to the delete (a reader behind gets them coalesced per session).
    const heardDelete = () => alices.received.some((event) => event.data?.sessionEvents.kind === 'DELETED');
    expect(await eventually(heardDelete, true)).toBe(true);
    const bobsOwn = await createSession('bob');
    // Bob's own event arrives, and it is the first he got: alice's never reached him.
    expect((await bobs.nth(0)).data!.sessionEvents).toMatchObject({ kind: 'CREATED', sessionId: bobsOwn });
    expect(bobs.received).toHaveLength(1);
    expect(alicesOtherAgent.received).toHaveLength(0);
  });

  test("sessionUpdated of a session that is not the caller's is NOT_FOUND, like a missing one; without a caller UNAUTHENTICATED", async () => {
    const id = await createSession('alice');
    for (const [variables, headers, code] of [
      [{ id, agentId: AGENT }, as('bob'), 'NOT_FOUND'],
      [{ id, agentId: 'other-agent' }, as('alice'), 'NOT_FOUND'],
      [{ id: 'missing', agentId: AGENT }, as('alice'), 'NOT_FOUND'],
      [{ id, agentId: AGENT }, {}, 'UNAUTHENTICATED'],
    ] as const) {
      const answer = track(await subscribeSse(server.url, SESSION_UPDATED, variables, headers));
      const first = await answer.nth(0);
      expect(first.errors?.map((error) => error.extensions?.code)).toEqual([code]);
      await answer.completed;
    }
    await noneOpen();
  });

  test('graphql-sse clients (distinct connections mode) receive events', async () => {
    const id = await createSession();
    const client = createSseClient({ url: server.url, headers: as('alice'), retryAttempts: 0 });
    onTestFinished(() => client.dispose());
    const iterator = client.iterate<ResultOf<typeof SESSION_UPDATED>>({
      query: print(SESSION_UPDATED),
      variables: { id, agentId: AGENT },
    });
    const first = iterator.next();
    await eventually(() => openCount() > 0, true);
    await write(UPDATE, writeOf({ id, agentId: AGENT }, { name: 'over graphql-sse' }));
    expect((await first).value!.data!.sessionUpdated.version).toBe(2);
    await iterator.return!();
  });
});

describe('over WebSocket (graphql-ws)', () => {
  function wsClient(connectionParams: Record<string, unknown>): Client {
    const client = createWsClient({
      url: server.url.replace('http', 'ws'),
      webSocketImpl: WebSocket,
      connectionParams,
      retryAttempts: 0,
      lazy: true,
    });
    onTestFinished(() => client.dispose());
    return client;
  }

  test('a subscriber authenticated by connectionParams receives events; disposing frees the subscription', async () => {
    const id = await createSession();
    await noneOpen();
    const client = wsClient({ 'x-user-id': 'alice' });
    const iterator = client.iterate<ResultOf<typeof SESSION_EVENTS>>({
      query: print(SESSION_EVENTS),
      variables: { agentId: AGENT },
    });
    const first = iterator.next();
    expect(await eventually(openCount, 1)).toBe(1);
    await write(UPDATE, writeOf({ id, agentId: AGENT }, { name: 'over ws' }));
    expect((await first).value).toEqual({
      data: {
        sessionEvents: {
          kind: 'UPDATED',
          sessionId: id,
          agentId: AGENT,
          version: 2,
          session: { id, version: 2, config: { name: 'over ws' } },
        },
      },
    });
    await client.dispose();
    expect(await eventually(openCount, 0)).toBe(0);
  });

  test('an anonymous subscriber gets UNAUTHENTICATED; a credential that does not hold closes the connection with 4403', async () => {
    const anonymous = wsClient({}).iterate({ query: print(SESSION_EVENTS), variables: { agentId: AGENT } });
    expect((await anonymous.next()).value).toMatchObject({ errors: [{ extensions: { code: 'UNAUTHENTICATED' } }] });

    const forged = wsClient({ authorization: 'Bearer not-a-token' }).iterate({
      query: print(SESSION_EVENTS),
      variables: { agentId: AGENT },
    });
    await expect(forged.next()).rejects.toMatchObject({ code: 4403 });
  });

  test('with a persisted-operations allow-list, WebSocket takes no documents; oversized messages close the connection', async () => {
    const locked = await listen(service.app, { persistedOperationsOnly: true, maxPayloadBytes: 2_000 });
    onTestFinished(() => locked.close());
    const client = (connectionParams: Record<string, unknown>) => {
      const created = createWsClient({
        url: locked.url.replace('http', 'ws'),
        webSocketImpl: WebSocket,
        connectionParams,
        retryAttempts: 0,
        lazy: true,
      });
      onTestFinished(() => created.dispose());
      return created;
    };
    const refused = client({ 'x-user-id': 'alice' }).iterate({
      query: print(SESSION_EVENTS),
      variables: { agentId: AGENT },
    });
    // graphql-ws reports errors of the subscribe step as the iterator's rejection.
    await expect(refused.next()).rejects.toEqual([
      expect.objectContaining({ extensions: { code: 'PERSISTED_QUERY_ONLY' } }),
    ]);
    const consoleErrors = captureConsoleErrors();
    const huge = client({ 'x-user-id': 'alice', padding: 'x'.repeat(5_000) }).iterate({
      query: print(SESSION_EVENTS),
      variables: { agentId: AGENT },
    });
    await expect(huge.next()).rejects.toMatchObject({ code: 1009 });
    // graphql-ws reports the socket's error on the console; the service has nothing to add.
    expect(consoleErrors).toEqual([expect.stringContaining('RangeError: Max payload size exceeded')]);
  });
});

describe('resources', () => {
  test('disconnecting SSE subscribers frees their subscriptions', async () => {
    const id = await createSession();
    await noneOpen();
    const subscribers = [
      await subscribeSse(server.url, SESSION_UPDATED, { id, agentId: AGENT }, as('alice')),
      await subscribeSse(server.url, SESSION_EVENTS, { agentId: AGENT }, as('alice')),
      await subscribeSse(server.url, SESSION_EVENTS, { agentId: AGENT }, as('carol')),
    ];
    expect(openCount()).toBe(3);
    const metrics = await (await fetch(server.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/^graphql_subscriptions_open 3$/m);
    subscribers.forEach((subscriber) => subscriber.close());
    expect(await eventually(openCount, 0)).toBe(0);
  });

  test('a caller holds at most MAX_SUBSCRIPTIONS_PER_CALLER subscriptions; others are not affected; closing one makes room', async () => {
    await noneOpen();
    const open = await Promise.all(
      [1, 2, 3].map(() => subscribeSse(server.url, SESSION_EVENTS, { agentId: AGENT }, as('dave')).then(track)),
    );
    const refused = track(await subscribeSse(server.url, SESSION_EVENTS, { agentId: AGENT }, as('dave')));
    expect((await refused.nth(0)).errors?.map((error) => error.extensions?.code)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);
    const erins = track(await subscribeSse(server.url, SESSION_EVENTS, { agentId: AGENT }, as('erin')));
    expect(openCount()).toBe(4);
    open[0]!.close();
    expect(await eventually(openCount, 3)).toBe(3);
    const again = track(await subscribeSse(server.url, SESSION_EVENTS, { agentId: AGENT }, as('dave')));
    const id = await createSession('dave');
    expect((await again.nth(0)).data!.sessionEvents.sessionId).toBe(id);
    expect(erins.received).toHaveLength(0);
  });
});
