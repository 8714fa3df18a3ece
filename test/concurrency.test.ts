import { graphql, type InputOf } from './graphql/graphql.js';
import {
  type ChangeOf,
  CREATE_SESSION,
  createdSession,
  GET_SESSION,
  memberOf,
  outcomeOf,
  REPLACE_STATE,
  writeOf,
} from './support/documents.js';
import { describe, expect, test } from './support/fixtures.js';

const AGENT = 'agent-c';
const PATCH = graphql(`
  mutation Patch($input: UpdateSessionInput!) {
    updateSession(input: $input) { __typename ... on UpdateSessionPayload { session { id version } } }
  }
`);
const MODES: InputOf<'SessionPermissionMode'>[] = ['DEFAULT', 'ACCEPT_EDITS', 'EXPLORE', 'BYPASS', 'DONT_ASK'];

/** The i-th write changes one field, cycling through the three patchable ones, each time to a new value. */
function patchNumber(i: number): {
  field: 'name' | 'chatModelConfig' | 'permissionMode';
  input: ChangeOf<'UpdateSessionInput'>;
} {
  switch (i % 3) {
    case 0:
      return { field: 'name', input: { name: `name-${i}` } };
    case 1:
      return {
        field: 'chatModelConfig',
        input: {
          chatModelConfig: { type: 'openai', credentialId: `cred-${i}`, model: `model-${i}`, parameters: { i } },
        },
      };
    default:
      return { field: 'permissionMode', input: { permissionMode: MODES[i % MODES.length] } };
  }
}

describe('concurrent writes to one session', () => {
  test('100 concurrent updateSession calls: every write applies once, each field ends at its last write', async ({
    service,
  }) => {
    const created = createdSession(await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, name: 'start' } }));
    const ref = { id: created.id, agentId: AGENT };
    const writes = Array.from({ length: 100 }, (_, i) => patchNumber(i));
    const results = await Promise.all(writes.map(({ input }) => service.graphql(PATCH, writeOf(ref, input))));

    expect(results.flatMap((result) => result.errors ?? [])).toEqual([]);
    const versions = results.map(
      (result) => memberOf(result.data!.updateSession, 'UpdateSessionPayload').session.version,
    );
    // Each write got its own version: none was lost or applied twice.
    expect([...versions].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => created.version + 1 + i));

    const lastWriteOf = (field: string) => {
      const indexes = writes.map((write, i) => (write.field === field ? i : -1)).filter((i) => i >= 0);
      return writes[indexes.reduce((latest, i) => (versions[i]! > versions[latest]! ? i : latest))]!.input;
    };
    const final = (await service.graphql(GET_SESSION, ref)).data!.session!;
    expect(final.version).toBe(created.version + 100);
    expect(final.config.name).toBe(lastWriteOf('name').name);
    expect(final.config.chatModelConfig).toEqual(lastWriteOf('chatModelConfig').chatModelConfig);
    expect(final.state!.permissionContext.mode).toBe(lastWriteOf('permissionMode').permissionMode);
  });

  test('100 concurrent writes, each to a different task: every change is present afterwards', async ({ service }) => {
    const tasks = Array.from({ length: 100 }, (_, i) => ({ id: `t${i}`, subject: 'todo', description: '' }));
    const created = createdSession(
      await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, state: { tasksContext: { tasks } } } }),
    );
    const ref = { id: created.id, agentId: AGENT };
    const UPDATE_TASK = graphql(
      `mutation UpdateTaskConcurrently($input: UpdateSessionTaskInput!) { updateSessionTask(input: $input) { __typename } }`,
    );
    const results = await Promise.all(
      tasks.map((task, i) =>
        service.graphql(
          UPDATE_TASK,
          writeOf(ref, { taskId: task.id, subject: `done-${i}`, owner: `worker-${i}`, state: 'COMPLETED' }),
        ),
      ),
    );
    expect(results.map(outcomeOf)).toEqual(Array(100).fill('UpdateSessionTaskPayload'));
    const final = (await service.graphql(GET_SESSION, ref)).data!.session!;
    expect(final.version).toBe(created.version + 100);
    expect(final.state!.tasksContext.tasks.map((task) => [task.id, task.subject, task.owner, task.state])).toEqual(
      tasks.map((task, i) => [task.id, `done-${i}`, `worker-${i}`, 'COMPLETED']),
    );
  });

  test('N concurrent writes with the same expectedVersion: exactly one wins, the rest get CONFLICT and write nothing', async ({
    service,
  }) => {
    const created = createdSession(await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, name: 'start' } }));
    const ref = { id: created.id, agentId: AGENT };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        service.graphql(PATCH, writeOf(ref, { name: `contender-${i}` }, created.version)),
      ),
    );
    const winners = results
      .map((result, i) => [result, i] as const)
      .filter(([result]) => outcomeOf(result) === 'UpdateSessionPayload');
    expect(winners).toHaveLength(1);
    const [[winner, winnerIndex]] = winners as [readonly [(typeof results)[number], number]];
    expect(memberOf(winner.data!.updateSession, 'UpdateSessionPayload').session.version).toBe(created.version + 1);
    const losers = results.filter((result) => result !== winner);
    expect(losers.map(outcomeOf)).toEqual(Array(19).fill('SessionVersionConflictError'));
    const final = (await service.graphql(GET_SESSION, ref)).data!.session!;
    expect(final).toMatchObject({ version: created.version + 1, config: { name: `contender-${winnerIndex}` } });
  });

  test('the same holds for whole-state replacement', async ({ service }) => {
    const created = createdSession(await service.graphql(CREATE_SESSION, { input: { agentId: AGENT } }));
    const ref = { id: created.id, agentId: AGENT };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        service.graphql(REPLACE_STATE, writeOf(ref, { state: { summary: { text: `summary-${i}` } } }, created.version)),
      ),
    );
    const winners = results.filter((result) => outcomeOf(result) === 'ReplaceSessionStatePayload');
    expect(winners).toHaveLength(1);
    expect(results.filter((result) => outcomeOf(result) === 'SessionVersionConflictError')).toHaveLength(9);
    const final = (await service.graphql(GET_SESSION, ref)).data!.session!;
    expect(final.version).toBe(created.version + 1);
    expect(final.state!.summary).toEqual(
      memberOf(winners[0]!.data!.replaceSessionState, 'ReplaceSessionStatePayload').session.state!.summary,
    );
  });
});
