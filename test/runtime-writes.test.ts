import { graphql, type InputOf, type ResultOf } from './graphql/graphql.js';
import {
  CREATE_SESSION,
  FULL_STATE,
  GET_SESSION,
  memberOf,
  outcomeOf,
  REPLACE_STATE,
  SESSION_FIELDS,
  type SessionStateInput,
  WRITE_FAILURES,
  writeOf,
} from './support/documents.js';
import { describe, expect, test, type TestApp } from './support/fixtures.js';

const AGENT = 'runtime-agent';

const HISTORY = graphql(`
  query History($id: ID!, $agentId: ID!) {
    session(id: $id, agentId: $agentId) {
      id
      version
      messages(first: 200) { totalCount edges { node { id } } }
      state { summary { __typename ... on SessionPlainText { text } } context { id } }
    }
  }
`);

const APPEND = graphql(
  `
  mutation AppendMessages($input: AppendSessionMessagesInput!) {
    appendSessionMessages(input: $input) {
      __typename
      ... on AppendSessionMessagesPayload { session { id version } messages { id name createdAt content { __typename id } } }
      ...WriteFailure
    }
  }
`,
  [WRITE_FAILURES],
);

const COMPACT = graphql(
  `
  mutation CompactContext($input: CompactSessionContextInput!) {
    compactSessionContext(input: $input) { __typename ... on CompactSessionContextPayload { session { id version } } ...WriteFailure }
  }
`,
  [WRITE_FAILURES],
);

const UPDATE_STATE = graphql(
  `
  mutation UpdateState($input: UpdateSessionStateInput!) {
    updateSessionState(input: $input) { __typename ... on UpdateSessionStatePayload { session { ...SessionFields } } ...WriteFailure }
  }
`,
  [SESSION_FIELDS, WRITE_FAILURES],
);

const TASK_SESSION = graphql(`
  fragment TaskSession on Session { id version state { tasksContext { tasks { id subject state owner metadata blocks blockedBy } } } }
`);
const CREATE_TASK = graphql(
  `
  mutation CreateTask($input: CreateSessionTaskInput!) {
    createSessionTask(input: $input) { __typename ... on CreateSessionTaskPayload { session { ...TaskSession } task { id blocks blockedBy } } ...WriteFailure }
  }
`,
  [TASK_SESSION, WRITE_FAILURES],
);
const UPDATE_TASK = graphql(
  `
  mutation UpdateTask($input: UpdateSessionTaskInput!) {
    updateSessionTask(input: $input) { __typename ... on UpdateSessionTaskPayload { session { ...TaskSession } task { id owner } } ...WriteFailure }
  }
`,
  [TASK_SESSION, WRITE_FAILURES],
);
const DELETE_TASK = graphql(
  `
  mutation DeleteTask($input: DeleteSessionTaskInput!) {
    deleteSessionTask(input: $input) { __typename ... on DeleteSessionTaskPayload { session { ...TaskSession } deletedTaskId } ...WriteFailure }
  }
`,
  [TASK_SESSION, WRITE_FAILURES],
);

const message = (id: string): InputOf<'SessionMessageInput'> => ({
  id,
  name: 'user',
  role: 'USER',
  content: [{ text: { text: `text of ${id}` } }],
});

async function createSession(service: TestApp, state: SessionStateInput = {}) {
  const { data, errors } = await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, state } });
  expect(errors).toBeUndefined();
  return memberOf(data!.createSession, 'CreateSessionPayload').session;
}

async function history(service: TestApp, id: string) {
  const { data } = await service.graphql(HISTORY, { id, agentId: AGENT });
  const session = data!.session!;
  return {
    version: session.version,
    history: session.messages!.edges.map((edge) => edge.node.id),
    historyCount: session.messages!.totalCount,
    context: session.state!.context.map((m) => m.id),
    summary: session.state!.summary,
  };
}

