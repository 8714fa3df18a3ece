import { afterAll, beforeAll } from 'vitest';
import { graphql } from './graphql/graphql.js';
import { databaseKind } from './support/databases.js';
import { memberOf } from './support/documents.js';
import { describe, expect, type TestApp, test } from './support/fixtures.js';
import { type ProxiedService, startProxiedService } from './support/proxied-postgres.js';

// The hot writes in SQL statements (BEGIN/COMMIT included): a write of the session row alone and an
// append are one statement each, with every guarantee kept — the caller and version checked in the
// WHERE, the appended messages numbered under the session's row lock, the context's limit checked
// against the count kept on the row, a repeated message id undoing the whole statement.

const USER = 'statements-user';
const AGENT = 'statements-agent';

const CreateSession = graphql(`
  mutation CreateCounted($input: CreateSessionInput!) {
    createSession(input: $input) {
      __typename
      ... on CreateSessionPayload { session { id version } }
      ... on SessionError { message }
    }
  }
`);

const UpdateSession = graphql(`
  mutation UpdateCounted($input: UpdateSessionInput!) {
    updateSession(input: $input) {
      __typename
      ... on UpdateSessionPayload {
        session { id version config { name } state { permissionContext { mode } } }
      }
      ... on SessionVersionConflictError { expectedVersion currentVersion }
      ... on SessionError { message }
    }
  }
`);

const AppendMessages = graphql(`
  mutation AppendCounted($input: AppendSessionMessagesInput!) {
    appendSessionMessages(input: $input) {
      __typename
      ... on AppendSessionMessagesPayload { session { id version } messages { id } }
      ... on SessionInvalidInputError { issues { path message } }
      ... on SessionVersionConflictError { expectedVersion currentVersion }
      ... on SessionError { message }
    }
  }
`);

const ReplaceState = graphql(`
  mutation ReplaceCounted($input: ReplaceSessionStateInput!) {
    replaceSessionState(input: $input) {
      __typename
      ... on SessionError { message }
    }
  }
`);

const CompactContext = graphql(`
  mutation CompactCounted($input: CompactSessionContextInput!) {
    compactSessionContext(input: $input) {
      __typename
      ... on SessionError { message }
    }
  }
`);

const ReadHistory = graphql(`
  query HistoryCounted($id: ID!, $agentId: ID!) {
    session(id: $id, agentId: $agentId) {
      id
      version
      state { context { id } }
      messages(first: 100) { totalCount edges { cursor node { id } } }
    }
  }
`);

const message = (id: string) => ({
  id,
  name: 'user',
  role: 'USER' as const,
  content: [{ text: { text: `text of ${id}` } }],
});

async function createSession(service: TestApp, name: string) {
  const created = (await service.graphql(CreateSession, { input: { agentId: AGENT, name } }, { userId: USER })).data
    ?.createSession;
  if (created?.__typename !== 'CreateSessionPayload') throw new Error(`not created: ${JSON.stringify(created)}`);
  return { sessionId: created.session.id, agentId: AGENT };
}

/** The statements `work` sent, and what it returned. */
async function counted<Result>(service: TestApp, work: () => Promise<Result>) {
  let result!: Result;
  const statements = await service.countStatements(async () => {
    result = await work();
  });
  return { statements, result };
}

