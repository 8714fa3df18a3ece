import { afterAll, beforeAll } from 'vitest';
import { databaseKind } from './support/databases.js';
import { graphql, type InputOf, type ResultOf } from './graphql/graphql.js';
import { memberOf, outcomeOf } from './support/documents.js';
import { describe, expect, test, type GraphQLResponse, type TestApp } from './support/fixtures.js';
import { type ProxiedService, startProxiedService } from './support/proxied-postgres.js';

/*
 * Issue 10, item 11: every write takes an optional idempotency key (GraphQL `idempotencyKey`,
 * REST `Idempotency-Key`), so a write whose answer was lost can be retried without applying twice.
 */

const INVALID_INPUT = graphql(`
  fragment InvalidInput on SessionInvalidInputError { issues { path message } }
`);

const CREATE = graphql(
  `
  mutation CreateIdempotent($input: CreateSessionInput!) {
    createSession(input: $input) { __typename ... on CreateSessionPayload { session { id version } } ...InvalidInput }
  }
`,
  [INVALID_INPUT],
);

const APPEND = graphql(
  `
  mutation AppendIdempotent($input: AppendSessionMessagesInput!) {
    appendSessionMessages(input: $input) {
      __typename
      ... on AppendSessionMessagesPayload { session { id version messages(last: 200) { totalCount } } messages { id createdAt } }
      ...InvalidInput
    }
  }
`,
  [INVALID_INPUT],
);

const DELETE = graphql(`
  mutation DeleteIdempotent($input: DeleteSessionInput!) {
    deleteSession(input: $input) { __typename ... on DeleteSessionPayload { deletedSessionId lastVersion } }
  }
`);

const READ = graphql(`
  query Read($id: ID!, $agentId: ID!) { session(id: $id, agentId: $agentId) { id version config { name } messages { totalCount } } }
`);

const COUNT = graphql(`
  query CountIdempotent($agentId: ID!) { sessions(agentId: $agentId) { totalCount } }
`);

const message = (text: string): InputOf<'SessionMessageInput'> => ({
  name: 'user',
  role: 'USER',
  content: [{ text: { text } }],
});

type Ref = { id: string; agentId: string };

/** The variables of an append to `ref`, with the input's other fields (expectedVersion, idempotencyKey). */
const appendOf = (
  ref: Ref,
  messages: InputOf<'SessionMessageInput'>[],
  options: { expectedVersion?: number; idempotencyKey?: string | null } = {},
) => ({
  input: { sessionId: ref.id, agentId: ref.agentId, messages, ...options },
});

/** What an append answered: its session's version and history size, or the failure. */
function appended(response: GraphQLResponse<ResultOf<typeof APPEND>>) {
  expect(response.errors).toBeUndefined();
  expect(outcomeOf(response)).toBe('AppendSessionMessagesPayload');
  const { version, messages } = memberOf(response.data!.appendSessionMessages, 'AppendSessionMessagesPayload').session;
  return { version, messages };
}

const CREATE_TASK = graphql(`
  mutation CreateTaskIdempotent($input: CreateSessionTaskInput!) {
    createSessionTask(input: $input) { __typename ... on CreateSessionTaskPayload { session { id version state { tasksContext { tasks { id } } } } task { id } } }
  }
`);

/** The issues of a SessionInvalidInputError answer (fails on any other answer). */
function invalidInputIssues(response: GraphQLResponse<ResultOf<typeof CREATE> | ResultOf<typeof APPEND>>) {
  expect(response.errors).toBeUndefined();
  expect(outcomeOf(response)).toBe('SessionInvalidInputError');
  const [result] = Object.values(response.data!);
  return memberOf(result, 'SessionInvalidInputError');
}

async function createSession(service: TestApp, userId: string, agentId = 'idem-agent'): Promise<Ref> {
  const response = await service.graphql(CREATE, { input: { agentId } }, { userId });
  expect(response.errors).toBeUndefined();
  expect(outcomeOf(response)).toBe('CreateSessionPayload');
  return { id: memberOf(response.data!.createSession, 'CreateSessionPayload').session.id, agentId };
}

