import type { InputOf } from './graphql/graphql.js';
import { CREATE_SESSION, createdSession, FULL_STATE, GET_SESSION } from './support/documents.js';
import { DEFAULT_USER, describe, expect, test } from './support/fixtures.js';

describe('createSession', () => {
  test('without a state: upstream defaults and a fresh state', async ({ service }) => {
    const before = Date.now();
    const created = await service.graphql(CREATE_SESSION, { input: { agentId: 'agent-a' } });
    expect(created.errors).toBeUndefined();
    const session = createdSession(created);
    expect(session.id).toMatch(/^[0-9a-f]{32}$/);
    expect(session).toMatchObject({
      userId: DEFAULT_USER,
      agentId: 'agent-a',
      version: 1,
      source: 'USER',
      sourceScheduleId: null,
    });
    expect(session.config.workspaceId).toMatch(/^[0-9a-f]{32}$/);
    expect(session.config.name).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(session.config.chatModelConfig).toBeNull();
    expect(session.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(session.updatedAt).toBe(session.createdAt);
    expect(new Date(session.createdAt).getTime()).toBeGreaterThanOrEqual(before - 1);
    // The default name is the creation time, to the second, in UTC.
    expect(session.config.name).toBe(session.createdAt.slice(0, 19).replace('T', ' '));
    expect(session.state).toEqual({
      sessionId: session.id,
      replyId: expect.stringMatching(/^[0-9a-f]{32}$/),
      curIter: 0,
      summary: { __typename: 'SessionPlainText', text: '' },
      context: [],
      permissionContext: { mode: 'DEFAULT', workingDirectories: [], allowRules: [], denyRules: [], askRules: [] },
      toolContext: { maxCacheFiles: 100, maxCacheBytes: 25000, activatedGroups: [], readFileCache: [] },
      tasksContext: { tasks: [] },
    });
  });

  test('with every field and a full state: everything round-trips', async ({ service }) => {
    const input: InputOf<'CreateSessionInput'> = {
      agentId: 'agent-a',
      workspaceId: 'ws-1',
      name: 'Quarterly report',
      chatModelConfig: {
        type: 'openai',
        credentialId: 'cred-1',
        model: 'gpt-5',
        parameters: { temperature: 0.2, tools: ['a'] },
      },
      source: 'SCHEDULE',
      sourceScheduleId: 'sched-1',
      state: FULL_STATE,
    };
    const created = await service.graphql(CREATE_SESSION, { input });
    expect(created.errors).toBeUndefined();
    const session = createdSession(created);
    expect(session.config).toEqual({
      workspaceId: 'ws-1',
      name: 'Quarterly report',
      chatModelConfig: input.chatModelConfig,
    });
    expect(session).toMatchObject({ source: 'SCHEDULE', sourceScheduleId: 'sched-1' });

    const state = session.state!;
    expect(state.summary).toEqual({
      __typename: 'SessionBlockList',
      blocks: [
        { __typename: 'SessionTextBlock', id: 's1', text: 'Earlier: the user asked for a report.' },
        {
          __typename: 'SessionDataBlock',
          id: 's2',
          fileName: 'chart.png',
          source: { __typename: 'SessionUrlSource', url: 'https://example.com/c.png', mediaType: 'image/png' },
        },
      ],
    });
    expect(state).toMatchObject({ replyId: 'reply-1', curIter: 3 });
    expect(state.context).toEqual([
      {
        id: 'm1',
        name: 'user',
        role: 'USER',
        metadata: { channel: 'web' },
        createdAt: '2026-11-28T10:00:00.000Z',
        finishedAt: null,
        usage: null,
        content: [
          { __typename: 'SessionTextBlock', id: 'b1', text: 'Summarise the repo' },
          {
            __typename: 'SessionDataBlock',
            id: 'b2',
            fileName: null,
            source: { __typename: 'SessionBase64Source', data: 'aGVsbG8=', mediaType: 'text/plain' },
          },
        ],
      },
      {
        id: 'm2',
        name: 'assistant',
        role: 'ASSISTANT',
        metadata: {},
        createdAt: '2026-11-28T10:00:01.000Z',
        finishedAt: '2026-11-28T10:00:05.000Z',
        usage: { inputTokens: 120, outputTokens: 40 },
        content: [
          {
            __typename: 'SessionThinkingBlock',
            id: 'b3',
            thinking: 'Read the files first.',
            extra: { signature: 'sig-abc' },
          },
          { __typename: 'SessionHintBlock', id: 'b4', hint: 'Be brief.' },
          {
            __typename: 'SessionToolCallBlock',
            id: 'call-1',
            name: 'Read',
            input: '{"path": "README.md"}',
            callState: 'FINISHED',
            extra: { call_id: 'oa-1' },
            suggestedRules: [{ toolName: 'Read', ruleContent: 'src/**', behavior: 'ALLOW', source: 'session' }],
          },
          {
            __typename: 'SessionToolResultBlock',
            id: 'call-1',
            name: 'Read',
            resultState: 'SUCCESS',
            output: { __typename: 'SessionPlainText', text: '# Readme' },
          },
          {
            __typename: 'SessionToolResultBlock',
            id: 'call-2',
            name: 'Shot',
            resultState: 'ERROR',
            output: {
              __typename: 'SessionBlockList',
              blocks: [{ __typename: 'SessionTextBlock', id: 'b5', text: 'failed' }],
            },
          },
        ],
      },
    ]);
    expect(state.permissionContext).toEqual({ ...FULL_STATE.permissionContext });
    expect(state.toolContext).toEqual(FULL_STATE.toolContext);
    expect(state.tasksContext.tasks).toEqual([
      {
        id: 't1',
        subject: 'Read',
        description: 'Read the files',
        metadata: { priority: 1 },
        createdAt: '2026-11-28T10:00:00.000Z',
        state: 'COMPLETED',
        owner: 'agent',
        blocks: ['t2'],
        blockedBy: [],
      },
      {
        id: 't2',
        subject: 'Write',
        description: 'Write the report',
        metadata: {},
        createdAt: '2026-11-28T10:00:00.000Z',
        state: 'PENDING',
        owner: null,
        blocks: [],
        blockedBy: ['t1'],
      },
    ]);

    // Read back through the query: the stored form, not an echo of the input.
    const read = await service.graphql(GET_SESSION, { id: session.id, agentId: 'agent-a' });
    expect(read.data!.session).toEqual(session);
  });

  test('missing ids and times are generated; blocks default their states', async ({ service }) => {
    const created = await service.graphql(CREATE_SESSION, {
      input: {
        agentId: 'agent-a',
        state: {
          summary: { text: 'short summary' },
          context: [
            {
              name: 'assistant',
              role: 'ASSISTANT',
              content: [
                { text: { text: 'hi' } },
                { toolCall: { id: 'c1', name: 'Bash', input: '{}' } },
                { toolResult: { id: 'c1', name: 'Bash', output: { text: '' } } },
              ],
            },
          ],
          tasksContext: { tasks: [{ subject: 's', description: 'd' }] },
        },
      },
    });
    expect(created.errors).toBeUndefined();
    const state = createdSession(created).state!;
    expect(state.summary).toEqual({ __typename: 'SessionPlainText', text: 'short summary' });
    const message = state.context[0]!;
    expect(message.id).toMatch(/^[0-9a-f]{32}$/);
    expect(message.createdAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(message.content[0]!.id).toMatch(/^[0-9a-f]{32}$/);
    expect(message.content[1]).toMatchObject({ callState: 'PENDING', suggestedRules: [], extra: null });
    expect(message.content[2]).toMatchObject({ resultState: 'RUNNING' });
    expect(state.tasksContext.tasks[0]).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      state: 'PENDING',
      metadata: {},
    });
  });
});
