import { describe, expect, test } from 'vitest';
import { buildAgentState } from '../../src/sessions/drafts.js';
import { InvalidInputError } from '../../src/sessions/errors.js';

const task = (id: string, links: { blocks?: string[]; blockedBy?: string[] } = {}) => ({
  id,
  subject: id,
  description: '',
  ...links,
});

function issuesOf(work: () => unknown) {
  try {
    work();
  } catch (error) {
    if (error instanceof InvalidInputError) return error.issues;
    throw error;
  }
  return [];
}

describe('buildAgentState', () => {
  test('an empty draft is the upstream default state', () => {
    const state = buildAgentState({}, new Date('2026-01-02T03:04:05Z'));
    expect(state).toEqual({
      summary: '',
      context: [],
      replyId: expect.stringMatching(/^[0-9a-f]{32}$/),
      curIter: 0,
      permissionMode: 'default',
      workingDirectories: [],
      allowRules: [],
      denyRules: [],
      askRules: [],
      maxCacheFiles: 100,
      maxCacheBytes: 25000,
      readFileCache: [],
      activatedGroups: [],
      tasks: [],
    });
  });

  test('messages and tasks get ids and the write time when they have none', () => {
    const now = new Date('2026-01-02T03:04:05Z');
    const state = buildAgentState(
      { context: [{ name: 'u', role: 'user', content: [] }], tasksContext: { tasks: [task('x')] } },
      now,
    );
    expect(state.context[0]).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      createdAt: now.toISOString(),
      metadata: {},
      usage: null,
    });
    expect(state.tasks[0]).toMatchObject({ id: 'x', createdAt: now.toISOString(), state: 'pending', owner: null });
  });

  test('a consistent task graph passes', () => {
    expect(
      issuesOf(() =>
        buildAgentState({ tasksContext: { tasks: [task('a', { blocks: ['b'] }), task('b', { blockedBy: ['a'] })] } }),
      ),
    ).toEqual([]);
  });

  test('links named on one side are written on both, without repeats', () => {
    const state = buildAgentState({
      tasksContext: { tasks: [task('a', { blocks: ['b', 'b'] }), task('b'), task('c', { blockedBy: ['a'] })] },
    });
    expect(state.tasks.map(({ id, blocks, blockedBy }) => ({ id, blocks, blockedBy }))).toEqual([
      { id: 'a', blocks: ['b', 'c'], blockedBy: [] },
      { id: 'b', blocks: [], blockedBy: ['a'] },
      { id: 'c', blocks: [], blockedBy: ['a'] },
    ]);
  });

  test('duplicate ids, unknown links and self-links are each reported with their path', () => {
    const issues = issuesOf(() =>
      buildAgentState({
        tasksContext: { tasks: [task('a', { blocks: ['a'] }), task('a'), task('c', { blockedBy: ['zzz'] })] },
      }),
    );
    expect(issues).toEqual([
      { path: ['tasksContext', 'tasks', 1, 'id'], message: "Duplicate task id 'a'." },
      { path: ['tasksContext', 'tasks', 0, 'blocks'], message: 'A task cannot block itself.' },
      { path: ['tasksContext', 'tasks', 2, 'blockedBy'], message: "No task 'zzz' in this session." },
    ]);
  });
});