describe('GraphQL idempotency keys', () => {
  test('a retried appendSessionMessages with the same key returns the first outcome and appends once', async ({
    service,
  }) => {
    const ref = await createSession(service, 'idem-append');
    const variables = appendOf(ref, [message('hello')], { idempotencyKey: 'append-1' });
    const firstResponse = await service.graphql(APPEND, variables, { userId: 'idem-append' });
    const retryResponse = await service.graphql(APPEND, variables, { userId: 'idem-append' });
    const [first, retry] = [appended(firstResponse), appended(retryResponse)];
    expect(retry.version).toBe(first.version);
    // The payload's messages are those the first write stored (generated id and time), not made afresh.
    expect(memberOf(retryResponse.data!.appendSessionMessages, 'AppendSessionMessagesPayload').messages).toEqual(
      memberOf(firstResponse.data!.appendSessionMessages, 'AppendSessionMessagesPayload').messages,
    );
    const read = await service.graphql(READ, ref, { userId: 'idem-append' });
    expect(read.data!.session).toMatchObject({ version: 2, messages: { totalCount: 1 } });
    // Without a key, the same input is a new write.
    const unkeyed = await service.graphql(APPEND, appendOf(ref, [message('hello')], { idempotencyKey: null }), {
      userId: 'idem-append',
    });
    expect(appended(unkeyed)).toEqual({ version: 3, messages: { totalCount: 2 } });
  });

  test('the same key with another input is SessionInvalidInputError and writes nothing', async ({ service }) => {
    const ref = await createSession(service, 'idem-reuse');
    appended(
      await service.graphql(APPEND, appendOf(ref, [message('one')], { idempotencyKey: 'reused' }), {
        userId: 'idem-reuse',
      }),
    );
    for (const variables of [
      appendOf(ref, [message('two')], { idempotencyKey: 'reused' }),
      appendOf(ref, [message('one')], { expectedVersion: 2, idempotencyKey: 'reused' }),
    ]) {
      const { issues } = invalidInputIssues(await service.graphql(APPEND, variables, { userId: 'idem-reuse' }));
      expect(issues).toMatchObject([{ path: ['input', 'idempotencyKey'] }]);
    }
    const other = await service.graphql(
      CREATE,
      { input: { agentId: 'idem-agent', idempotencyKey: 'reused' } },
      { userId: 'idem-reuse' },
    );
    expect(invalidInputIssues(other).issues).toMatchObject([{ path: ['input', 'idempotencyKey'] }]);
    expect((await service.graphql(READ, ref, { userId: 'idem-reuse' })).data!.session).toMatchObject({
      version: 2,
      messages: { totalCount: 1 },
    });
    const listed = await service.graphql(COUNT, { agentId: 'idem-agent' }, { userId: 'idem-reuse' });
    expect(listed.data!.sessions.totalCount).toBe(1);
  });

  test('keys are per caller: another user with the same key writes their own', async ({ service }) => {
    const input = { agentId: 'idem-agent', idempotencyKey: 'shared-key' };
    const mine = await service.graphql(CREATE, { input }, { userId: 'idem-alice' });
    const theirs = await service.graphql(CREATE, { input }, { userId: 'idem-bob' });
    expect([outcomeOf(mine), outcomeOf(theirs)]).toEqual(['CreateSessionPayload', 'CreateSessionPayload']);
    expect(memberOf(theirs.data!.createSession, 'CreateSessionPayload').session.id).not.toBe(
      memberOf(mine.data!.createSession, 'CreateSessionPayload').session.id,
    );
  });

  test('createSession and deleteSession replay too; concurrent retries apply once', async ({ service }) => {
    const input = { agentId: 'idem-agent', name: 'once', idempotencyKey: 'create-1' };
    const creations = await Promise.all(
      Array.from({ length: 5 }, () => service.graphql(CREATE, { input }, { userId: 'idem-create' })),
    );
    expect(creations.map(outcomeOf)).toEqual(Array(5).fill('CreateSessionPayload'));
    const ids = new Set(
      creations.map((creation) => memberOf(creation.data!.createSession, 'CreateSessionPayload').session.id),
    );
    expect(ids.size).toBe(1);
    const list = await service.graphql(COUNT, { agentId: 'idem-agent' }, { userId: 'idem-create' });
    expect(list.data!.sessions.totalCount).toBe(1);
    const ref = { id: [...ids][0]!, agentId: 'idem-agent' };
    const deletion = { input: { sessionId: ref.id, agentId: ref.agentId, idempotencyKey: 'delete-1' } };
    const deletions = [];
    for (let attempt = 0; attempt < 2; attempt++)
      deletions.push(await service.graphql(DELETE, deletion, { userId: 'idem-create' }));
    const deleted = { __typename: 'DeleteSessionPayload', deletedSessionId: ref.id, lastVersion: 1 };
    expect(deletions.map((response) => response.errors ?? response.data!.deleteSession)).toEqual([deleted, deleted]);
  });

  test('a retried createSessionTask without a task id adds one task and names the same generated id', async ({
    service,
  }) => {
    const ref = await createSession(service, 'idem-task');
    const variables = {
      input: {
        sessionId: ref.id,
        agentId: ref.agentId,
        task: { subject: 's', description: 'd' },
        idempotencyKey: 'task-1',
      },
    };
    const first = await service.graphql(CREATE_TASK, variables, { userId: 'idem-task' });
    const retry = await service.graphql(CREATE_TASK, variables, { userId: 'idem-task' });
    expect([first.errors, retry.errors]).toEqual([undefined, undefined]);
    expect([outcomeOf(first), outcomeOf(retry)]).toEqual(['CreateSessionTaskPayload', 'CreateSessionTaskPayload']);
    const taskId = memberOf(first.data!.createSessionTask, 'CreateSessionTaskPayload').task!.id;
    expect(retry.data!.createSessionTask).toEqual(first.data!.createSessionTask);
    const { version, state } = memberOf(retry.data!.createSessionTask, 'CreateSessionTaskPayload').session;
    expect({ version, state }).toEqual({
      version: 2,
      state: { tasksContext: { tasks: [{ id: taskId }] } },
    });
  });

  test('keys expire after 24 hours: then the key may carry a new write', async ({ service }) => {
    const ref = await createSession(service, 'idem-expiry');
    appended(
      await service.graphql(APPEND, appendOf(ref, [message('old')], { idempotencyKey: 'expiring' }), {
        userId: 'idem-expiry',
      }),
    );
    await service.app.database.query(
      `UPDATE idempotency_keys SET created_at = now() - interval '25 hours' WHERE user_id = $1`,
      ['idem-expiry'],
    );
    const reused = await service.graphql(APPEND, appendOf(ref, [message('new')], { idempotencyKey: 'expiring' }), {
      userId: 'idem-expiry',
    });
    expect(appended(reused)).toEqual({ version: 3, messages: { totalCount: 2 } });
  });

  test('a malformed key is SessionInvalidInputError and writes nothing', async ({ service }) => {
    const ref = await createSession(service, 'idem-bad');
    for (const idempotencyKey of ['', 'k'.repeat(256), 'nul\u0000key']) {
      const response = await service.graphql(APPEND, appendOf(ref, [message('x')], { idempotencyKey }), {
        userId: 'idem-bad',
      });
      expect(invalidInputIssues(response).issues).toMatchObject([{ path: ['input', 'idempotencyKey'] }]);
    }
    expect((await service.graphql(READ, ref, { userId: 'idem-bad' })).data!.session).toMatchObject({
      version: 1,
      messages: { totalCount: 0 },
    });
  });
});