describe('appendSessionMessages', () => {
  test('appends to the history and the context, in order, and bumps the version', async ({ service }) => {
    const session = await createSession(service, { context: [message('m1')] });
    const first = await service.graphql(APPEND, writeOf(session, { messages: [message('m2'), message('m3')] }));
    expect(first.errors).toBeUndefined();
    const appended = memberOf(first.data!.appendSessionMessages, 'AppendSessionMessagesPayload');
    expect(appended.session.version).toBe(2);
    // The payload returns what was stored, generated ids and times included.
    expect(appended.messages).toEqual([
      {
        id: 'm2',
        name: 'user',
        createdAt: expect.stringMatching(/Z$/),
        content: [{ __typename: 'SessionTextBlock', id: expect.any(String) }],
      },
      {
        id: 'm3',
        name: 'user',
        createdAt: expect.stringMatching(/Z$/),
        content: [{ __typename: 'SessionTextBlock', id: expect.any(String) }],
      },
    ]);
    const stored = await service.graphql(GET_SESSION, { id: session.id, agentId: AGENT });
    expect(stored.data!.session!.state!.context.slice(1).map((m) => m.content[0]!.id)).toEqual(
      appended.messages.map((m) => m.content[0]!.id),
    );
    await service.graphql(APPEND, writeOf(session, { messages: [message('m4')] }, 2));
    expect(await history(service, session.id)).toMatchObject({
      version: 3,
      history: ['m1', 'm2', 'm3', 'm4'],
      historyCount: 4,
      context: ['m1', 'm2', 'm3', 'm4'],
    });
  });

  test('is all-or-nothing: a repeated id rejects the whole batch', async ({ service }) => {
    const session = await createSession(service, { context: [message('m1')] });
    for (const messages of [
      [message('m2'), message('m1')],
      [message('m2'), message('m2')],
    ]) {
      const { data } = await service.graphql(APPEND, writeOf(session, { messages }));
      expect(data!.appendSessionMessages).toMatchObject({
        __typename: 'SessionInvalidInputError',
        issues: [
          { path: ['input', 'messages', '1', 'id'], message: expect.stringContaining('already in this session') },
        ],
      });
    }
    expect(await history(service, session.id)).toMatchObject({ version: 1, history: ['m1'], context: ['m1'] });
  });

  test('a stale expectedVersion is a CONFLICT and appends nothing', async ({ service }) => {
    const session = await createSession(service);
    await service.graphql(APPEND, writeOf(session, { messages: [message('a')] }));
    const stale = await service.graphql(APPEND, writeOf(session, { messages: [message('b')] }, 1));
    expect(stale.data!.appendSessionMessages).toMatchObject({
      __typename: 'SessionVersionConflictError',
      expectedVersion: 1,
      currentVersion: 2,
    });
    expect((await history(service, session.id)).history).toEqual(['a']);
  });

  test('concurrent appends all land, each message once, in some order', async ({ service }) => {
    const session = await createSession(service);
    const ids = Array.from({ length: 10 }, (_, index) => `c${index}`);
    const results = await Promise.all(
      ids.map((id) => service.graphql(APPEND, writeOf(session, { messages: [message(id)] }))),
    );
    expect(results.map(outcomeOf)).toEqual(Array(10).fill('AppendSessionMessagesPayload'));
    const after = await history(service, session.id);
    expect([...after.history].sort()).toEqual([...ids].sort());
    expect(after.version).toBe(11);
  });

  test('an empty batch is bad input', async ({ service }) => {
    const session = await createSession(service);
    const { data } = await service.graphql(APPEND, writeOf(session, { messages: [] }));
    expect(data!.appendSessionMessages).toMatchObject({
      __typename: 'SessionInvalidInputError',
      issues: [{ path: ['input', 'messages'], message: 'Must not be empty.' }],
    });
  });
});

