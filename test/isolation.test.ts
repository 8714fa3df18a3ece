import {
  CREATE_SESSION,
  DELETE_SESSION,
  GET_SESSION,
  LIST_SESSIONS,
  REPLACE_STATE,
  UPDATE_SESSION,
  writeOf,
} from './support/documents.js';
import fc from 'fast-check';
import { describe, expect, test } from './support/fixtures.js';

/*
 * Generated attempts (fast-check, seeded: a failure shrinks to the smallest attempt that shows it) by
 * every other user and agent on every read and write path: each finds nothing, changes nothing, and
 * learns nothing a missing session would not tell.
 */

const SEED = 7_331;
const ATTEMPTS = [
  'read',
  'list',
  'update',
  'update with version',
  'replace state',
  'replace state with version',
  'delete',
] as const;
const USERS = ['alice', 'bob', 'carol'];
const AGENTS = ['agent-1', 'agent-2', 'agent-3'];

interface Owned {
  id: string;
  userId: string;
  agentId: string;
  version: number;
  name: string;
}

describe('isolation', () => {
  test('randomised cross-user and cross-agent attempts on every path find nothing', async ({ service }) => {
    const owned: Owned[] = [];
    for (const userId of USERS) {
      for (const agentId of AGENTS) {
        for (const n of [1, 2]) {
          const name = `${userId}/${agentId}/${n}`;
          const session = (await service.graphql(CREATE_SESSION, { input: { agentId, name } }, { userId })).data
            .createSession.session;
          owned.push({ id: session.id, userId, agentId, version: session.version, name });
        }
      }
    }
    // Another user on any agent, or the owner on another agent.
    const attempts = fc
      .record({
        target: fc.constantFrom(...owned),
        userId: fc.constantFrom(...USERS),
        agentId: fc.constantFrom(...AGENTS),
        attempt: fc.constantFrom(...ATTEMPTS),
      })
      .filter(({ target, userId, agentId }) => userId !== target.userId || agentId !== target.agentId);
    const seen = new Set<string>();
    const tryIt = async ({
      target,
      userId,
      agentId,
      attempt,
    }: {
      target: Owned;
      userId: string;
      agentId: string;
      attempt: (typeof ATTEMPTS)[number];
    }) => {
      seen.add(`${attempt}:${userId === target.userId ? 'same user' : 'other user'}`);
      const ref = { id: target.id, agentId };
      const as = { userId };
      switch (attempt) {
        case 'read': {
          const { data, errors } = await service.graphql(GET_SESSION, ref, as);
          expect(errors).toBeUndefined();
          expect(data.session).toBeNull();
          break;
        }
        case 'list': {
          const { data } = await service.graphql(LIST_SESSIONS, { agentId, first: 100 }, as);
          const ids = data.sessions.edges.map((edge: any) => edge.node.id);
          expect(ids).not.toContain(target.id);
          // Exactly the actor's own sessions of that agent.
          expect(ids.sort()).toEqual(
            owned
              .filter((session) => session.userId === userId && session.agentId === agentId)
              .map((session) => session.id)
              .sort(),
          );
          break;
        }
        default: {
          const [document, variables] = {
            update: [UPDATE_SESSION, writeOf(ref, { name: 'hijacked' })],
            'update with version': [UPDATE_SESSION, writeOf(ref, { permissionMode: 'BYPASS' }, target.version)],
            'replace state': [REPLACE_STATE, writeOf(ref, { state: { summary: { text: 'hijacked' } } })],
            'replace state with version': [REPLACE_STATE, writeOf(ref, { state: {} }, target.version)],
            delete: [DELETE_SESSION, writeOf(ref)],
          }[attempt] as [string, Record<string, unknown>];
          const { data, errors } = await service.graphql(document, variables, as);
          expect(errors).toBeUndefined();
          // Word for word what a session that does not exist gets: not even a version conflict leaks it.
          expect(Object.values(data)[0]).toEqual({
            __typename: 'SessionNotFoundError',
            sessionId: target.id,
            message: `Session '${target.id}' not found.`,
          });
        }
      }
    };
    await fc.assert(fc.asyncProperty(attempts, tryIt), { seed: SEED, numRuns: 210 });
    // Every path was tried, both across users and across agents of the same user.
    expect(seen.size).toBe(ATTEMPTS.length * 2);
    for (const session of owned) {
      const { data } = await service.graphql(
        GET_SESSION,
        { id: session.id, agentId: session.agentId },
        { userId: session.userId },
      );
      expect(data.session).toMatchObject({
        version: session.version,
        config: { name: session.name },
        state: { summary: { text: '' }, permissionContext: { mode: 'DEFAULT' } },
      });
    }
  });
});