describe('updateSession', () => {
  test('is one statement, with the state mode in it, and only a missed write reads again', async ({ service }) => {
    const ref = await createSession(service, 'before');
    const update = (input: { name: string; permissionMode?: 'EXPLORE'; expectedVersion: number }) =>
      counted(service, async () => {
        const response = await service.graphql(UpdateSession, { input: { ...ref, ...input } }, { userId: USER });
        return response.data?.updateSession;
      });

    const renamed = await update({ name: 'after', permissionMode: 'EXPLORE', expectedVersion: 1 });
    expect(renamed.result).toEqual({
      __typename: 'UpdateSessionPayload',
      session: {
        id: ref.sessionId,
        version: 2,
        config: { name: 'after' },
        state: { permissionContext: { mode: 'EXPLORE' } },
      },
    });
    // The write, then the state the response selects (a read of its own).
    expect(renamed.statements).toBe(2);

    const stale = await update({ name: 'stale', expectedVersion: 1 });
    expect(stale.result).toMatchObject({ __typename: 'SessionVersionConflictError', currentVersion: 2 });
    // The write that matched nothing, then the read that tells a stale version from a missing session.
    expect(stale.statements).toBe(2);

    const missing = await counted(service, async () => {
      const response = await service.graphql(
        UpdateSession,
        { input: { ...ref, agentId: 'someone-elses', name: 'x' } },
        { userId: USER },
      );
      return response.data?.updateSession;
    });
    expect(missing.result).toMatchObject({ __typename: 'SessionNotFoundError' });
    expect(missing.statements).toBe(1);
  });
});

