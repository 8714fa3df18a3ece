import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { createTestDatabase, databaseKind, type TestDatabase } from './support/databases.js';
import { describe, expect, test, testAppConfig, type TestApp } from './support/fixtures.js';
import { startTcpProxy } from './support/tcp-proxy.js';

/*
 * Issue 10, item 11: every write takes an optional idempotency key (GraphQL `idempotencyKey`,
 * REST `Idempotency-Key`), so a write whose answer was lost can be retried without applying twice.
 */

const CREATE = /* GraphQL */ `
  mutation Create($input: CreateSessionInput!, $idempotencyKey: String) {
    createSession(input: $input, idempotencyKey: $idempotencyKey) { id version }
  }
`;

const APPEND = /* GraphQL */ `
  mutation Append($id: ID!, $agentId: ID!, $messages: [MessageInput!]!, $expectedVersion: Int, $idempotencyKey: String) {
    appendMessages(id: $id, agentId: $agentId, messages: $messages, expectedVersion: $expectedVersion, idempotencyKey: $idempotencyKey) {
      version
      messages(last: 200) { totalCount }
    }
  }
`;

const DELETE = /* GraphQL */ `
  mutation Delete($id: ID!, $agentId: ID!, $idempotencyKey: String) { deleteSession(id: $id, agentId: $agentId, idempotencyKey: $idempotencyKey) }
`;

const READ = /* GraphQL */ `
  query Read($id: ID!, $agentId: ID!) { session(id: $id, agentId: $agentId) { version config { name } messages { totalCount } } }
`;

const message = (text: string) => ({ name: 'user', role: 'USER', content: [{ text: { text } }] });

async function createSession(service: TestApp, userId: string, agentId = 'idem-agent') {
  const { data, errors } = await service.graphql(CREATE, { input: { agentId } }, { userId });
  expect(errors).toBeUndefined();
  return { id: data.createSession.id as string, agentId };
}

