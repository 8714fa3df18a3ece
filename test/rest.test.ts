import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { graphql, type InputOf } from './graphql/graphql.js';
import {
  CREATE_SESSION,
  createdSession,
  DELETE_SESSION,
  FULL_STATE,
  GET_SESSION,
  LIST_SESSIONS,
  memberOf,
  outcomeOf,
  REPLACE_STATE,
  UPDATE_SESSION,
  writeOf,
} from './support/documents.js';
import { DEFAULT_USER, describe, expect, test, type TestApp } from './support/fixtures.js';
import { componentValidator, strictComponents, validateUpstream } from './support/openapi.js';

const AGENT = 'rest-agent';
const MODEL = { type: 'openai', credential_id: 'cred-1', model: 'gpt-5', parameters: { temperature: 0.2 } };

/** Sessions written in the same millisecond would tie in the newest-first order. */
const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

function expectUpstream(component: string, value: unknown) {
  expect(validateUpstream(component, value)).toEqual([]);
}

async function createRest(
  service: TestApp,
  body: Record<string, unknown> = {},
  userId = DEFAULT_USER,
): Promise<string> {
  const response = await service.rest('POST', '/sessions/', { body: { agent_id: AGENT, ...body }, userId });
  expect(response.status).toBe(201);
  return response.body.session_id;
}

/** A session with every part of the state, written through GraphQL. */
async function createFull(service: TestApp, agentId = AGENT) {
  const created = await service.graphql(CREATE_SESSION, {
    input: {
      agentId,
      name: 'full',
      chatModelConfig: { type: 'openai', credentialId: 'cred-1', model: 'gpt-5' },
      state: FULL_STATE,
    },
  });
  expect(created.errors).toBeUndefined();
  return createdSession(created);
}

async function listRest(service: TestApp, query = `agent_id=${AGENT}`, userId = DEFAULT_USER) {
  const response = await service.rest('GET', `/sessions/?${query}`, { userId });
  expect(response.status).toBe(200);
  expectUpstream('ListSessionsResponse', response.body);
  return response.body;
}

function patchRest(
  service: TestApp,
  id: string,
  body: unknown,
  options: { agentId?: string; userId?: string; headers?: Record<string, string> } = {},
) {
  return service.rest('PATCH', `/sessions/${id}?agent_id=${options.agentId ?? AGENT}`, {
    body,
    userId: options.userId,
    headers: options.headers,
  });
}

describe('POST /sessions/', () => {
  test('creates a session with upstream defaults: 201 {session_id} and an ETag', async ({ service }) => {
    const response = await service.rest('POST', '/sessions/', { body: { agent_id: AGENT } });
    expect(response.status).toBe(201);
    expectUpstream('CreateSessionResponse', response.body);
    expect(response.body.session_id).toMatch(/^[0-9a-f]{32}$/);
    expect(response.headers.get('etag')).toBe('"1"');

    const { data } = await service.graphql(GET_SESSION, { id: response.body.session_id, agentId: AGENT });
    expect(data!.session).toMatchObject({
      userId: DEFAULT_USER,
      source: 'USER',
      version: 1,
      config: { chatModelConfig: null },
    });
    expect(data!.session!.config.name).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(data!.session!.config.workspaceId).toMatch(/^[0-9a-f]{32}$/);
  });

  test('takes workspace_id, name and chat_model_config, parameters defaulting to {}', async ({ service }) => {
    const { parameters: _parameters, ...withoutParameters } = MODEL;
    const id = await createRest(service, { workspace_id: 'ws-1', name: 'named', chat_model_config: withoutParameters });
    const { data } = await service.graphql(GET_SESSION, { id, agentId: AGENT });
    expect(data!.session!.config).toEqual({
      workspaceId: 'ws-1',
      name: 'named',
      chatModelConfig: { type: 'openai', credentialId: 'cred-1', model: 'gpt-5', parameters: {} },
    });
  });
});

