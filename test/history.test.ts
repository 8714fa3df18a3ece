import { graphql, type InputOf, type ResultOf, type VariablesOf } from './graphql/graphql.js';
import { CREATE_SESSION, createdSession, outcomeOf, UPDATE_SESSION, writeOf } from './support/documents.js';
import { describe, expect, type GraphQLResponse, test, type TestApp } from './support/fixtures.js';

const AGENT = 'history-agent';

const PAGE = graphql(`
  query Page($id: ID!, $agentId: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    session(id: $id, agentId: $agentId) {
      id
      messages(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node { id } }
      }
    }
  }
`);

const APPEND = graphql(`
  mutation AppendHistory($input: AppendSessionMessagesInput!) { appendSessionMessages(input: $input) { __typename } }
`);

const message = (index: number): InputOf<'SessionMessageInput'> => ({
  id: `m${index}`,
  name: 'user',
  role: index % 2 ? 'ASSISTANT' : 'USER',
  content: [{ text: { text: `#${index}` } }],
});

/** A session whose history holds m1..m<count>, appended in batches as a runtime would. */
async function sessionWithHistory(service: TestApp, count: number, userId = 'historian') {
  const { id } = createdSession(await service.graphql(CREATE_SESSION, { input: { agentId: AGENT } }, { userId }));
  for (let start = 1; start <= count; start += 100) {
    const batch = Array.from({ length: Math.min(100, count - start + 1) }, (_, offset) => message(start + offset));
    expect(
      outcomeOf(await service.graphql(APPEND, writeOf({ id, agentId: AGENT }, { messages: batch }), { userId })),
    ).toBe('AppendSessionMessagesPayload');
  }
  return id;
}

async function page(service: TestApp, id: string, args: Omit<VariablesOf<typeof PAGE>, 'id' | 'agentId'>) {
  const { data, errors } = await service.graphql(PAGE, { id, agentId: AGENT, ...args }, { userId: 'historian' });
  expect(errors).toBeUndefined();
  const connection = data!.session!.messages!;
  return { ...connection, ids: connection.edges.map((edge) => edge.node.id) };
}

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => `m${from + index}`);