describe('compactSessionContext', () => {
  test('stores the summary, keeps the newest messages in context, and the history keeps everything', async ({
    service,
  }) => {
    const session = await createSession(service, { context: ['m1', 'm2', 'm3', 'm4', 'm5'].map(message) });
    const { data, errors } = await service.graphql(
      COMPACT,
      writeOf(session, { keepLast: 2, summary: { text: 'm1..m3 summarised' } }),
    );
    expect(errors).toBeUndefined();
    expect(memberOf(data!.compactSessionContext, 'CompactSessionContextPayload').session.version).toBe(2);
    expect(await history(service, session.id)).toMatchObject({
      history: ['m1', 'm2', 'm3', 'm4', 'm5'],
      context: ['m4', 'm5'],
      summary: { __typename: 'SessionPlainText', text: 'm1..m3 summarised' },
    });
    // Appends after a compaction join the context behind the kept messages.
    await service.graphql(APPEND, writeOf(session, { messages: [message('m6')] }));
    expect((await history(service, session.id)).context).toEqual(['m4', 'm5', 'm6']);
  });

  test('keepLast beyond the context keeps it all; keepLast 0 empties it', async ({ service }) => {
    const session = await createSession(service, { context: ['a', 'b'].map(message) });
    await service.graphql(COMPACT, writeOf(session, { keepLast: 10, summary: { text: 's' } }));
    expect((await history(service, session.id)).context).toEqual(['a', 'b']);
    await service.graphql(
      COMPACT,
      writeOf(session, { keepLast: 0, summary: { blocks: [{ text: { text: 'all of it' } }] } }),
    );
    const after = await history(service, session.id);
    expect(after.context).toEqual([]);
    expect(after.history).toEqual(['a', 'b']);
    expect(after.summary.__typename).toBe('SessionBlockList');
  });

  test('a stale version or a negative keepLast changes nothing', async ({ service }) => {
    const session = await createSession(service, { context: ['a', 'b'].map(message), summary: { text: 'old' } });
    await service.graphql(APPEND, writeOf(session, { messages: [message('c')] }));
    const stale = await service.graphql(COMPACT, writeOf(session, { keepLast: 0, summary: { text: 'new' } }, 1));
    expect(outcomeOf(stale)).toBe('SessionVersionConflictError');
    const negative = await service.graphql(COMPACT, writeOf(session, { keepLast: -1, summary: { text: 'new' } }));
    expect(negative.data!.compactSessionContext).toMatchObject({
      __typename: 'SessionInvalidInputError',
      issues: [{ path: ['input', 'keepLast'] }],
    });
    expect(await history(service, session.id)).toMatchObject({
      version: 2,
      context: ['a', 'b', 'c'],
      summary: { text: 'old' },
    });
  });
});

describe('replaceSessionState keeps the history', () => {
  test('a new context replaces the context; the history keeps old messages and gains new ones', async ({ service }) => {
    const session = await createSession(service, { context: ['m1', 'm2', 'm3'].map(message) });
    const edited = { ...message('m3'), content: [{ text: { text: 'edited m3' } }] };
    const replaced = await service.graphql(
      REPLACE_STATE,
      writeOf(session, { state: { context: [edited, message('m4')] } }),
    );
    expect(outcomeOf(replaced)).toBe('ReplaceSessionStatePayload');
    expect(await history(service, session.id)).toMatchObject({
      history: ['m1', 'm2', 'm3', 'm4'],
      context: ['m3', 'm4'],
    });
    const read = await service.graphql(GET_SESSION, { id: session.id, agentId: AGENT });
    expect(memberOf(read.data!.session!.state!.context[0]!.content[0], 'SessionTextBlock').text).toBe('edited m3');
  });
});

