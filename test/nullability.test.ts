import { graphql } from './graphql/graphql.js';
import { CREATE_SESSION, createdSession } from './support/documents.js';
import { describe, expect, test } from './support/fixtures.js';

const AGENT = 'blast-agent';

// A failure in a nested field of a session is an error on that field: the session, and the list
// around it, stay.
describe('a bad nested argument fails only its field', () => {
  test('messages(first: 500) on one session: the session is there, its messages are null, the error names the field', async ({
    service,
  }) => {
    const created = createdSession(await service.graphql(CREATE_SESSION, { input: { agentId: AGENT } }));
    const { data, errors } = await service.graphql(
      graphql(
        `query Bad($id: ID!, $agentId: ID!) { session(id: $id, agentId: $agentId) { id version messages(first: 500) { totalCount } } }`,
      ),
      { id: created.id, agentId: AGENT },
    );
    expect(data!.session).toEqual({ id: created.id, version: created.version, messages: null });
    expect(errors?.map((error) => [error.path, error.extensions?.code])).toEqual([
      [['session', 'messages'], 'BAD_USER_INPUT'],
    ]);
  });

  test('in a list of sessions, every node stays and only its messages field is null', async ({ service }) => {
    for (const name of ['a', 'b']) await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, name } });
    const { data, errors } = await service.graphql(
      graphql(
        `query BadList($agentId: ID!) { sessions(agentId: $agentId) { edges { node { id config { name } messages(last: 0) { totalCount } } } } }`,
      ),
      { agentId: AGENT },
    );
    const nodes = data!.sessions.edges.map((edge) => edge.node);
    expect(nodes.length).toBeGreaterThanOrEqual(2);
    for (const node of nodes) expect(node).toMatchObject({ id: expect.any(String), messages: null });
    expect(errors).toHaveLength(nodes.length);
    for (const error of errors!) expect(error.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