describe('GraphQL idempotency keys', () => {
  test('a retried appendMessages with the same key returns the first outcome and appends once', async ({ service }) => {
    const ref = await createSession(service, 'idem-append');
    const variables = { ...ref, messages: [message('hello')], idempotencyKey: 'append-1' };
    const first = await service.graphql(APPEND, variables, { userId: 'idem-append' });
    const retry = await service.graphql(APPEND, variables, { userId: 'idem-append' });
    expect(first.errors).toBeUndefined();
    expect(retry.errors).toBeUndefined();
    expect(retry.data.appendMessages.version).toBe(first.data.appendMessages.version);
    const read = await service.graphql(READ, ref, { userId: 'idem-append' });
    expect(read.data.session).toMatchObject({ version: 2, messages: { totalCount: 1 } });
    // Without a key, the same input is a new write.
    const unkeyed = await service.graphql(APPEND, { ...variables, idempotencyKey: null }, { userId: 'idem-append' });
    expect(unkeyed.data.appendMessages).toEqual({ version: 3, messages: { totalCount: 2 } });
  });

  test('the same key with another input is BAD_USER_INPUT and writes nothing', async ({ service }) => {
    const ref = await createSession(service, 'idem-reuse');
    await service.graphql(APPEND, { ...ref, messages: [message('one')], idempotencyKey: 'reused' }, { userId: 'idem-reuse' });
    for (const variables of [
      { ...ref, messages: [message('two')], idempotencyKey: 'reused' },
      { ...ref, messages: [message('one')], expectedVersion: 2, idempotencyKey: 'reused' },
    ]) {
      const { errors } = await service.graphql(APPEND, variables, { userId: 'idem-reuse' });
      expect(errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', issues: [{ path: ['idempotencyKey'] }] } }]);
    }
    const other = await service.graphql(CREATE, { input: { agentId: 'idem-agent' }, idempotencyKey: 'reused' }, { userId: 'idem-reuse' });
    expect(other.errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT' } }]);
    expect((await service.graphql(READ, ref, { userId: 'idem-reuse' })).data.session).toMatchObject({ version: 2, messages: { totalCount: 1 } });
  });

  test('keys are per caller: another user with the same key writes their own', async ({ service }) => {
    const mine = await service.graphql(CREATE, { input: { agentId: 'idem-agent' }, idempotencyKey: 'shared-key' }, { userId: 'idem-alice' });
    const theirs = await service.graphql(CREATE, { input: { agentId: 'idem-agent' }, idempotencyKey: 'shared-key' }, { userId: 'idem-bob' });
    expect(theirs.data.createSession.id).not.toBe(mine.data.createSession.id);
  });

  test('createSession and deleteSession replay too; concurrent retries apply once', async ({ service }) => {
    const input = { agentId: 'idem-agent', name: 'once' };
    const creations = await Promise.all(
      Array.from({ length: 5 }, () => service.graphql(CREATE, { input, idempotencyKey: 'create-1' }, { userId: 'idem-create' })),
    );
    const ids = new Set(creations.map((creation) => creation.data.createSession.id));
    expect(ids.size).toBe(1);
    const list = await service.graphql(`{ sessions(agentId: "idem-agent") { totalCount } }`, {}, { userId: 'idem-create' });
    expect(list.data.sessions.totalCount).toBe(1);
    const ref = { id: [...ids][0], agentId: 'idem-agent' };
    const deletions = [];
    for (let attempt = 0; attempt < 2; attempt++) deletions.push(await service.graphql(DELETE, { ...ref, idempotencyKey: 'delete-1' }, { userId: 'idem-create' }));
    expect(deletions.map((deletion) => deletion.errors ?? deletion.data.deleteSession)).toEqual([ref.id, ref.id]);
  });

  test('keys expire after 24 hours: then the key may carry a new write', async ({ service }) => {
    const ref = await createSession(service, 'idem-expiry');
    await service.graphql(APPEND, { ...ref, messages: [message('old')], idempotencyKey: 'expiring' }, { userId: 'idem-expiry' });
    await service.app.database.query(`UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = $1`, ['idem-expiry']);
    const reused = await service.graphql(APPEND, { ...ref, messages: [message('new')], idempotencyKey: 'expiring' }, { userId: 'idem-expiry' });
    expect(reused.errors).toBeUndefined();
    expect(reused.data.appendMessages).toEqual({ version: 3, messages: { totalCount: 2 } });
  });

  test('a malformed key is BAD_USER_INPUT', async ({ service }) => {
    const ref = await createSession(service, 'idem-bad');
    for (const idempotencyKey of ['', 'k'.repeat(256), 'nul\u0000key']) {
      const { errors } = await service.graphql(APPEND, { ...ref, messages: [message('x')], idempotencyKey }, { userId: 'idem-bad' });
      expect(errors).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', issues: [{ path: ['idempotencyKey'] }] } }]);
    }
  });
});

describe('REST Idempotency-Key', () => {
  test('POST, PATCH and DELETE replay under the same key; another body under it is 422', async ({ service }) => {
    const post = () => service.rest('POST', '/sessions/', { body: { agent_id: 'rest-idem' }, userId: 'idem-rest', headers: { 'idempotency-key': 'post-1' } });
    const [created, again] = [await post(), await post()];
    expect(created.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.session_id).toBe(created.body.session_id);
    const path = `/sessions/${created.body.session_id}?agent_id=rest-idem`;
    const patch = (name: string) => service.rest('PATCH', path, { body: { name }, userId: 'idem-rest', headers: { 'idempotency-key': 'patch-1' } });
    const patched = await patch('renamed');
    const repatched = await patch('renamed');
    expect(patched.headers.get('etag')).toBe('"2"');
    expect(repatched.headers.get('etag')).toBe('"2"');
    const conflicting = await patch('other name');
    expect(conflicting.status).toBe(422);
    const listed = await service.rest('GET', '/sessions/?agent_id=rest-idem', { userId: 'idem-rest' });
    expect(listed.body).toMatchObject({ total: 1, sessions: [{ config: { name: 'renamed' } }] });
    const remove = () => service.rest('DELETE', path, { userId: 'idem-rest', headers: { 'idempotency-key': 'delete-1' } });
    expect((await remove()).status).toBe(204);
    expect((await remove()).status).toBe(204);
  });
});

describe.skipIf(databaseKind !== 'postgres')('a connection lost during COMMIT (PostgreSQL behind a TCP proxy; needs TEST_DATABASE_URL)', () => {
  let database: TestDatabase;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let app: App;

  beforeAll(async () => {
    database = await createTestDatabase();
    if (database.options.kind !== 'postgres') throw new Error('unreachable: the suite is skipped without PostgreSQL');
    const target = new URL(database.options.url);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const proxied = new URL(database.options.url);
    proxied.port = String(proxy.port);
    app = await createApp(testAppConfig({ ...database.options, url: proxied.toString() }), pino({ level: 'silent' }));
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    await database?.drop();
  });

  async function graphql(query: string, variables: Record<string, unknown>) {
    const response = await app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': 'commit-user' },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...(await response.json()) };
  }

  test('answers "may have been applied"; the retry with the same key returns the committed outcome, applied once', async () => {
    const created = await graphql(CREATE, { input: { agentId: 'commit-agent' } });
    const ref = { id: created.data.createSession.id, agentId: 'commit-agent' };
    const variables = { ...ref, messages: [message('committed in the dark')], idempotencyKey: 'commit-1' };
    const cut = proxy.cutAfterSending('COMMIT');
    const lost = await graphql(APPEND, variables);
    await cut;
    expect(lost.status).toBe(503);
    expect(lost.errors).toMatchObject([{ extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
    expect(lost.errors[0].message).toMatch(/may have been applied.*retry with the same idempotency key/i);
    // It was committed: the database has it, though the client heard only of a lost connection.
    let read = await graphql(READ, ref);
    for (let attempt = 0; read.errors && attempt < 5; attempt++) read = await graphql(READ, ref);
    expect(read.data.session).toMatchObject({ version: 2, messages: { totalCount: 1 } });
    let retry = await graphql(APPEND, variables);
    // The pool may hand out the broken connection's sibling once more before it notices.
    for (let attempt = 0; retry.errors && attempt < 5; attempt++) retry = await graphql(APPEND, variables);
    expect(retry.errors).toBeUndefined();
    expect(retry.data.appendMessages).toEqual({ version: 2, messages: { totalCount: 1 } });
    expect((await graphql(READ, ref)).data.session).toMatchObject({ version: 2, messages: { totalCount: 1 } });
  });
});