describe('updateSessionState', () => {
  test('changes only the named fields; absent and null keep', async ({ service }) => {
    const before = memberOf(
      (await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, state: FULL_STATE } })).data!.createSession,
      'CreateSessionPayload',
    ).session;
    const { data, errors } = await service.graphql(
      UPDATE_STATE,
      writeOf(before, {
        summary: { text: 'new summary' },
        curIter: 9,
        replyId: null,
        permissionContext: {
          denyRules: [{ toolName: 'Bash', ruleContent: 'rm -rf', behavior: 'DENY', source: 'policy' }],
        },
        toolContext: { activatedGroups: ['web'], maxCacheFiles: null },
      }),
    );
    expect(errors).toBeUndefined();
    const after = memberOf(data!.updateSessionState, 'UpdateSessionStatePayload').session;
    expect(after.version).toBe(before.version + 1);
    expect(after.state).toEqual({
      ...before.state,
      summary: { __typename: 'SessionPlainText', text: 'new summary' },
      curIter: 9,
      permissionContext: {
        ...before.state!.permissionContext,
        denyRules: [{ toolName: 'Bash', ruleContent: 'rm -rf', behavior: 'DENY', source: 'policy' }],
      },
      toolContext: { ...before.state!.toolContext, activatedGroups: ['web'] },
    });
    expect(after.config).toEqual(before.config);
  });

  test('a stale version is a CONFLICT; bad input is rejected; neither writes', async ({ service }) => {
    const before = memberOf(
      (await service.graphql(CREATE_SESSION, { input: { agentId: AGENT } })).data!.createSession,
      'CreateSessionPayload',
    ).session;
    const stale = await service.graphql(UPDATE_STATE, writeOf(before, { curIter: 5 }, 7));
    expect(outcomeOf(stale)).toBe('SessionVersionConflictError');
    const bad = await service.graphql(UPDATE_STATE, writeOf(before, { toolContext: { maxCacheBytes: 5 } }));
    expect(memberOf(bad.data!.updateSessionState, 'SessionInvalidInputError').issues[0]!.path).toEqual([
      'input',
      'toolContext',
      'maxCacheBytes',
    ]);
    expect((await service.graphql(GET_SESSION, { id: before.id, agentId: AGENT })).data!.session).toEqual(before);
  });
});