describe('GET /sessions/', () => {
  test('serves every session with its whole state in the upstream shape, newest first', async ({ service }) => {
    const full = await createFull(service, 'shape-agent');
    await tick();
    const other = await createRest(service, { agent_id: 'shape-agent', name: 'second' });
    const { sessions, total } = await listRest(service, 'agent_id=shape-agent');
    expect(total).toBe(2);
    expect(sessions.map((session: any) => session.id)).toEqual([other, full.id]);

    const record = sessions[1];
    expect(record).toMatchObject({
      id: full.id,
      user_id: DEFAULT_USER,
      agent_id: 'shape-agent',
      config: {
        workspace_id: full.config.workspaceId,
        name: 'full',
        chat_model_config: { type: 'openai', credential_id: 'cred-1', model: 'gpt-5', parameters: {} },
      },
      created_at: full.createdAt,
      updated_at: full.updatedAt,
      source: 'user',
      source_schedule_id: null,
    });
    const state = record.state;
    expect(state).toMatchObject({ session_id: full.id, reply_id: 'reply-1', cur_iter: 3 });
    // The summary keeps its block form; blocks carry their type.
    expect(state.summary).toEqual([
      { type: 'text', id: 's1', text: 'Earlier: the user asked for a report.' },
      {
        type: 'data',
        id: 's2',
        name: 'chart.png',
        source: { type: 'url', url: 'https://example.com/c.png', media_type: 'image/png' },
      },
    ]);
    // Maps as upstream has them: directories keyed by path, rules by tool name.
    expect(state.permission_context).toEqual({
      mode: 'accept_edits',
      working_directories: { '/work': { path: '/work', source: 'session' } },
      allow_rules: { Bash: [{ tool_name: 'Bash', rule_content: 'npm test', behavior: 'allow', source: 'user' }] },
      deny_rules: { Write: [{ tool_name: 'Write', rule_content: null, behavior: 'deny', source: 'policy' }] },
      ask_rules: {},
    });
    expect(state.tool_context).toEqual({
      max_cache_files: 10,
      max_cache_bytes: 50_000,
      activated_groups: ['files'],
      read_file_cache: [{ file_path: 'README.md', lines: ['# Readme', ''], updated_at: 1_795_000_000.5, bytes: 9 }],
    });
    expect(state.tasks_context.tasks[1]).toEqual({
      id: 't2',
      subject: 'Write',
      description: 'Write the report',
      metadata: {},
      created_at: '2026-11-28T10:00:00.000Z',
      state: 'pending',
      owner: null,
      blocks: [],
      blocked_by: ['t1'],
    });
    const [user, assistant] = state.context;
    expect(user).toMatchObject({
      id: 'm1',
      role: 'user',
      metadata: { channel: 'web' },
      finished_at: null,
      usage: null,
    });
    expect(user.content[1]).toEqual({
      type: 'data',
      id: 'b2',
      name: null,
      source: { type: 'base64', data: 'aGVsbG8=', media_type: 'text/plain' },
    });
    expect(assistant.usage).toEqual({ input_tokens: 120, output_tokens: 40 });
    // Provider fields are spread back into their block.
    expect(assistant.content).toEqual([
      { type: 'thinking', id: 'b3', thinking: 'Read the files first.', signature: 'sig-abc' },
      { type: 'hint', id: 'b4', hint: 'Be brief.' },
      {
        type: 'tool_call',
        id: 'call-1',
        name: 'Read',
        input: '{"path": "README.md"}',
        state: 'finished',
        call_id: 'oa-1',
        suggested_rules: [{ tool_name: 'Read', rule_content: 'src/**', behavior: 'allow', source: 'session' }],
      },
      { type: 'tool_result', id: 'call-1', name: 'Read', state: 'success', output: '# Readme' },
      {
        type: 'tool_result',
        id: 'call-2',
        name: 'Shot',
        state: 'error',
        output: [{ type: 'text', id: 'b5', text: 'failed' }],
      },
    ]);
  });

  test('a provider field never shadows a declared field of its block', async ({ service }) => {
    const { data } = await service.graphql(CREATE_SESSION, {
      input: {
        agentId: 'shadow-agent',
        state: {
          context: [
            {
              name: 'a',
              role: 'ASSISTANT',
              content: [{ thinking: { id: 'b', thinking: 'real', extra: { thinking: 'fake', type: 'text' } } }],
            },
          ],
        },
      },
    });
    const { sessions } = await listRest(service, 'agent_id=shadow-agent');
    expect(sessions[0].state.context[0].content[0]).toEqual({ type: 'thinking', id: 'b', thinking: 'real' });
    expect(sessions[0].id).toBe(memberOf(data!.createSession, 'CreateSessionPayload').session.id);
  });

  test('offset and limit window the list; total counts them all; the default returns everything', async ({
    service,
  }) => {
    const ids: string[] = [];
    for (let index = 0; index < 5; index++) {
      ids.push(await createRest(service, { agent_id: 'window-agent' }));
      await tick();
    }
    const newestFirst = [...ids].reverse();
    const all = await listRest(service, 'agent_id=window-agent');
    expect(all.sessions.map((session: any) => session.id)).toEqual(newestFirst);
    const window = await listRest(service, 'agent_id=window-agent&offset=1&limit=2');
    expect(window.total).toBe(5);
    expect(window.sessions.map((session: any) => session.id)).toEqual(newestFirst.slice(1, 3));
    expect((await listRest(service, 'agent_id=window-agent&offset=9')).sessions).toEqual([]);
  });

  test('lists newest created first, as upstream: a rename does not reorder it (GraphQL keeps most recently updated first)', async ({
    service,
  }) => {
    const older = await createRest(service, { agent_id: 'order-agent', name: 'older' });
    await tick();
    const newer = await createRest(service, { agent_id: 'order-agent', name: 'newer' });
    await tick();
    expect((await patchRest(service, older, { name: 'renamed' }, { agentId: 'order-agent' })).status).toBe(200);
    const { sessions } = await listRest(service, 'agent_id=order-agent');
    expect(sessions.map((session: any) => session.id)).toEqual([newer, older]);
    const { data } = await service.graphql(LIST_SESSIONS, { agentId: 'order-agent' });
    expect(data!.sessions.edges.map((edge) => edge.node.id)).toEqual([older, newer]);
  });

  test('costs the same five statements for 2 sessions as for 6', async ({ service }) => {
    for (let index = 0; index < 2; index++) await createFull(service, 'count-agent');
    const few = await service.countStatements(() => listRest(service, 'agent_id=count-agent'));
    for (let index = 0; index < 4; index++) await createFull(service, 'count-agent');
    const many = await service.countStatements(() => listRest(service, 'agent_id=count-agent'));
    expect(few).toBe(5);
    expect(many).toBe(few);
  });

  test('an agent without sessions has an empty list', async ({ service }) => {
    expect(await listRest(service, 'agent_id=nobody-here')).toEqual({ sessions: [], total: 0 });
  });
});

