import { print } from 'graphql';
import {
  CREATE_SESSION,
  createdSession,
  DELETE_SESSION,
  GET_SESSION,
  LIST_SESSIONS,
  outcomeOf,
  REPLACE_STATE,
  UPDATE_SESSION,
  writeOf,
} from './support/documents.js';
import {
  describe,
  expect,
  type GraphQLRequestOptions,
  type GraphQLResponse,
  test,
  type TestApp,
} from './support/fixtures.js';

async function createSession(service: TestApp, userId: string, agentId: string) {
  return createdSession(
    await service.graphql(CREATE_SESSION, { input: { agentId, name: `${userId}/${agentId}` } }, { userId }),
  );
}

describe('identity', () => {
  type Send = (service: TestApp, options: GraphQLRequestOptions) => Promise<GraphQLResponse<Record<string, unknown>>>;
  const ref = { id: 'f'.repeat(32), agentId: 'a' };
  const operations: Array<[string, Send]> = [
    ['session', (service, options) => service.graphql(GET_SESSION, ref, options)],
    ['sessions', (service, options) => service.graphql(LIST_SESSIONS, { agentId: 'a' }, options)],
    ['createSession', (service, options) => service.graphql(CREATE_SESSION, { input: { agentId: 'a' } }, options)],
    ['updateSession', (service, options) => service.graphql(UPDATE_SESSION, writeOf(ref, { name: 'x' }), options)],
    ['replaceSessionState', (service, options) => service.graphql(REPLACE_STATE, writeOf(ref, { state: {} }), options)],
    ['deleteSession', (service, options) => service.graphql(DELETE_SESSION, writeOf(ref), options)],
  ];

  for (const [name, send] of operations) {
    test(`${name} without x-user-id, or with a blank one, is UNAUTHENTICATED`, async ({ service }) => {
      for (const userId of [null, '', '   ']) {
        const { data, errors } = await send(service, { userId });
        expect(errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
        expect(data?.[name] ?? null).toBeNull();
      }
    });
  }

  test('an anonymous createSession writes nothing', async ({ service }) => {
    await service.graphql(CREATE_SESSION, { input: { agentId: 'anon-agent' } }, { userId: null });
    // Counted in the table, whoever it would belong to: no caller could list an anonymous write.
    expect(await service.app.database.prisma.session.count({ where: { agentId: 'anon-agent' } })).toBe(0);
  });

  test('introspection works without a caller (GraphiQL, codegen)', async ({ service }) => {
    // gql.tada types no introspection fields: the raw path, narrowed by the assertion.
    const { data, errors } = await service.sendRawDocument('{ __schema { queryType { name } } }', {}, { userId: null });
    expect(errors).toBeUndefined();
    expect(data).toMatchObject({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('isolation between users and between agents', () => {
  test("another user's or another agent's session behaves as absent on every path", async ({ service }) => {
    const owned = await createSession(service, 'alice', 'agent-1');
    const attempts = [
      { userId: 'bob', agentId: 'agent-1' },
      { userId: 'alice', agentId: 'agent-2' },
      { userId: 'bob', agentId: 'agent-2' },
    ];
    for (const { userId, agentId } of attempts) {
      const ref = { id: owned.id, agentId };
      const read = await service.graphql(GET_SESSION, ref, { userId });
      expect(read.errors).toBeUndefined();
      expect(read.data!.session).toBeNull();

      const list = await service.graphql(LIST_SESSIONS, { agentId }, { userId });
      expect(list.data!.sessions.edges.map((edge) => edge.node.id)).not.toContain(owned.id);

      for (const write of [
        () => service.graphql(UPDATE_SESSION, writeOf(ref, { name: 'hijacked' }), { userId }),
        () => service.graphql(UPDATE_SESSION, writeOf(ref, { name: 'hijacked' }, owned.version), { userId }),
        () => service.graphql(REPLACE_STATE, writeOf(ref, { state: { summary: { text: 'hijacked' } } }), { userId }),
        () => service.graphql(DELETE_SESSION, writeOf(ref), { userId }),
      ]) {
        const { data } = await write();
        // The same answer as for a session that does not exist: nothing leaks.
        expect(Object.values(data!)[0]).toEqual({
          __typename: 'SessionNotFoundError',
          sessionId: owned.id,
          message: `Session '${owned.id}' not found.`,
        });
      }
    }
    const after = await service.graphql(GET_SESSION, { id: owned.id, agentId: 'agent-1' }, { userId: 'alice' });
    expect(after.data!.session).toMatchObject({ version: owned.version, config: { name: 'alice/agent-1' } });
    expect(after.data!.session!.state!.summary).toEqual({ __typename: 'SessionPlainText', text: '' });
  });

  test('userId comes from the caller, never from input', async ({ service }) => {
    // Variables the input type does not have, on purpose: the raw path.
    const { errors } = await service.sendRawDocument(
      print(CREATE_SESSION),
      { input: { agentId: 'a', userId: 'mallory' } },
      { userId: 'alice' },
    );
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors?.[0]?.message).toContain('userId');
  });

  test('lists hold only the caller’s sessions of the named agent', async ({ service }) => {
    const mine = await createSession(service, 'carol', 'agent-x');
    await createSession(service, 'carol', 'agent-y');
    await createSession(service, 'dave', 'agent-x');
    const { data } = await service.graphql(LIST_SESSIONS, { agentId: 'agent-x' }, { userId: 'carol' });
    expect(data!.sessions.totalCount).toBe(1);
    expect(data!.sessions.edges.map((edge) => edge.node.id)).toEqual([mine.id]);
  });
});

describe('deleteSession', () => {
  test('deletes the session and everything under it; it is gone afterwards', async ({ service }) => {
    const session = await createSession(service, 'erin', 'agent-1');
    const ref = { id: session.id, agentId: 'agent-1' };
    const deleted = await service.graphql(DELETE_SESSION, writeOf(ref), { userId: 'erin' });
    expect(deleted).toMatchObject({
      data: {
        deleteSession: {
          __typename: 'DeleteSessionPayload',
          deletedSessionId: session.id,
          lastVersion: session.version,
        },
      },
    });
    expect((await service.graphql(GET_SESSION, ref, { userId: 'erin' })).data!.session).toBeNull();
    const again = await service.graphql(DELETE_SESSION, writeOf(ref), { userId: 'erin' });
    expect(outcomeOf(again)).toBe('SessionNotFoundError');
    const update = await service.graphql(UPDATE_SESSION, writeOf(ref, { name: 'zombie' }), { userId: 'erin' });
    expect(outcomeOf(update)).toBe('SessionNotFoundError');
    const rows = await service.app.database.prisma.agentState.count({ where: { sessionId: session.id } });
    expect(rows).toBe(0);
  });

  test('with a stale expectedVersion it is CONFLICT and deletes nothing; with the current one it deletes', async ({
    service,
  }) => {
    const session = await createSession(service, 'fay', 'agent-1');
    const ref = { id: session.id, agentId: 'agent-1' };
    await service.graphql(UPDATE_SESSION, writeOf(ref, { name: 'v2' }), { userId: 'fay' });
    const stale = await service.graphql(DELETE_SESSION, writeOf(ref, {}, session.version), { userId: 'fay' });
    expect(stale.data!.deleteSession).toMatchObject({
      __typename: 'SessionVersionConflictError',
      currentVersion: session.version + 1,
    });
    expect((await service.graphql(GET_SESSION, ref, { userId: 'fay' })).data!.session).not.toBeNull();
    const current = await service.graphql(DELETE_SESSION, writeOf(ref, {}, session.version + 1), { userId: 'fay' });
    expect(current.data).toEqual({
      deleteSession: {
        __typename: 'DeleteSessionPayload',
        deletedSessionId: session.id,
        lastVersion: session.version + 1,
      },
    });
  });
});
