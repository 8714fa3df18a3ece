import { graphql } from './graphql/graphql.js';
import { describe, expect, test } from './support/fixtures.js';

// What a frontend team writes against schema.graphql with the typed client: documents typed by
// gql.tada, results narrowed by __typename. A schema change that breaks these fails typecheck
// (fields read below) and `npm run check:documents` (every field selected).

const AGENT = 'typed-agent';

const CreateSession = graphql(`
  mutation CreateTyped($input: CreateSessionInput!) {
    createSession(input: $input) {
      __typename
      ... on CreateSessionPayload { session { id version createdAt } }
      ... on SessionError { message }
    }
  }
`);

const CreateTask = graphql(`
  mutation CreateTaskTyped($input: CreateSessionTaskInput!) {
    createSessionTask(input: $input) {
      __typename
      ... on CreateSessionTaskPayload { session { id version } task { id subject createdAt blocks blockedBy } }
      ... on SessionVersionConflictError { expectedVersion currentVersion }
      ... on SessionInvalidInputError { issues { path message } }
      ... on SessionError { message }
    }
  }
`);

const AppendMessages = graphql(`
  mutation AppendTyped($input: AppendSessionMessagesInput!) {
    appendSessionMessages(input: $input) {
      __typename
      ... on AppendSessionMessagesPayload {
        session { id version }
        messages { id createdAt content { __typename id ... on SessionTextBlock { text } } }
      }
      ... on SessionError { message }
    }
  }
`);

const DeleteSession = graphql(`
  mutation DeleteTyped($input: DeleteSessionInput!) {
    deleteSession(input: $input) {
      __typename
      ... on DeleteSessionPayload { deletedSessionId lastVersion }
      ... on SessionNotFoundError { sessionId }
      ... on SessionError { message }
    }
  }
`);

describe('the typed client', () => {
  test('mutations return what they made, and typed failures a client branches on', async ({ service }) => {
    const created = (await service.graphql(CreateSession, { input: { agentId: AGENT, name: 'typed' } })).data
      ?.createSession;
    if (created?.__typename !== 'CreateSessionPayload') throw new Error(`not created: ${JSON.stringify(created)}`);
    const { session } = created;
    expect(session.version).toBe(1);
    expect(new Date(session.createdAt).toISOString()).toBe(session.createdAt);

    const address = { sessionId: session.id, agentId: AGENT };
    const task = (
      await service.graphql(CreateTask, {
        input: { ...address, expectedVersion: 1, task: { subject: 'Write', description: '' } },
      })
    ).data?.createSessionTask;
    if (task?.__typename !== 'CreateSessionTaskPayload') throw new Error(`no task: ${JSON.stringify(task)}`);
    expect(task.task).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{32}$/),
      subject: 'Write',
      blocks: [],
      blockedBy: [],
    });
    expect(task.session.version).toBe(2);

    const stale = (
      await service.graphql(CreateTask, {
        input: { ...address, expectedVersion: 1, task: { subject: 'Late', description: '' } },
      })
    ).data?.createSessionTask;
    if (stale?.__typename !== 'SessionVersionConflictError')
      throw new Error(`not a conflict: ${JSON.stringify(stale)}`);
    expect([stale.expectedVersion, stale.currentVersion]).toEqual([1, 2]);

    const linked = (
      await service.graphql(CreateTask, {
        input: { ...address, task: { subject: 'Bad', description: '', blocks: ['nowhere'] } },
      })
    ).data?.createSessionTask;
    if (linked?.__typename !== 'SessionInvalidInputError') throw new Error(`not invalid: ${JSON.stringify(linked)}`);
    expect(linked.issues).toEqual([
      { path: ['input', 'task', 'blocks'], message: "No task 'nowhere' in this session." },
    ]);

    const appended = (
      await service.graphql(AppendMessages, {
        input: { ...address, messages: [{ name: 'user', role: 'USER', content: [{ text: { text: 'hello' } }] }] },
      })
    ).data?.appendSessionMessages;
    if (appended?.__typename !== 'AppendSessionMessagesPayload')
      throw new Error(`not appended: ${JSON.stringify(appended)}`);
    const [message] = appended.messages;
    expect(message!.id).toMatch(/^[0-9a-f]{32}$/);
    expect(message!.content).toEqual([
      { __typename: 'SessionTextBlock', id: expect.stringMatching(/^[0-9a-f]{32}$/), text: 'hello' },
    ]);

    const deleted = (await service.graphql(DeleteSession, { input: address })).data?.deleteSession;
    expect(deleted).toEqual({ __typename: 'DeleteSessionPayload', deletedSessionId: session.id, lastVersion: 3 });
    const again = (await service.graphql(DeleteSession, { input: address })).data?.deleteSession;
    expect(again).toMatchObject({ __typename: 'SessionNotFoundError', sessionId: session.id });
  });
});
