import {
  CREATE_SESSION,
  createdSession,
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
          const session = createdSession(
            await service.graphql(CREATE_SESSION, { input: { agentId, name } }, { userId }),
          );
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
          expect(data!.session).toBeNull();
          break;
        }
        case 'list': {
          const { data } = await service.graphql(LIST_SESSIONS, { agentId, first: 100 }, as);
          const ids = data!.sessions.edges.map((edge) => edge.node.id);
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
          const write = {
            update: () => service.graphql(UPDATE_SESSION, writeOf(ref, { name: 'hijacked' }), as),
            'update with version': () =>
              service.graphql(UPDATE_SESSION, writeOf(ref, { permissionMode: 'BYPASS' }, target.version), as),
            'replace state': () =>
              service.graphql(REPLACE_STATE, writeOf(ref, { state: { summary: { text: 'hijacked' } } }), as),
            'replace state with version': () =>
              service.graphql(REPLACE_STATE, writeOf(ref, { state: {} }, target.version), as),
            delete: () => service.graphql(DELETE_SESSION, writeOf(ref), as),
          }[attempt];
          const { data, errors } = await write();
          expect(errors).toBeUndefined();
          // Word for word what a session that does not exist gets: not even a version conflict leaks it.
          expect(Object.values(data!)[0]).toEqual({
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
      expect(data!.session).toMatchObject({
        version: session.version,
        config: { name: session.name },
        state: { summary: { text: '' }, permissionContext: { mode: 'DEFAULT' } },
      });
    }
  });
});