describe('appendSessionMessages', () => {
  test('is one statement; messages are numbered after the last and land in history and context', async ({
    service,
  }) => {
    const ref = await createSession(service, 'append');
    const append = (ids: string[], extra: { expectedVersion?: number } = {}) =>
      counted(service, async () => {
        const response = await service.graphql(
          AppendMessages,
          { input: { ...ref, ...extra, messages: ids.map(message) } },
          { userId: USER },
        );
        return response.data?.appendSessionMessages;
      });

    const first = await append(['m1', 'm2'], { expectedVersion: 1 });
    expect(first.result).toEqual({
      __typename: 'AppendSessionMessagesPayload',
      session: { id: ref.sessionId, version: 2 },
      messages: [{ id: 'm1' }, { id: 'm2' }],
    });
    expect(first.statements).toBe(1);
    expect((await append(['m3'])).statements).toBe(1);

    const read = (await service.graphql(ReadHistory, { id: ref.sessionId, agentId: AGENT }, { userId: USER })).data
      ?.session;
    expect(read?.version).toBe(3);
    expect(read?.state?.context.map((m) => m.id)).toEqual(['m1', 'm2', 'm3']);
    expect(read?.messages?.edges.map((edge) => edge.node.id)).toEqual(['m1', 'm2', 'm3']);
  });

  test('a repeated message id refuses the whole append, with the path of each repeat', async ({ service }) => {
    const ref = await createSession(service, 'repeats');
    const append = async (ids: string[]) =>
      (await service.graphql(AppendMessages, { input: { ...ref, messages: ids.map(message) } }, { userId: USER })).data
        ?.appendSessionMessages;
    expect((await append(['a', 'b']))?.__typename).toBe('AppendSessionMessagesPayload');

    expect(await append(['c', 'a', 'd', 'd'])).toMatchObject({
      __typename: 'SessionInvalidInputError',
      issues: [
        { path: ['input', 'messages', '1', 'id'], message: "Message 'a' is already in this session's history." },
        { path: ['input', 'messages', '3', 'id'], message: "Message 'd' is already in this session's history." },
      ],
    });
    const read = (await service.graphql(ReadHistory, { id: ref.sessionId, agentId: AGENT }, { userId: USER })).data
      ?.session;
    // Nothing of the refused append was written: not 'c', not the version.
    expect(read).toMatchObject({ version: 2, messages: { totalCount: 2 } });
    expect(read?.state?.context.map((m) => m.id)).toEqual(['a', 'b']);
    // Under an idempotency key the append runs in the key's transaction: the same refusal, and the
    // key is not spent (a failed write stores nothing), so it serves the corrected append.
    const keyed = async (ids: string[]) =>
      (
        await service.graphql(
          AppendMessages,
          { input: { ...ref, idempotencyKey: 'repeats-1', messages: ids.map(message) } },
          { userId: USER },
        )
      ).data?.appendSessionMessages;
    expect(await keyed(['e', 'b'])).toMatchObject({
      __typename: 'SessionInvalidInputError',
      issues: [{ path: ['input', 'messages', '1', 'id'] }],
    });
    expect((await keyed(['e']))?.__typename).toBe('AppendSessionMessagesPayload');
    // The next append is numbered right after the last one stored.
    expect((await append(['f']))?.__typename).toBe('AppendSessionMessagesPayload');
    const after = (await service.graphql(ReadHistory, { id: ref.sessionId, agentId: AGENT }, { userId: USER })).data
      ?.session;
    expect(after?.messages?.edges.map((edge) => edge.node.id)).toEqual(['a', 'b', 'e', 'f']);
  });

  test('the context limit holds across replaceSessionState, appends and compaction', async ({ service }) => {
    const ref = await createSession(service, 'limit');
    const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${index}`);
    const append = async (messageIds: string[]) =>
      (
        await service.graphql(
          AppendMessages,
          { input: { ...ref, messages: messageIds.map(message) } },
          { userId: USER },
        )
      ).data?.appendSessionMessages;

    // The whole state, with a context one short of the limit (5,000).
    const replaced = await service.graphql(
      ReplaceState,
      { input: { ...ref, state: { context: ids('r', 4_999).map(message) } } },
      { userId: USER },
    );
    expect(replaced.data?.replaceSessionState.__typename).toBe('ReplaceSessionStatePayload');

    expect(await append(['x1', 'x2'])).toMatchObject({
      __typename: 'SessionInvalidInputError',
      issues: [
        {
          path: ['input', 'messages'],
          message:
            'The context holds 4999 messages; 2 more would exceed its 5000. Compact it first (compactSessionContext).',
        },
      ],
    });
    expect((await append(['x1']))?.__typename).toBe('AppendSessionMessagesPayload');
    expect((await append(['x2']))?.__typename).toBe('SessionInvalidInputError');

    const compacted = await service.graphql(
      CompactContext,
      { input: { ...ref, keepLast: 4_998, summary: { text: 'earlier' } } },
      { userId: USER },
    );
    expect(compacted.data?.compactSessionContext.__typename).toBe('CompactSessionContextPayload');
    expect((await append(['x2', 'x3']))?.__typename).toBe('AppendSessionMessagesPayload');
    expect((await append(['x4']))?.__typename).toBe('SessionInvalidInputError');
  });
});

describe.skipIf(databaseKind !== 'postgres')(
  'a connection lost mid-statement (PostgreSQL behind a TCP proxy; needs TEST_DATABASE_URL)',
  () => {
    let service: ProxiedService;

    beforeAll(async () => {
      service = await startProxiedService(USER);
    });
    afterAll(() => service?.close());

    test('an append without a key answers "may have been applied": one statement commits on its own', async () => {
      const created = await service.graphql(CreateSession, { input: { agentId: AGENT, name: 'dark' } });
      const ref = {
        sessionId: memberOf(created.data?.createSession, 'CreateSessionPayload').session.id,
        agentId: AGENT,
      };
      const cut = service.proxy.cutAfterSending('INSERT INTO messages');
      const lost = await service.graphql(AppendMessages, { input: { ...ref, messages: [message('dark-1')] } });
      await cut;
      expect(lost.status).toBe(503);
      expect(lost.errors).toMatchObject([{ extensions: { code: 'SERVICE_UNAVAILABLE' } }]);
      expect(lost.errors?.[0]?.message).toMatch(/may have been applied.*re-read the session/i);
      // It was committed, though the client heard only of a lost connection.
      const read = () => service.graphql(ReadHistory, { id: ref.sessionId, agentId: AGENT });
      let after = await read();
      // The pool may hand out the broken connection's sibling once more before it notices.
      for (let attempt = 0; after.errors && attempt < 5; attempt++) after = await read();
      expect(after.data?.session).toMatchObject({ version: 2, messages: { totalCount: 1 } });
    });
  },
);