describe('REST Idempotency-Key', () => {
  test('POST, PATCH and DELETE replay under the same key; another body under it is 422', async ({ service }) => {
    const post = () =>
      service.rest('POST', '/sessions/', {
        body: { agent_id: 'rest-idem' },
        userId: 'idem-rest',
        headers: { 'idempotency-key': 'post-1' },
      });
    const [created, again] = [await post(), await post()];
    expect(created.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.session_id).toBe(created.body.session_id);
    const path = `/sessions/${created.body.session_id}?agent_id=rest-idem`;
    const patch = (name: string) =>
      service.rest('PATCH', path, { body: { name }, userId: 'idem-rest', headers: { 'idempotency-key': 'patch-1' } });
    const patched = await patch('renamed');
    const repatched = await patch('renamed');
    expect(patched.headers.get('etag')).toBe('"2"');
    expect(repatched.headers.get('etag')).toBe('"2"');
    const conflicting = await patch('other name');
    expect(conflicting.status).toBe(422);
    const listed = await service.rest('GET', '/sessions/?agent_id=rest-idem', { userId: 'idem-rest' });
    expect(listed.body).toMatchObject({ total: 1, sessions: [{ config: { name: 'renamed' } }] });
    const remove = () =>
      service.rest('DELETE', path, { userId: 'idem-rest', headers: { 'idempotency-key': 'delete-1' } });
    expect((await remove()).status).toBe(204);
    expect((await remove()).status).toBe(204);
  });
});

describe.skipIf(databaseKind !== 'postgres')(
  'a connection lost during COMMIT (PostgreSQL behind a TCP proxy; needs TEST_DATABASE_URL)',
  () => {
    let service: ProxiedService;

    beforeAll(async () => {
      service = await startProxiedService('commit-user');
    });
    afterAll(() => service?.close());

    test('answers "may have been applied"; the retry with the same key returns the committed outcome, applied once', async () => {
      const created = await service.graphql(CREATE, { input: { agentId: 'commit-agent' } });
      expect(outcomeOf(created)).toBe('CreateSessionPayload');
      const ref = {
        id: memberOf(created.data!.createSession, 'CreateSessionPayload').session.id,
        agentId: 'commit-agent',
      };
      const variables = appendOf(ref, [message('committed in the dark')], { idempotencyKey: 'commit-1' });
      const cut = service.proxy.cutAfterSending('COMMIT');
      const lost = await service.graphql(APPEND, variables);
      await cut;
      expect(lost.status).toBe(503);
      expect(lost.errors).toMatchObject([{ extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
      expect(lost.errors?.[0]?.message).toMatch(/may have been applied.*retry with the same idempotency key/i);
      // It was committed: the database has it, though the client heard only of a lost connection.
      let read = await service.graphql(READ, ref);
      for (let attempt = 0; read.errors && attempt < 5; attempt++) read = await service.graphql(READ, ref);
      expect(read.data!.session).toMatchObject({ version: 2, messages: { totalCount: 1 } });
      let retry = await service.graphql(APPEND, variables);
      // The pool may hand out the broken connection's sibling once more before it notices.
      for (let attempt = 0; retry.errors && attempt < 5; attempt++) retry = await service.graphql(APPEND, variables);
      expect(appended(retry)).toEqual({ version: 2, messages: { totalCount: 1 } });
      expect((await service.graphql(READ, ref)).data!.session).toMatchObject({
        version: 2,
        messages: { totalCount: 1 },
      });
    });
  },
);
