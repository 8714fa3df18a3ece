import type { InputOf } from './graphql/graphql.js';
import {
  CREATE_SESSION,
  FULL_STATE,
  GET_SESSION,
  memberOf,
  outcomeOf,
  REPLACE_STATE,
  UPDATE_SESSION,
  writeOf,
} from './support/documents.js';
import { describe, expect, test, type TestApp } from './support/fixtures.js';

const AGENT = 'agent-a';
const MODEL = { type: 'openai', credentialId: 'cred-1', model: 'gpt-5', parameters: { temperature: 0.2, top_p: 0.9 } };

async function createSession(service: TestApp, input: Partial<InputOf<'CreateSessionInput'>> = {}) {
  const { data, errors } = await service.graphql(CREATE_SESSION, {
    input: { agentId: AGENT, name: 'original', chatModelConfig: MODEL, state: FULL_STATE, ...input },
  });
  expect(errors).toBeUndefined();
  return memberOf(data!.createSession, 'CreateSessionPayload').session;
}

async function update(
  service: TestApp,
  id: string,
  input: Omit<InputOf<'UpdateSessionInput'>, 'sessionId' | 'agentId' | 'expectedVersion'>,
  expectedVersion?: number,
) {
  return service.graphql(UPDATE_SESSION, writeOf({ id, agentId: AGENT }, input, expectedVersion));
}

