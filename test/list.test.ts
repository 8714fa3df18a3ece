import { graphql, type ResultOf } from './graphql/graphql.js';
import {
  CREATE_SESSION,
  createdSession,
  FULL_STATE,
  GET_SESSION,
  LIST_SESSIONS,
  SESSION_FIELDS,
  UPDATE_SESSION,
  writeOf,
} from './support/documents.js';
import { onTestFinished } from 'vitest';
import { describe, expect, type GraphQLResponse, startTestApp, test, type TestApp } from './support/fixtures.js';

async function createSessions(service: TestApp, agentId: string, count: number, userId = 'lister') {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const created = await service.graphql(
      CREATE_SESSION,
      { input: { agentId, name: `s${index}`, state: FULL_STATE } },
      { userId },
    );
    expect(created.errors).toBeUndefined();
    ids.push(createdSession(created).id);
  }
  return ids;
}

describe('sessions', () => {
  test('pages through more than one page, most recently updated first', async ({ service }) => {
    const ids = await createSessions(service, 'paging', 7);
    // Touch the oldest: it moves to the front.
    await new Promise((resolve) => setTimeout(resolve, 5));
    await service.graphql(UPDATE_SESSION, writeOf({ id: ids[0]!, agentId: 'paging' }, { name: 'touched' }), {
      userId: 'lister',
    });
    const expected = [ids[0], ...ids.slice(1).reverse()];

    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: GraphQLResponse<ResultOf<typeof LIST_SESSIONS>> = await service.graphql(
        LIST_SESSIONS,
        { agentId: 'paging', first: 3, after },
        { userId: 'lister' },
      );
      const { data, errors } = page;
      expect(errors).toBeUndefined();
      const connection = data!.sessions;
      expect(connection.totalCount).toBe(7);
      expect(connection.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(connection.pageInfo.startCursor).toBe(connection.edges[0]?.cursor ?? null);
      expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor ?? null);
      seen.push(...connection.edges.map((edge) => edge.node.id));
      after = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
  });

  test('defaults to 20 per page; an empty list has no cursors', async ({ service }) => {
    await createSessions(service, 'defaults', 21);
    const { data } = await service.graphql(LIST_SESSIONS, { agentId: 'defaults' }, { userId: 'lister' });
    expect(data!.sessions.edges).toHaveLength(20);
    expect(data!.sessions.pageInfo.hasNextPage).toBe(true);
    const empty = await service.graphql(LIST_SESSIONS, { agentId: 'nobody-here' }, { userId: 'lister' });
    expect(empty.data!.sessions).toEqual({
      totalCount: 0,
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  test('the nested list query runs the same few SQL statements for 5 and for 50 sessions', async () => {
    // Whole sessions, contexts unwindowed, 50 at a time: far over the default MAX_COST, which prices
    // each context at 5,000 messages; the statements are what is measured here.
    const service = await startTestApp({ env: { MAX_COST: '1000000000' } });
    onTestFinished(() => service.close());
    await createSessions(service, 'batched', 50, 'batcher');
    const query = graphql(
      `
      query Nested($agentId: ID!, $first: Int) {
        sessions(agentId: $agentId, first: $first) { edges { node { ...SessionFields } } }
      }
    `,
      [SESSION_FIELDS],
    );
    const countFor = async (first: number) => {
      let result!: GraphQLResponse<ResultOf<typeof query>>;
      const statements = await service.countStatements(async () => {
        result = await service.graphql(query, { agentId: 'batched', first }, { userId: 'batcher' });
      });
      expect(result.errors).toBeUndefined();
      expect(result.data!.sessions.edges).toHaveLength(first);
      // Every session came back whole: its context and tasks were loaded, not skipped.
      for (const edge of result.data!.sessions.edges) {
        expect(edge.node.state!.context).toHaveLength(2);
        expect(edge.node.state!.tasksContext.tasks).toHaveLength(2);
      }
      return statements;
    };
    const forFive = await countFor(5);
    const forFifty = await countFor(50);
    // Read with the page, each session is what reading it alone returns.
    const listed = await service.graphql(query, { agentId: 'batched', first: 3 }, { userId: 'batcher' });
    for (const { node } of listed.data!.sessions.edges) {
      const alone = await service.graphql(GET_SESSION, { id: node.id, agentId: 'batched' }, { userId: 'batcher' });
      expect(node).toEqual(alone.data!.session);
    }
    expect(forFifty).toBe(forFive);
    // The page with each session's state, context and tasks beside it.
    expect(forFifty).toBe(1);
  });

  test('a page whose nodes ask for two context windows reads each as its own field would', async () => {
    const service = await startTestApp();
    onTestFinished(() => service.close());
    await createSessions(service, 'windows', 3, 'windower');
    const query = graphql(`
      query TwoWindows($agentId: ID!, $last: Int) {
        sessions(agentId: $agentId) {
          edges { node { id state { newest: context(last: $last) { id } whole: context { id } tasksContext { tasks { id } } } } }
        }
      }
    `);
    let result!: GraphQLResponse<ResultOf<typeof query>>;
    const statements = await service.countStatements(async () => {
      result = await service.graphql(query, { agentId: 'windows', last: 1 }, { userId: 'windower' });
    });
    expect(result.errors).toBeUndefined();
    expect(result.data!.sessions.edges).toHaveLength(3);
    for (const { node } of result.data!.sessions.edges) {
      expect(node.state!.whole).toHaveLength(2);
      expect(node.state!.newest).toEqual([node.state!.whole[1]]);
      expect(node.state!.tasksContext.tasks).toHaveLength(2);
    }
    // The page with states and tasks; each context window on its own.
    expect(statements).toBe(3);
    // A window the field refuses is reported by the field, as without the page's read-ahead.
    const refused = await service.graphql(query, { agentId: 'windows', last: -1 }, { userId: 'windower' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
