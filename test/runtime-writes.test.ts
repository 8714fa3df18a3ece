import { CREATE_SESSION, FULL_STATE, GET_SESSION, REPLACE_STATE, SESSION_FIELDS } from './support/documents.js';
import { describe, expect, test, type TestApp } from './support/fixtures.js';

const AGENT = 'runtime-agent';

const HISTORY = /* GraphQL */ `
  query History($id: ID!, $agentId: ID!) {
    session(id: $id, agentId: $agentId) {
      version
      messages(first: 200) { totalCount edges { node { id } } }
      state { summary { __typename ... on PlainText { text } } context { id } }
    }
  }
`;

const APPEND = /* GraphQL */ `
  mutation Append($id: ID!, $agentId: ID!, $messages: [MessageInput!]!, $expectedVersion: Int) {
    appendMessages(id: $id, agentId: $agentId, messages: $messages, expectedVersion: $expectedVersion) { version }
  }
`;

const COMPACT = /* GraphQL */ `
  mutation Compact($id: ID!, $agentId: ID!, $keepLast: Int!, $summary: TextOrBlocksInput!, $expectedVersion: Int) {
    compactContext(id: $id, agentId: $agentId, keepLast: $keepLast, summary: $summary, expectedVersion: $expectedVersion) { version }
  }
`;

const UPDATE_STATE = /* GraphQL */ `
  mutation UpdateState($id: ID!, $agentId: ID!, $input: UpdateSessionStateInput!, $expectedVersion: Int) {
    updateSessionState(id: $id, agentId: $agentId, input: $input, expectedVersion: $expectedVersion) { ...SessionFields }
  }
  ${SESSION_FIELDS}
`;

const TASK_FIELDS = 'version state { tasksContext { tasks { id subject state owner metadata blocks blockedBy } } }';
const CREATE_TASK = `mutation ($id: ID!, $agentId: ID!, $input: TaskInput!, $expectedVersion: Int) { createTask(id: $id, agentId: $agentId, input: $input, expectedVersion: $expectedVersion) { ${TASK_FIELDS} } }`;
const UPDATE_TASK = `mutation ($id: ID!, $agentId: ID!, $taskId: ID!, $input: UpdateTaskInput!, $expectedVersion: Int) { updateTask(id: $id, agentId: $agentId, taskId: $taskId, input: $input, expectedVersion: $expectedVersion) { ${TASK_FIELDS} } }`;
const DELETE_TASK = `mutation ($id: ID!, $agentId: ID!, $taskId: ID!) { deleteTask(id: $id, agentId: $agentId, taskId: $taskId) { ${TASK_FIELDS} } }`;

const message = (id: string) => ({ id, name: 'user', role: 'USER', content: [{ text: { text: `text of ${id}` } }] });

async function createSession(service: TestApp, state: Record<string, unknown> = {}) {
  const { data, errors } = await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, state } });
  expect(errors).toBeUndefined();
  return data.createSession;
}

async function history(service: TestApp, id: string) {
  const { data } = await service.graphql(HISTORY, { id, agentId: AGENT });
  const session = data.session;
  return {
    version: session.version,
    history: session.messages.edges.map((edge: any) => edge.node.id),
    historyCount: session.messages.totalCount,
    context: session.state.context.map((m: any) => m.id),
    summary: session.state.summary,
  };
}