describe('Session.messages', () => {
  test('pages forward through the whole history, oldest first', async ({ service }) => {
    const id = await sessionWithHistory(service, 25);
    const seen: string[] = [];
    let after: string | null | undefined;
    for (;;) {
      const current = await page(service, id, { first: 10, after });
      expect(current.totalCount).toBe(25);
      expect(current.pageInfo.hasPreviousPage).toBe(after !== undefined);
      seen.push(...current.ids);
      if (!current.pageInfo.hasNextPage) break;
      after = current.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids(1, 25));
  });

  test('pages backward from the newest message (infinite scroll upwards)', async ({ service }) => {
    const id = await sessionWithHistory(service, 25);
    const newest = await page(service, id, { last: 10 });
    expect(newest.ids).toEqual(ids(16, 25));
    expect(newest.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const older = await page(service, id, { last: 10, before: newest.pageInfo.startCursor });
    expect(older.ids).toEqual(ids(6, 15));
    expect(older.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const oldest = await page(service, id, { last: 10, before: older.pageInfo.startCursor });
    expect(oldest.ids).toEqual(ids(1, 5));
    expect(oldest.pageInfo.hasPreviousPage).toBe(false);
    // And back down again from a cursor in the middle.
    const newer = await page(service, id, { first: 3, after: oldest.pageInfo.endCursor });
    expect(newer.ids).toEqual(ids(6, 8));
  });

  test('defaults to the newest 50', async ({ service }) => {
    const id = await sessionWithHistory(service, 60);
    const current = await page(service, id, {});
    expect(current.ids).toEqual(ids(11, 60));
  });

  test('rejects mixed directions, sizes outside 1..200 and foreign cursors', async ({ service }) => {
    const id = await sessionWithHistory(service, 3);
    for (const args of [
      { first: 1, last: 1 },
      { first: 1, before: 'x' },
      { first: 0 },
      { last: 201 },
      { after: 'garbage' },
      { before: Buffer.from('["a","b"]').toString('base64url') },
    ]) {
      const { errors } = await service.graphql(PAGE, { id, agentId: AGENT, ...args }, { userId: 'historian' });
      expect(errors?.[0]?.extensions?.code, JSON.stringify(args)).toBe('BAD_USER_INPUT');
    }
  });

  test('the thousandth page costs what the first does: windows come from the index, not a scan', async ({
    service,
  }) => {
    const id = await sessionWithHistory(service, 1_000);
    let first: Awaited<ReturnType<typeof page>> | undefined;
    let newest: Awaited<ReturnType<typeof page>> | undefined;
    // The session with its window, and the count, for the first and the newest page alike.
    expect(await service.countStatements(async () => (first = await page(service, id, { first: 5 })))).toBe(2);
    expect(first!.ids).toEqual(ids(1, 5));
    expect(await service.countStatements(async () => (newest = await page(service, id, { last: 5 })))).toBe(2);
    expect(newest!.ids).toEqual(ids(996, 1_000));
    const deep = await page(service, id, {
      last: 5,
      before: Buffer.from(JSON.stringify(['996'])).toString('base64url'),
    });
    expect(deep.ids).toEqual(ids(991, 995));
    const statements = await service.countStatements(() =>
      page(service, id, { last: 5, before: deep.pageInfo.startCursor }),
    );
    // The session with its window, and the count.
    expect(statements).toBe(2);
  });
});

// What a history view sends: a page size from a variable's default, the window in a fragment.
const HistoryView = graphql(`
  query HistoryView($id: ID!, $agentId: ID!, $first: Int = 4, $after: String, $last: Int, $before: String) {
    session(id: $id, agentId: $agentId) { id ...Window }
  }
  fragment Window on Session {
    id
    messages(first: $first, after: $after, last: $last, before: $before) {
      pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { node { id } }
    }
  }
`);

describe('a session with a page of its history', () => {
  test('is one statement: the session and its window are read together, forward and backward', async ({ service }) => {
    const id = await sessionWithHistory(service, 10);
    const read = async (variables: Omit<VariablesOf<typeof HistoryView>, 'id' | 'agentId'>) => {
      const send = () => service.graphql(HistoryView, { id, agentId: AGENT, ...variables }, { userId: 'historian' });
      let result!: Awaited<ReturnType<typeof send>>;
      const statements = await service.countStatements(async () => {
        result = await send();
      });
      expect(result.errors).toBeUndefined();
      const messages = result.data?.session?.messages;
      return { statements, ids: messages?.edges.map((edge) => edge.node.id), pageInfo: messages?.pageInfo };
    };
    const first = await read({});
    expect(first).toMatchObject({ statements: 1, ids: ids(1, 4), pageInfo: { hasNextPage: true } });
    expect(await read({ after: first.pageInfo?.endCursor, first: 3 })).toMatchObject({ statements: 1, ids: ids(5, 7) });
    expect(await read({ first: null, last: 3 })).toMatchObject({
      statements: 1,
      ids: ids(8, 10),
      pageInfo: { hasPreviousPage: true, hasNextPage: false },
    });
  });

  test("someone else's session, or another agent's: null and no messages, in one statement", async ({ service }) => {
    const id = await sessionWithHistory(service, 3);
    for (const [userId, agentId] of [
      ['intruder', AGENT],
      ['historian', 'another-agent'],
    ] as const) {
      let data: unknown;
      const statements = await service.countStatements(async () => {
        ({ data } = await service.graphql(HistoryView, { id, agentId }, { userId }));
      });
      expect(data).toEqual({ session: null });
      expect(statements).toBe(1);
    }
  });
});

describe('AgentState.context(last:)', () => {
  test('returns the newest messages of the context, oldest first', async ({ service }) => {
    const id = await sessionWithHistory(service, 12);
    const { data } = await service.graphql(
      graphql(
        `query ContextWindows($id: ID!, $agentId: ID!) { session(id: $id, agentId: $agentId) { id state { all: context { id } window: context(last: 3) { id } none: context(last: 0) { id } } } }`,
      ),
      { id, agentId: AGENT },
      { userId: 'historian' },
    );
    const state = data!.session!.state!;
    expect(state.all.map((m) => m.id)).toEqual(ids(1, 12));
    expect(state.window.map((m) => m.id)).toEqual(ids(10, 12));
    expect(state.none).toEqual([]);
  });
});

describe('batched across sessions', () => {
  test('a page of sessions with history windows, context windows and tasks: the same statements for 5 and 50', async ({
    service,
  }) => {
    for (let index = 0; index < 50; index++) await sessionWithHistory(service, 30, 'dashboard');
    const query = graphql(`
      query Dashboard($agentId: ID!, $first: Int) {
        sessions(agentId: $agentId, first: $first) {
          edges { node { id config { name } messages(last: 20) { edges { node { id } } } state { context(last: 5) { id } tasksContext { tasks { id } } } } }
        }
      }
    `);
    const run = async (first: number) => {
      let result!: GraphQLResponse<ResultOf<typeof query>>;
      const statements = await service.countStatements(async () => {
        result = await service.graphql(query, { agentId: AGENT, first }, { userId: 'dashboard' });
      });
      expect(result.errors).toBeUndefined();
      for (const edge of result.data!.sessions.edges) {
        expect(edge.node.messages!.edges.map((e) => e.node.id)).toEqual(ids(11, 30));
        expect(edge.node.state!.context.map((m) => m.id)).toEqual(ids(26, 30));
      }
      return statements;
    };
    const five = await run(5);
    expect(await run(50)).toBe(five);
    // The sessions with their states, context windows and tasks; the history windows.
    expect(five).toBe(2);
  });
});

describe('sessions: filters and orders', () => {
  const LIST = graphql(`
    query FilteredList($agentId: ID!, $first: Int, $after: String, $filter: SessionFilter, $orderBy: SessionOrder) {
      sessions(agentId: $agentId, first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { id config { name } } }
      }
    }
  `);

  /** Four sessions of `user`'s (one user per test: the file shares a database). */
  async function seed(service: TestApp, user: string) {
    const inputs: Array<Omit<InputOf<'CreateSessionInput'>, 'agentId'>> = [
      { name: 'Alpha report', workspaceId: 'w1' },
      { name: 'beta notes', workspaceId: 'w1', source: 'SCHEDULE', sourceScheduleId: 'nightly' },
      { name: 'Gamma REPORT', workspaceId: 'w2' },
      { name: 'delta', workspaceId: 'w2', source: 'SCHEDULE', sourceScheduleId: 'weekly' },
    ];
    const created: Array<ReturnType<typeof createdSession>> = [];
    for (const input of inputs) {
      await new Promise((resolve) => setTimeout(resolve, 3));
      created.push(
        createdSession(
          await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, ...input } }, { userId: user }),
        ),
      );
    }
    // Update the oldest last, so updated order differs from created order.
    await new Promise((resolve) => setTimeout(resolve, 3));
    await service.graphql(UPDATE_SESSION, writeOf({ id: created[0]!.id, agentId: AGENT }), { userId: user });
    return created;
  }

  const names = (result: GraphQLResponse<ResultOf<typeof LIST>>) =>
    result.data!.sessions.edges.map((edge) => edge.node.config.name);

  test('filter by workspace, source, schedule, name and time ranges', async ({ service }) => {
    const created = await seed(service, 'filterer');
    const list = (filter: InputOf<'SessionFilter'>) =>
      service.graphql(
        LIST,
        { agentId: AGENT, filter, orderBy: { field: 'CREATED_AT', direction: 'ASC' } },
        { userId: 'filterer' },
      );
    expect(names(await list({ workspaceId: 'w1' }))).toEqual(['Alpha report', 'beta notes']);
    expect(names(await list({ source: 'SCHEDULE' }))).toEqual(['beta notes', 'delta']);
    expect(names(await list({ sourceScheduleId: 'weekly' }))).toEqual(['delta']);
    expect(names(await list({ nameContains: 'report' }))).toEqual(['Alpha report', 'Gamma REPORT']);
    expect(names(await list({ createdAfter: created[1]!.createdAt, createdBefore: created[3]!.createdAt }))).toEqual([
      'beta notes',
      'Gamma REPORT',
    ]);
    expect(names(await list({ updatedAfter: created[3]!.createdAt }))).toEqual(['Alpha report', 'delta']);
    const combined = await list({ workspaceId: 'w2', nameContains: 'gamma' });
    expect(names(combined)).toEqual(['Gamma REPORT']);
    expect(combined.data!.sessions.totalCount).toBe(1);
  });

  test('order by either field in either direction, paging with keyset cursors', async ({ service }) => {
    await seed(service, 'orderer');
    const all = async (orderBy: InputOf<'SessionOrder'>) => {
      const seen: Array<string | null> = [];
      let after: string | null = null;
      do {
        const result: GraphQLResponse<ResultOf<typeof LIST>> = await service.graphql(
          LIST,
          { agentId: AGENT, first: 1, after, orderBy },
          { userId: 'orderer' },
        );
        expect(result.errors).toBeUndefined();
        seen.push(...names(result));
        const { pageInfo } = result.data!.sessions;
        after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
      } while (after);
      return seen;
    };
    expect(await all({ field: 'CREATED_AT', direction: 'ASC' })).toEqual([
      'Alpha report',
      'beta notes',
      'Gamma REPORT',
      'delta',
    ]);
    expect(await all({ field: 'CREATED_AT', direction: 'DESC' })).toEqual([
      'delta',
      'Gamma REPORT',
      'beta notes',
      'Alpha report',
    ]);
    expect(await all({ field: 'UPDATED_AT', direction: 'DESC' })).toEqual([
      'Alpha report',
      'delta',
      'Gamma REPORT',
      'beta notes',
    ]);
    expect(await all({ field: 'UPDATED_AT', direction: 'ASC' })).toEqual([
      'beta notes',
      'Gamma REPORT',
      'delta',
      'Alpha report',
    ]);
  });

  test('a cursor of one order is refused by another', async ({ service }) => {
    await seed(service, 'cursorer');
    const first = await service.graphql(LIST, { agentId: AGENT, first: 1 }, { userId: 'cursorer' });
    const { errors } = await service.graphql(
      LIST,
      {
        agentId: AGENT,
        first: 1,
        after: first.data!.sessions.pageInfo.endCursor,
        orderBy: { field: 'CREATED_AT', direction: 'DESC' },
      },
      { userId: 'cursorer' },
    );
    expect(errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', issues: [{ path: ['after'] }] });
  });
});
