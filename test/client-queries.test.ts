import { APPEND_MESSAGES, HISTORY_PAGE, NESTED_LIST, SESSIONS_PAGE, UPDATE_SESSION } from '../bench/queries.js';
import { CREATE_SESSION, createdSession, FULL_STATE } from './support/documents.js';
import { describe, expect, test } from './support/fixtures.js';

// The operations real clients send (the benchmark's, selecting every field a chat UI or dashboard
// shows) must pass the default abuse limits: depth, aliases, tokens and cost.
describe('the largest legitimate operations pass the default limits', () => {
  test('the nested list, a 200-message history page, a page of sessions, and the runtime writes', async ({
    service,
  }) => {
    const agentId = 'client-agent';
    const created = createdSession(await service.graphql(CREATE_SESSION, { input: { agentId, state: FULL_STATE } }));
    const ref = { id: created.id, agentId };
    for (const [query, variables] of [
      [NESTED_LIST, { agentId, first: 50 }],
      [HISTORY_PAGE, ref],
      [SESSIONS_PAGE, { agentId }],
      [UPDATE_SESSION, ref],
      [APPEND_MESSAGES, ref],
    ] as const) {
      // The benchmark's documents are text shared with bench/, which the typed client does not cover.
      const { errors } = await service.sendRawDocument(query, variables);
      expect(errors, query.slice(0, 60)).toBeUndefined();
    }
  });
});