describe('appendMessages', () => {
  test('appends to the history and the context, in order, and bumps the version', async ({ service }) => {
    const session = await createSession(service, { context: [message('m1')] });
    const first = await service.graphql(APPEND, { id: session.id, agentId: AGENT, messages: [message('m2'), message('m3')] });
    expect(first.errors).toBeUndefined();
    expect(first.data.appendMessages.version).toBe(2);
    await service.graphql(APPEND, { id: session.id, agentId: AGENT, messages: [message('m4')], expectedVersion: 2 });
    expect(await history(service, session.id)).toMatchObject({
      version: 3,
      history: ['m1', 'm2', 'm3', 'm4'],
      historyCount: 4,
      context: ['m1', 'm2', 'm3', 'm4'],
    });
  });

  test('is all-or-nothing: a repeated id rejects the whole batch', async ({ service }) => {
    const session = await createSession(service, { context: [message('m1')] });
    for (const messages of [[message('m2'), message('m1')], [message('m2'), message('m2')]]) {
      const { errors } = await service.graphql(APPEND, { id: session.id, agentId: AGENT, messages });
      expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(errors?.[0]?.extensions?.issues).toEqual([{ path: [1, 'id'], message: expect.stringContaining('already in this session') }]);
    }
    expect(await history(service, session.id)).toMatchObject({ version: 1, history: ['m1'], context: ['m1'] });
  });

  test('a stale expectedVersion is a CONFLICT and appends nothing', async ({ service }) => {
    const session = await createSession(service);
    await service.graphql(APPEND, { id: session.id, agentId: AGENT, messages: [message('a')] });
    const { errors } = await service.graphql(APPEND, { id: session.id, agentId: AGENT, messages: [message('b')], expectedVersion: 1 });
    expect(errors?.[0]?.extensions?.code).toBe('CONFLICT');
    expect((await history(service, session.id)).history).toEqual(['a']);
  });

  test('concurrent appends all land, each message once, in some order', async ({ service }) => {
    const session = await createSession(service);
    const ids = Array.from({ length: 10 }, (_, index) => `c${index}`);
    const results = await Promise.all(ids.map((id) => service.graphql(APPEND, { id: session.id, agentId: AGENT, messages: [message(id)] })));
    for (const result of results) expect(result.errors).toBeUndefined();
    const after = await history(service, session.id);
    expect([...after.history].sort()).toEqual([...ids].sort());
    expect(after.version).toBe(11);
  });

  test('an empty batch is bad input', async ({ service }) => {
    const session = await createSession(service);
    const { errors } = await service.graphql(APPEND, { id: session.id, agentId: AGENT, messages: [] });
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('compactContext', () => {
  test('stores the summary, keeps the newest messages in context, and the history keeps everything', async ({ service }) => {
    const session = await createSession(service, { context: ['m1', 'm2', 'm3', 'm4', 'm5'].map(message) });
    const { data, errors } = await service.graphql(COMPACT, { id: session.id, agentId: AGENT, keepLast: 2, summary: { text: 'm1..m3 summarised' } });
    expect(errors).toBeUndefined();
    expect(data.compactContext.version).toBe(2);
    expect(await history(service, session.id)).toMatchObject({
      history: ['m1', 'm2', 'm3', 'm4', 'm5'],
      context: ['m4', 'm5'],
      summary: { __typename: 'PlainText', text: 'm1..m3 summarised' },
    });
    // Appends after a compaction join the context behind the kept messages.
    await service.graphql(APPEND, { id: session.id, agentId: AGENT, messages: [message('m6')] });
    expect((await history(service, session.id)).context).toEqual(['m4', 'm5', 'm6']);
  });

  test('keepLast beyond the context keeps it all; keepLast 0 empties it', async ({ service }) => {
    const session = await createSession(service, { context: ['a', 'b'].map(message) });
    await service.graphql(COMPACT, { id: session.id, agentId: AGENT, keepLast: 10, summary: { text: 's' } });
    expect((await history(service, session.id)).context).toEqual(['a', 'b']);
    await service.graphql(COMPACT, { id: session.id, agentId: AGENT, keepLast: 0, summary: { blocks: [{ text: { text: 'all of it' } }] } });
    const after = await history(service, session.id);
    expect(after.context).toEqual([]);
    expect(after.history).toEqual(['a', 'b']);
    expect(after.summary.__typename).toBe('BlockList');
  });

  test('a stale version or a negative keepLast changes nothing', async ({ service }) => {
    const session = await createSession(service, { context: ['a', 'b'].map(message), summary: { text: 'old' } });
    await service.graphql(APPEND, { id: session.id, agentId: AGENT, messages: [message('c')] });
    const stale = await service.graphql(COMPACT, { id: session.id, agentId: AGENT, keepLast: 0, summary: { text: 'new' }, expectedVersion: 1 });
    expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const negative = await service.graphql(COMPACT, { id: session.id, agentId: AGENT, keepLast: -1, summary: { text: 'new' } });
    expect(negative.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(await history(service, session.id)).toMatchObject({ version: 2, context: ['a', 'b', 'c'], summary: { text: 'old' } });
  });
});

describe('replaceSessionState keeps the history', () => {
  test('a new context replaces the context; the history keeps old messages and gains new ones', async ({ service }) => {
    const session = await createSession(service, { context: ['m1', 'm2', 'm3'].map(message) });
    const edited = { ...message('m3'), content: [{ text: { text: 'edited m3' } }] };
    const { errors } = await service.graphql(REPLACE_STATE, { id: session.id, agentId: AGENT, state: { context: [edited, message('m4')] } });
    expect(errors).toBeUndefined();
    expect(await history(service, session.id)).toMatchObject({ history: ['m1', 'm2', 'm3', 'm4'], context: ['m3', 'm4'] });
    const read = await service.graphql(GET_SESSION, { id: session.id, agentId: AGENT });
    expect(read.data.session.state.context[0].content[0].text).toBe('edited m3');
  });
});

describe('updateSessionState', () => {
  test('changes only the named fields; absent and null keep', async ({ service }) => {
    const before = (await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, state: FULL_STATE } })).data.createSession;
    const { data, errors } = await service.graphql(UPDATE_STATE, {
      id: before.id,
      agentId: AGENT,
      input: {
        summary: { text: 'new summary' },
        curIter: 9,
        replyId: null,
        permissionContext: { denyRules: [{ toolName: 'Bash', ruleContent: 'rm -rf', behavior: 'DENY', source: 'policy' }] },
        toolContext: { activatedGroups: ['web'], maxCacheFiles: null },
      },
    });
    expect(errors).toBeUndefined();
    const after = data.updateSessionState;
    expect(after.version).toBe(before.version + 1);
    expect(after.state).toEqual({
      ...before.state,
      summary: { __typename: 'PlainText', text: 'new summary' },
      curIter: 9,
      permissionContext: { ...before.state.permissionContext, denyRules: [{ toolName: 'Bash', ruleContent: 'rm -rf', behavior: 'DENY', source: 'policy' }] },
      toolContext: { ...before.state.toolContext, activatedGroups: ['web'] },
    });
    expect(after.config).toEqual(before.config);
  });

  test('a stale version is a CONFLICT; bad input is rejected; neither writes', async ({ service }) => {
    const before = (await service.graphql(CREATE_SESSION, { input: { agentId: AGENT } })).data.createSession;
    const stale = await service.graphql(UPDATE_STATE, { id: before.id, agentId: AGENT, input: { curIter: 5 }, expectedVersion: 7 });
    expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const bad = await service.graphql(UPDATE_STATE, { id: before.id, agentId: AGENT, input: { toolContext: { maxCacheBytes: 5 } } });
    expect(bad.errors?.[0]?.extensions?.issues?.[0]?.path).toEqual(['input', 'toolContext', 'maxCacheBytes']);
    expect((await service.graphql(GET_SESSION, { id: before.id, agentId: AGENT })).data.session).toEqual(before);
  });
});

describe('task writes', () => {
  const tasksOf = (result: any, field: string) => result.data[field].state.tasksContext.tasks;

  test('create mirrors links; update moves them; delete removes them everywhere', async ({ service }) => {
    const session = await createSession(service, { tasksContext: { tasks: [{ id: 'a', subject: 'A', description: '' }, { id: 'b', subject: 'B', description: '' }] } });
    const ref = { id: session.id, agentId: AGENT };

    const created = await service.graphql(CREATE_TASK, { ...ref, input: { id: 'c', subject: 'C', description: 'd', blockedBy: ['a'], blocks: ['b'] } });
    expect(created.errors).toBeUndefined();
    expect(created.data.createTask.version).toBe(2);
    expect(tasksOf(created, 'createTask')).toEqual([
      { id: 'a', subject: 'A', state: 'PENDING', owner: null, metadata: {}, blocks: ['c'], blockedBy: [] },
      { id: 'b', subject: 'B', state: 'PENDING', owner: null, metadata: {}, blocks: [], blockedBy: ['c'] },
      { id: 'c', subject: 'C', state: 'PENDING', owner: null, metadata: {}, blocks: ['b'], blockedBy: ['a'] },
    ]);

    const updated = await service.graphql(UPDATE_TASK, { ...ref, taskId: 'c', input: { state: 'IN_PROGRESS', owner: 'agent', blockedBy: [], metadata: { p: 1 } } });
    expect(updated.errors).toBeUndefined();
    expect(tasksOf(updated, 'updateTask')).toEqual([
      { id: 'a', subject: 'A', state: 'PENDING', owner: null, metadata: {}, blocks: [], blockedBy: [] },
      { id: 'b', subject: 'B', state: 'PENDING', owner: null, metadata: {}, blocks: [], blockedBy: ['c'] },
      { id: 'c', subject: 'C', state: 'IN_PROGRESS', owner: 'agent', metadata: { p: 1 }, blocks: ['b'], blockedBy: [] },
    ]);

    const cleared = await service.graphql(UPDATE_TASK, { ...ref, taskId: 'c', input: { owner: null } });
    expect(tasksOf(cleared, 'updateTask')[2].owner).toBeNull();

    const deleted = await service.graphql(DELETE_TASK, { ...ref, taskId: 'c' });
    expect(tasksOf(deleted, 'deleteTask')).toEqual([
      { id: 'a', subject: 'A', state: 'PENDING', owner: null, metadata: {}, blocks: [], blockedBy: [] },
      { id: 'b', subject: 'B', state: 'PENDING', owner: null, metadata: {}, blocks: [], blockedBy: [] },
    ]);
    expect(deleted.data.deleteTask.version).toBe(5);
  });

  test('links to unknown tasks, self-links, repeated ids and unknown tasks change nothing', async ({ service }) => {
    const session = await createSession(service, { tasksContext: { tasks: [{ id: 'a', subject: 'A', description: '' }] } });
    const ref = { id: session.id, agentId: AGENT };
    const attempts: Array<[string, Record<string, unknown>, string]> = [
      [CREATE_TASK, { input: { id: 'x', subject: 'X', description: '', blocks: ['nope'] } }, 'BAD_USER_INPUT'],
      [CREATE_TASK, { input: { id: 'a', subject: 'again', description: '' } }, 'BAD_USER_INPUT'],
      [UPDATE_TASK, { taskId: 'a', input: { blocks: ['a'] } }, 'BAD_USER_INPUT'],
      [UPDATE_TASK, { taskId: 'ghost', input: { subject: 'boo' } }, 'NOT_FOUND'],
      [DELETE_TASK, { taskId: 'ghost' }, 'NOT_FOUND'],
      [UPDATE_TASK, { taskId: 'a', input: { subject: 'stale' }, expectedVersion: 99 }, 'CONFLICT'],
    ];
    for (const [document, variables, code] of attempts) {
      const { errors } = await service.graphql(document, { ...ref, ...variables });
      expect(errors?.[0]?.extensions?.code, JSON.stringify(variables)).toBe(code);
    }
    const after = (await service.graphql(GET_SESSION, ref)).data.session;
    expect(after.version).toBe(1);
    expect(after.state.tasksContext.tasks.map((task: any) => [task.id, task.subject, task.blocks])).toEqual([['a', 'A', []]]);
  });

  test('concurrent updates of different tasks all survive', async ({ service }) => {
    const tasks = Array.from({ length: 20 }, (_, index) => ({ id: `t${index}`, subject: 'todo', description: '' }));
    const session = await createSession(service, { tasksContext: { tasks } });
    const results = await Promise.all(
      tasks.map((task) => service.graphql(UPDATE_TASK, { id: session.id, agentId: AGENT, taskId: task.id, input: { subject: `done ${task.id}`, state: 'COMPLETED' } })),
    );
    for (const result of results) expect(result.errors).toBeUndefined();
    const after = (await service.graphql(GET_SESSION, { id: session.id, agentId: AGENT })).data.session;
    expect(after.version).toBe(21);
    expect(after.state.tasksContext.tasks.map((task: any) => [task.id, task.subject, task.state])).toEqual(
      tasks.map((task) => [task.id, `done ${task.id}`, 'COMPLETED']),
    );
  });
});