async function read(service: TestApp, id: string) {
  return (await service.graphql(GET_SESSION, { id, agentId: AGENT })).data!.session!;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('updateSession follows the PATCH rules', () => {
  test('an empty patch keeps every field and still counts as a write', async ({ service }) => {
    const before = await createSession(service);
    await tick();
    const { data, errors } = await update(service, before.id, {});
    expect(errors).toBeUndefined();
    const after = memberOf(data!.updateSession, 'UpdateSessionPayload').session;
    expect(after.version).toBe(before.version + 1);
    expect(new Date(after.updatedAt).getTime()).toBeGreaterThan(new Date(before.updatedAt).getTime());
    expect({ ...after, version: 0, updatedAt: 0 }).toEqual({ ...before, version: 0, updatedAt: 0 });
  });

  test('a given name replaces it and leaves everything else', async ({ service }) => {
    const before = await createSession(service);
    const after = memberOf(
      (await update(service, before.id, { name: 'renamed' })).data!.updateSession,
      'UpdateSessionPayload',
    ).session;
    expect(after.config).toEqual({ ...before.config, name: 'renamed' });
    expect(after.state).toEqual(before.state);
  });

  test('name: null clears the name; an absent name keeps it', async ({ service }) => {
    const before = await createSession(service);
    const cleared = memberOf(
      (await update(service, before.id, { name: null })).data!.updateSession,
      'UpdateSessionPayload',
    ).session;
    expect(cleared.config.name).toBeNull();
    expect(cleared.config.chatModelConfig).toEqual(MODEL);
    const kept = memberOf(
      (await update(service, before.id, { permissionMode: 'EXPLORE' })).data!.updateSession,
      'UpdateSessionPayload',
    ).session;
    expect(kept.config.name).toBeNull();
  });

  test('a given chatModelConfig replaces the old one whole, parameters defaulting to {}', async ({ service }) => {
    const before = await createSession(service);
    const replacement = { type: 'anthropic', credentialId: 'cred-2', model: 'claude' };
    const after = memberOf(
      (await update(service, before.id, { chatModelConfig: replacement })).data!.updateSession,
      'UpdateSessionPayload',
    ).session;
    // No merge: the old parameters are gone, not carried over.
    expect(after.config.chatModelConfig).toEqual({ ...replacement, parameters: {} });
    expect(after.config.name).toBe('original');
    expect((await read(service, before.id)).config.chatModelConfig).toEqual({ ...replacement, parameters: {} });
  });

  test('chatModelConfig: null clears it; an absent one keeps it', async ({ service }) => {
    const before = await createSession(service);
    const kept = memberOf(
      (await update(service, before.id, { name: 'x' })).data!.updateSession,
      'UpdateSessionPayload',
    ).session;
    expect(kept.config.chatModelConfig).toEqual(MODEL);
    const cleared = memberOf(
      (await update(service, before.id, { chatModelConfig: null })).data!.updateSession,
      'UpdateSessionPayload',
    ).session;
    expect(cleared.config.chatModelConfig).toBeNull();
    expect(cleared.config.name).toBe('x');
  });

  test('permissionMode lands in state.permissionContext.mode and changes nothing else in the state', async ({
    service,
  }) => {
    const before = await createSession(service);
    const after = memberOf(
      (await update(service, before.id, { permissionMode: 'BYPASS' })).data!.updateSession,
      'UpdateSessionPayload',
    ).session;
    expect(after.state!.permissionContext.mode).toBe('BYPASS');
    expect(after.state).toEqual({
      ...before.state,
      permissionContext: { ...before.state!.permissionContext, mode: 'BYPASS' },
    });
    expect(after.config).toEqual(before.config);
  });

  test('permissionMode: null keeps the mode', async ({ service }) => {
    const before = await createSession(service);
    expect(before.state!.permissionContext.mode).toBe('ACCEPT_EDITS');
    const { data, errors } = await update(service, before.id, { permissionMode: null, name: 'n' });
    expect(errors).toBeUndefined();
    const after = memberOf(data!.updateSession, 'UpdateSessionPayload').session;
    expect(after.state!.permissionContext.mode).toBe('ACCEPT_EDITS');
    expect(after.config.name).toBe('n');
  });

  test('identity fields never change', async ({ service }) => {
    const before = await createSession(service, { source: 'SCHEDULE', sourceScheduleId: 'sched-1' });
    await update(service, before.id, { name: 'a', chatModelConfig: null, permissionMode: 'DONT_ASK' });
    const after = await read(service, before.id);
    for (const field of ['id', 'userId', 'agentId', 'createdAt', 'source', 'sourceScheduleId'] as const) {
      expect(after[field]).toEqual(before[field]);
    }
    expect(after.config.workspaceId).toBe(before.config.workspaceId);
    expect(after.version).toBe(before.version + 1);
  });

  test('with a stale expectedVersion the write answers SessionVersionConflictError and changes nothing', async ({
    service,
  }) => {
    const before = await createSession(service);
    await update(service, before.id, { name: 'first' });
    const stale = await update(service, before.id, { name: 'second' }, before.version);
    expect(stale.errors).toBeUndefined();
    expect(stale.data!.updateSession).toMatchObject({
      __typename: 'SessionVersionConflictError',
      expectedVersion: before.version,
      currentVersion: before.version + 1,
    });
    expect(memberOf(stale.data!.updateSession, 'SessionVersionConflictError').message).toContain(
      `version ${before.version + 1}`,
    );
    const current = await read(service, before.id);
    expect(current.config.name).toBe('first');
    expect(current.version).toBe(before.version + 1);

    const fresh = await update(service, before.id, { name: 'second' }, current.version);
    expect(fresh.errors).toBeUndefined();
    expect(memberOf(fresh.data!.updateSession, 'UpdateSessionPayload').session).toMatchObject({
      version: current.version + 1,
      config: { name: 'second' },
    });
  });

  test('concurrent updates of different fields all survive', async ({ service }) => {
    const before = await createSession(service);
    const writes = await Promise.all([
      update(service, before.id, { name: 'concurrent name' }),
      update(service, before.id, {
        chatModelConfig: { type: 't', credentialId: 'c', model: 'm', parameters: { k: 1 } },
      }),
      update(service, before.id, { permissionMode: 'EXPLORE' }),
    ]);
    for (const write of writes) expect(write.errors).toBeUndefined();
    const after = await read(service, before.id);
    expect(after.config.name).toBe('concurrent name');
    expect(after.config.chatModelConfig).toEqual({ type: 't', credentialId: 'c', model: 'm', parameters: { k: 1 } });
    expect(after.state!.permissionContext.mode).toBe('EXPLORE');
    expect(after.version).toBe(before.version + 3);
  });

  test('concurrent writes with the same expectedVersion: exactly one wins', async ({ service }) => {
    const before = await createSession(service);
    const writes = await Promise.all(
      Array.from({ length: 5 }, (_, index) => update(service, before.id, { name: `writer ${index}` }, before.version)),
    );
    const winners = writes.filter((write) => outcomeOf(write) === 'UpdateSessionPayload');
    expect(winners).toHaveLength(1);
    expect(writes.filter((write) => outcomeOf(write) === 'SessionVersionConflictError')).toHaveLength(4);
    const after = await read(service, before.id);
    expect(after.config.name).toBe(
      memberOf(winners[0]!.data!.updateSession, 'UpdateSessionPayload').session.config.name,
    );
    expect(after.version).toBe(before.version + 1);
  });

  test('an unknown session is a SessionNotFoundError', async ({ service }) => {
    const { data } = await update(service, 'f'.repeat(32), { name: 'x' });
    expect(data!.updateSession).toMatchObject({
      __typename: 'SessionNotFoundError',
      sessionId: 'f'.repeat(32),
      message: `Session '${'f'.repeat(32)}' not found.`,
    });
  });
});

describe('replaceSessionState', () => {
  test('replaces the whole state, bumps the version, leaves the config', async ({ service }) => {
    const before = await createSession(service);
    const { data, errors } = await service.graphql(
      REPLACE_STATE,
      writeOf(before, {
        state: {
          summary: { text: 'compact' },
          curIter: 7,
          context: [{ id: 'n1', name: 'user', role: 'USER', content: [{ text: { id: 'x', text: 'next' } }] }],
        },
      }),
    );
    expect(errors).toBeUndefined();
    const after = memberOf(data!.replaceSessionState, 'ReplaceSessionStatePayload').session;
    expect(after.version).toBe(before.version + 1);
    expect(after.config).toEqual(before.config);
    expect(after.state).toMatchObject({
      curIter: 7,
      summary: { __typename: 'SessionPlainText', text: 'compact' },
      permissionContext: { mode: 'DEFAULT', allowRules: [] },
      tasksContext: { tasks: [] },
    });
    expect(after.state!.context.map((message) => message.id)).toEqual(['n1']);
    expect(await read(service, before.id)).toEqual(after);
  });

  test('a stale expectedVersion is a SessionVersionConflictError and the old state stays', async ({ service }) => {
    const before = await createSession(service);
    await update(service, before.id, { name: 'moved on' });
    const stale = await service.graphql(REPLACE_STATE, writeOf(before, { state: {} }, before.version));
    expect(outcomeOf(stale)).toBe('SessionVersionConflictError');
    expect((await read(service, before.id)).state).toEqual(before.state);
  });

  test('an invalid task graph is rejected whole', async ({ service }) => {
    const before = await createSession(service);
    const { data } = await service.graphql(
      REPLACE_STATE,
      writeOf(before, {
        state: {
          summary: { text: 'lost?' },
          tasksContext: { tasks: [{ id: 'a', subject: 's', description: 'd', blocks: ['missing'] }] },
        },
      }),
    );
    expect(data!.replaceSessionState).toMatchObject({
      __typename: 'SessionInvalidInputError',
      issues: [
        {
          path: ['input', 'state', 'tasksContext', 'tasks', '0', 'blocks'],
          message: "No task 'missing' in this session.",
        },
      ],
    });
    expect(await read(service, before.id)).toEqual(before);
  });
});