describe('task writes', () => {
  const tasksOf = (result: { session: ResultOf<typeof TASK_SESSION> }) => result.session.state!.tasksContext.tasks;

  test('create mirrors links; update moves them; delete removes them everywhere', async ({ service }) => {
    const session = await createSession(service, {
      tasksContext: {
        tasks: [
          { id: 'a', subject: 'A', description: '' },
          { id: 'b', subject: 'B', description: '' },
        ],
      },
    });
    const ref = { id: session.id, agentId: AGENT };

    const created = await service.graphql(
      CREATE_TASK,
      writeOf(ref, { task: { id: 'c', subject: 'C', description: 'd', blockedBy: ['a'], blocks: ['b'] } }),
    );
    expect(created.errors).toBeUndefined();
    const createdTask = memberOf(created.data!.createSessionTask, 'CreateSessionTaskPayload');
    expect(createdTask.session.version).toBe(2);
    expect(createdTask.task).toEqual({ id: 'c', blocks: ['b'], blockedBy: ['a'] });
    expect(tasksOf(createdTask)).toEqual([
      { id: 'a', subject: 'A', state: 'PENDING', owner: null, metadata: {}, blocks: ['c'], blockedBy: [] },
      { id: 'b', subject: 'B', state: 'PENDING', owner: null, metadata: {}, blocks: [], blockedBy: ['c'] },
      { id: 'c', subject: 'C', state: 'PENDING', owner: null, metadata: {}, blocks: ['b'], blockedBy: ['a'] },
    ]);

    const updated = await service.graphql(
      UPDATE_TASK,
      writeOf(ref, { taskId: 'c', state: 'IN_PROGRESS', owner: 'agent', blockedBy: [], metadata: { p: 1 } }),
    );
    expect(updated.errors).toBeUndefined();
    const updatedTask = memberOf(updated.data!.updateSessionTask, 'UpdateSessionTaskPayload');
    expect(updatedTask.task).toEqual({ id: 'c', owner: 'agent' });
    expect(tasksOf(updatedTask)).toEqual([
      { id: 'a', subject: 'A', state: 'PENDING', owner: null, metadata: {}, blocks: [], blockedBy: [] },
      { id: 'b', subject: 'B', state: 'PENDING', owner: null, metadata: {}, blocks: [], blockedBy: ['c'] },
      { id: 'c', subject: 'C', state: 'IN_PROGRESS', owner: 'agent', metadata: { p: 1 }, blocks: ['b'], blockedBy: [] },
    ]);

    const cleared = await service.graphql(UPDATE_TASK, writeOf(ref, { taskId: 'c', owner: null }));
    expect(tasksOf(memberOf(cleared.data!.updateSessionTask, 'UpdateSessionTaskPayload'))[2]!.owner).toBeNull();

    const deleted = await service.graphql(DELETE_TASK, writeOf(ref, { taskId: 'c' }));
    const deletedTask = memberOf(deleted.data!.deleteSessionTask, 'DeleteSessionTaskPayload');
    expect(deletedTask.deletedTaskId).toBe('c');
    expect(tasksOf(deletedTask)).toEqual([
      { id: 'a', subject: 'A', state: 'PENDING', owner: null, metadata: {}, blocks: [], blockedBy: [] },
      { id: 'b', subject: 'B', state: 'PENDING', owner: null, metadata: {}, blocks: [], blockedBy: [] },
    ]);
    expect(deletedTask.session.version).toBe(5);
  });

  test('links to unknown tasks, self-links, repeated ids and unknown tasks change nothing', async ({ service }) => {
    const session = await createSession(service, {
      tasksContext: { tasks: [{ id: 'a', subject: 'A', description: '' }] },
    });
    const ref = { id: session.id, agentId: AGENT };
    // [the change, its request (sent when its turn comes), the outcome]
    const attempts: Array<[object, () => Promise<Parameters<typeof outcomeOf>[0]>, string]> = [];
    const attempt = <Change extends object>(
      change: Change,
      send: (variables: ReturnType<typeof writeOf<Change>>) => Promise<Parameters<typeof outcomeOf>[0]>,
      outcome: string,
      expectedVersion: number | null = null,
    ) => attempts.push([change, () => send(writeOf(ref, change, expectedVersion)), outcome]);
    attempt(
      { task: { id: 'x', subject: 'X', description: '', blocks: ['nope'] } },
      (variables) => service.graphql(CREATE_TASK, variables),
      'SessionInvalidInputError',
    );
    attempt(
      { task: { id: 'a', subject: 'again', description: '' } },
      (variables) => service.graphql(CREATE_TASK, variables),
      'SessionInvalidInputError',
    );
    attempt(
      { taskId: 'a', blocks: ['a'] },
      (variables) => service.graphql(UPDATE_TASK, variables),
      'SessionInvalidInputError',
    );
    attempt(
      { taskId: 'ghost', subject: 'boo' },
      (variables) => service.graphql(UPDATE_TASK, variables),
      'SessionTaskNotFoundError',
    );
    attempt({ taskId: 'ghost' }, (variables) => service.graphql(DELETE_TASK, variables), 'SessionTaskNotFoundError');
    attempt(
      { taskId: 'a', subject: 'stale' },
      (variables) => service.graphql(UPDATE_TASK, variables),
      'SessionVersionConflictError',
      99,
    );
    for (const [change, send, outcome] of attempts) {
      expect(outcomeOf(await send()), JSON.stringify(change)).toBe(outcome);
    }
    const after = (await service.graphql(GET_SESSION, ref)).data!.session!;
    expect(after.version).toBe(1);
    expect(after.state!.tasksContext.tasks.map((task) => [task.id, task.subject, task.blocks])).toEqual([
      ['a', 'A', []],
    ]);
  });

  test('concurrent updates of different tasks all survive', async ({ service }) => {
    const tasks = Array.from({ length: 20 }, (_, index) => ({ id: `t${index}`, subject: 'todo', description: '' }));
    const session = await createSession(service, { tasksContext: { tasks } });
    const results = await Promise.all(
      tasks.map((task) =>
        service.graphql(
          UPDATE_TASK,
          writeOf(session, { taskId: task.id, subject: `done ${task.id}`, state: 'COMPLETED' }),
        ),
      ),
    );
    expect(results.map(outcomeOf)).toEqual(Array(20).fill('UpdateSessionTaskPayload'));
    const after = (await service.graphql(GET_SESSION, { id: session.id, agentId: AGENT })).data!.session!;
    expect(after.version).toBe(21);
    expect(after.state!.tasksContext.tasks.map((task) => [task.id, task.subject, task.state])).toEqual(
      tasks.map((task) => [task.id, `done ${task.id}`, 'COMPLETED']),
    );
  });
});