describe('PATCH /sessions/{session_id}', () => {
  test("the seed's curl works as written against a running service", async ({ service }) => {
    const id = await createRest(service, { name: 'before' });
    const server = createServer(service.app.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      // As in ../shared/contract/update-a-session.seed.txt, with the placeholders filled in.
      const response = await fetch(`http://127.0.0.1:${port}/sessions/${id}?agent_id=${AGENT}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json', 'x-user-id': DEFAULT_USER },
        body: JSON.stringify({
          name: 'after',
          chat_model_config: { type: 'openai', credential_id: 'cred-9', model: 'gpt-5', parameters: {} },
        }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      const record = await response.json();
      expectUpstream('SessionRecord', record);
      expect(record.config).toMatchObject({
        name: 'after',
        chat_model_config: { credential_id: 'cred-9', parameters: {} },
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('follows the PATCH rules: absent keeps, null clears name and config, null mode keeps', async ({ service }) => {
    const id = await createRest(service, { name: 'original', chat_model_config: MODEL });
    const renamed = await patchRest(service, id, { permission_mode: 'explore' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.config).toMatchObject({ name: 'original', chat_model_config: MODEL });
    expect(renamed.body.state.permission_context.mode).toBe('explore');

    const replaced = await patchRest(service, id, {
      chat_model_config: { type: 'anthropic', credential_id: 'c2', model: 'claude' },
    });
    expect(replaced.body.config.chat_model_config).toEqual({
      type: 'anthropic',
      credential_id: 'c2',
      model: 'claude',
      parameters: {},
    });

    const cleared = await patchRest(service, id, { name: null, chat_model_config: null, permission_mode: null });
    expect(cleared.status).toBe(200);
    expectUpstream('SessionRecord', cleared.body);
    // Upstream's name is never null: a cleared one is left out.
    expect(cleared.body.config).toEqual({ workspace_id: renamed.body.config.workspace_id, chat_model_config: null });
    expect(cleared.body.state.permission_context.mode).toBe('explore');
    expect(new Date(cleared.body.updated_at).getTime()).toBeGreaterThanOrEqual(
      new Date(renamed.body.updated_at).getTime(),
    );
    expect(cleared.body.created_at).toBe(renamed.body.created_at);
  });

  test('answers with an ETag; If-Match with it applies, a stale one is 412 and writes nothing', async ({ service }) => {
    const id = await createRest(service);
    const first = await patchRest(service, id, { name: 'one' }, { headers: { 'if-match': '"1"' } });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"2"');

    const stale = await patchRest(service, id, { name: 'two' }, { headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.body.detail).toContain('version 2');
    const wildcard = await patchRest(service, id, { name: 'three' }, { headers: { 'if-match': '*' } });
    expect(wildcard.headers.get('etag')).toBe('"3"');
    for (const foreign of ['W/"3"', '3', '"abc"', '"99999999999"']) {
      const response = await patchRest(service, id, { name: 'never' }, { headers: { 'if-match': foreign } });
      expect(response.status).toBe(412);
    }
    const { data } = await service.graphql(GET_SESSION, { id, agentId: AGENT });
    expect(data!.session).toMatchObject({ version: 3, config: { name: 'three' } });
  });
});

describe('DELETE /sessions/{session_id}', () => {
  test('204 with an empty body, then 404; If-Match guards it', async ({ service }) => {
    const id = await createRest(service);
    await patchRest(service, id, { name: 'v2' });
    const stale = await service.rest('DELETE', `/sessions/${id}?agent_id=${AGENT}`, { headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    const deleted = await service.rest('DELETE', `/sessions/${id}?agent_id=${AGENT}`, {
      headers: { 'if-match': '"2"' },
    });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    const again = await service.rest('DELETE', `/sessions/${id}?agent_id=${AGENT}`);
    expect(again).toMatchObject({ status: 404, body: { detail: `Session '${id}' not found.` } });
    expect((await service.graphql(GET_SESSION, { id, agentId: AGENT })).data!.session).toBeNull();
  });
});

describe('GET /sessions/{session_id}/messages', () => {
  const context = Array.from(
    { length: 7 },
    (_, index): InputOf<'SessionMessageInput'> => ({
      id: `m${index}`,
      name: 'user',
      role: 'USER',
      content: [{ text: { text: `message ${index}` } }],
    }),
  );

  test('pages the messages oldest first with offset/limit (upstream default 50) and reports the run status', async ({
    service,
  }) => {
    const { id } = createdSession(
      await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, state: { context } } }),
    );
    const path = `/sessions/${id}/messages?agent_id=${AGENT}`;

    const all = await service.rest('GET', path);
    expect(all.status).toBe(200);
    expectUpstream('ListMessagesResponse', all.body);
    for (const message of all.body.messages) expectUpstream('Msg', message);
    expect(all.body.messages.map((message: any) => message.id)).toEqual(context.map((message) => message.id));
    expect(all.body.is_running).toBe(false);

    const page = await service.rest('GET', `${path}&offset=2&limit=3`);
    expect(page.body.messages.map((message: any) => message.id)).toEqual(['m2', 'm3', 'm4']);
    expect(page.body.messages[0]).toMatchObject({ role: 'user', content: [{ type: 'text', text: 'message 2' }] });
  });

  test('reads a page in two statements: the session, then the messages with OFFSET/LIMIT', async ({ service }) => {
    const { id } = createdSession(
      await service.graphql(CREATE_SESSION, { input: { agentId: AGENT, state: { context } } }),
    );
    const statements: string[] = [];
    const stop = service.app.database.onStatement((sql) => statements.push(sql));
    try {
      await service.rest('GET', `/sessions/${id}/messages?agent_id=${AGENT}&offset=1&limit=2`);
    } finally {
      stop();
    }
    expect(statements).toHaveLength(2);
    expect(statements[1]).toMatch(/OFFSET/i);
    expect(statements[1]).toMatch(/LIMIT/i);
  });

  test('is_running follows setSessionRunning, which bumps the version and is visible in GraphQL', async ({
    service,
  }) => {
    const id = await createRest(service);
    const SET_RUNNING = graphql(`
      mutation Run($input: SetSessionRunningInput!) {
        setSessionRunning(input: $input) { __typename ... on SetSessionRunningPayload { session { id isRunning version } } }
      }
    `);
    const started = await service.graphql(SET_RUNNING, writeOf({ id, agentId: AGENT }, { running: true }));
    // `id` is selected as every session selection must (graphql-eslint); the run status is what is compared.
    const runStatus = ({ isRunning, version }: { isRunning: boolean; version: number }) => ({ isRunning, version });
    expect(runStatus(memberOf(started.data!.setSessionRunning, 'SetSessionRunningPayload').session)).toEqual({
      isRunning: true,
      version: 2,
    });
    expect((await service.rest('GET', `/sessions/${id}/messages?agent_id=${AGENT}`)).body).toEqual({
      messages: [],
      is_running: true,
    });

    const stale = await service.graphql(SET_RUNNING, writeOf({ id, agentId: AGENT }, { running: false }, 1));
    expect(outcomeOf(stale)).toBe('SessionVersionConflictError');
    const stopped = await service.graphql(SET_RUNNING, writeOf({ id, agentId: AGENT }, { running: false }, 2));
    expect(runStatus(memberOf(stopped.data!.setSessionRunning, 'SetSessionRunningPayload').session)).toEqual({
      isRunning: false,
      version: 3,
    });
    expect((await service.rest('GET', `/sessions/${id}/messages?agent_id=${AGENT}`)).body.is_running).toBe(false);

    const elsewhere = await service.graphql(SET_RUNNING, writeOf({ id, agentId: 'other-agent' }, { running: true }));
    expect(outcomeOf(elsewhere)).toBe('SessionNotFoundError');
  });
});

describe('one core, two front doors', () => {
  test('a write through REST is visible through GraphQL, and one through GraphQL through REST', async ({ service }) => {
    const id = await createRest(service, { name: 'rest-made', chat_model_config: MODEL });
    await patchRest(service, id, { permission_mode: 'bypass' });
    const read = (await service.graphql(GET_SESSION, { id, agentId: AGENT })).data!.session;
    expect(read).toMatchObject({
      version: 2,
      config: {
        name: 'rest-made',
        chatModelConfig: { type: 'openai', credentialId: 'cred-1', model: 'gpt-5', parameters: { temperature: 0.2 } },
      },
      state: { permissionContext: { mode: 'BYPASS' } },
    });

    await service.graphql(UPDATE_SESSION, writeOf({ id, agentId: AGENT }, { name: 'graphql-renamed' }));
    await service.graphql(
      REPLACE_STATE,
      writeOf({ id, agentId: AGENT }, { state: { summary: { text: 'from GraphQL' } } }),
    );
    const { sessions } = await listRest(service);
    const record = sessions.find((session: any) => session.id === id);
    expect(record.config.name).toBe('graphql-renamed');
    expect(record.state.summary).toBe('from GraphQL');

    await service.graphql(DELETE_SESSION, writeOf({ id, agentId: AGENT }));
    expect((await patchRest(service, id, { name: 'x' })).status).toBe(404);
  });
});

describe('/openapi.json', () => {
  test('describes the five endpoints, and the responses validate against it too', async ({ service }) => {
    const response = await service.rest('GET', '/openapi.json', { userId: null });
    expect(response.status).toBe(200);
    const document = response.body;
    expect(document.openapi).toBe('3.1.0');
    const operations = Object.entries<Record<string, any>>(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(operations.sort()).toEqual([
      'DELETE /sessions/{session_id}',
      'GET /sessions/',
      'GET /sessions/{session_id}/messages',
      'PATCH /sessions/{session_id}',
      'POST /sessions/',
    ]);
    const messages = document.paths['/sessions/{session_id}/messages'].get;
    expect(messages.parameters.find((parameter: any) => parameter.name === 'limit').schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 200,
      default: 50,
    });
    expect(document.components.schemas.UpdateSessionRequest.additionalProperties).toBe(false);
    expect(document.components.schemas.ChatModelConfigInput.properties.parameters.anyOf).toContainEqual(
      expect.objectContaining({ type: 'object' }),
    );

    // The service's own document, read as strictly as upstream's, accepts what the service sends.
    const validateOwn = componentValidator(strictComponents(document, ['SessionConfig.name', 'ValidationError.ctx']));
    await createFull(service, 'own-doc-agent');
    const { sessions } = await listRest(service, 'agent_id=own-doc-agent');
    expect(validateOwn('SessionRecord', sessions[0])).toEqual([]);
    const invalid = await service.rest('PATCH', `/sessions/${sessions[0].id}?agent_id=own-doc-agent`, {
      body: { nope: 1 },
    });
    expect(validateOwn('HTTPValidationError', invalid.body)).toEqual([]);
  });
});
