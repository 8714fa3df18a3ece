import { graphql } from './graphql/graphql.js';
import { GET_SESSION } from './support/documents.js';
import { describe, expect, test, type TestApp } from './support/fixtures.js';
import { validateUpstream } from './support/openapi.js';

const AGENT = 'errors-agent';

async function createSession(service: TestApp, userId = 'owner', agentId = AGENT): Promise<string> {
  const response = await service.rest('POST', '/sessions/', { body: { agent_id: agentId, name: 'kept' }, userId });
  expect(response.status).toBe(201);
  return response.body.session_id;
}

/** A 422 in upstream's shape; returns its issues. */
function expect422(response: { status: number; body: any }) {
  expect(response.status).toBe(422);
  expect(validateUpstream('HTTPValidationError', response.body)).toEqual([]);
  return response.body.detail as Array<{ type: string; loc: Array<string | number>; msg: string; input: unknown }>;
}

async function expectUnchanged(service: TestApp, id: string, userId = 'owner') {
  const { data } = await service.graphql(GET_SESSION, { id, agentId: AGENT }, { userId });
  expect(data!.session).toMatchObject({
    version: 1,
    config: { name: 'kept', chatModelConfig: null },
    state: { permissionContext: { mode: 'DEFAULT' } },
  });
}

describe('identity', () => {
  const endpoints = (id: string): Array<[string, string, unknown?]> => [
    ['GET', `/sessions/?agent_id=${AGENT}`],
    ['POST', '/sessions/', { agent_id: AGENT }],
    ['PATCH', `/sessions/${id}?agent_id=${AGENT}`, { name: 'x' }],
    ['DELETE', `/sessions/${id}?agent_id=${AGENT}`],
    ['GET', `/sessions/${id}/messages?agent_id=${AGENT}`],
  ];

  test('a missing x-user-id is a 422 on ["header", "x-user-id"] on every endpoint', async ({ service }) => {
    const id = await createSession(service);
    for (const [method, path, body] of endpoints(id)) {
      const issues = expect422(await service.rest(method, path, { body, userId: null }));
      expect(issues).toEqual([{ type: 'missing', loc: ['header', 'x-user-id'], msg: 'Field required', input: null }]);
    }
    await expectUnchanged(service, id);
  });

  test("an empty x-user-id is a 401 with upstream's detail on every endpoint", async ({ service }) => {
    const id = await createSession(service);
    for (const [method, path, body] of endpoints(id)) {
      for (const userId of ['', '  ']) {
        const response = await service.rest(method, path, { body, userId });
        expect(response.status).toBe(401);
        expect(response.body).toEqual({ detail: 'X-User-ID header is required.' });
      }
    }
    await expectUnchanged(service, id);
  });

  test("another user's session, or the wrong agent, answers exactly like a missing one", async ({ service }) => {
    const id = await createSession(service);
    const missing = 'f'.repeat(32);
    for (const [userId, agentId, sessionId] of [
      ['intruder', AGENT, id],
      ['owner', 'other-agent', id],
      ['owner', AGENT, missing],
    ] as const) {
      for (const [method, path, body] of [
        ['PATCH', `/sessions/${sessionId}?agent_id=${agentId}`, { name: 'hijacked' }],
        ['DELETE', `/sessions/${sessionId}?agent_id=${agentId}`],
        ['GET', `/sessions/${sessionId}/messages?agent_id=${agentId}`],
      ] as const) {
        const response = await service.rest(method, path, { body, userId });
        expect(response).toMatchObject({ status: 404, body: { detail: `Session '${sessionId}' not found.` } });
      }
      if (sessionId === id) {
        const list = await service.rest('GET', `/sessions/?agent_id=${agentId}`, { userId });
        expect(list.body).toEqual({ sessions: [], total: 0 });
      }
    }
    await expectUnchanged(service, id);
  });
});

describe('request validation', () => {
  test('a missing agent_id is a 422 on ["query", "agent_id"]; on create, on ["body", "agent_id"]', async ({
    service,
  }) => {
    const id = await createSession(service);
    for (const [method, path] of [
      ['GET', '/sessions/'],
      ['PATCH', `/sessions/${id}`],
      ['DELETE', `/sessions/${id}`],
      ['GET', `/sessions/${id}/messages`],
    ]) {
      const issues = expect422(
        await service.rest(method!, path!, { body: method === 'PATCH' ? { name: 'x' } : undefined }),
      );
      expect(issues).toEqual([{ type: 'missing', loc: ['query', 'agent_id'], msg: 'Field required', input: null }]);
    }
    const create = expect422(await service.rest('POST', '/sessions/', { body: { name: 'no agent' } }));
    expect(create).toEqual([
      { type: 'missing', loc: ['body', 'agent_id'], msg: 'Field required', input: { name: 'no agent' } },
    ]);
    await expectUnchanged(service, id);
  });

  test('bad JSON, a missing body and a body that is not an object are 422 on the body', async ({ service }) => {
    const id = await createSession(service);
    const path = `/sessions/${id}?agent_id=${AGENT}`;
    const malformed = expect422(await service.rest('PATCH', path, { body: '{"name": ' }));
    expect(malformed).toEqual([
      {
        type: 'json_invalid',
        loc: ['body', expect.any(Number)],
        msg: 'JSON decode error',
        input: {},
        ctx: { error: expect.any(String) },
      },
    ]);
    expect(expect422(await service.rest('PATCH', path))).toEqual([
      { type: 'missing', loc: ['body'], msg: 'Field required', input: null },
    ]);
    // Whitespace is a body, and not JSON (as upstream parses it).
    expect(expect422(await service.rest('PATCH', path, { body: '  ' }))[0]).toMatchObject({
      type: 'json_invalid',
      loc: ['body', 2],
    });
    expect(expect422(await service.rest('PATCH', path, { body: ['name'] }))).toEqual([
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object to extract fields from',
        input: ['name'],
      },
    ]);
    expect(expect422(await service.rest('POST', '/sessions/', { body: 'nope' }))[0]).toMatchObject({
      type: 'json_invalid',
    });
    await expectUnchanged(service, id);
  });

  test('wrong types, bad enum values and unknown keys are reported each at its field, and nothing is written', async ({
    service,
  }) => {
    const id = await createSession(service);
    const issues = expect422(
      await service.rest('PATCH', `/sessions/${id}?agent_id=${AGENT}`, {
        body: {
          name: 42,
          permission_mode: 'yolo',
          chat_model_config: { type: 'openai', credential_id: 7, parameters: [] },
          naem: 'typo',
        },
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        { type: 'string_type', loc: ['body', 'name'], msg: 'Input should be a valid string', input: 42 },
        {
          type: 'enum',
          loc: ['body', 'permission_mode'],
          msg: "Input should be 'default', 'accept_edits', 'explore', 'bypass' or 'dont_ask'",
          input: 'yolo',
          ctx: { expected: "'default', 'accept_edits', 'explore', 'bypass' or 'dont_ask'" },
        },
        {
          type: 'string_type',
          loc: ['body', 'chat_model_config', 'credential_id'],
          msg: 'Input should be a valid string',
          input: 7,
        },
        {
          type: 'missing',
          loc: ['body', 'chat_model_config', 'model'],
          msg: 'Field required',
          input: { type: 'openai', credential_id: 7, parameters: [] },
        },
        {
          type: 'dict_type',
          loc: ['body', 'chat_model_config', 'parameters'],
          msg: 'Input should be a valid dictionary',
          input: [],
        },
        { type: 'extra_forbidden', loc: ['body', 'naem'], msg: 'Extra inputs are not permitted', input: 'typo' },
      ]),
    );
    expect(issues).toHaveLength(6);
    await expectUnchanged(service, id);
  });

  test('limits hold: empty and oversized strings, unknown keys in nested objects', async ({ service }) => {
    const id = await createSession(service);
    const path = `/sessions/${id}?agent_id=${AGENT}`;
    expect(expect422(await service.rest('PATCH', path, { body: { name: '' } }))).toEqual([
      {
        type: 'string_too_short',
        loc: ['body', 'name'],
        msg: 'String should have at least 1 character',
        input: '',
        ctx: { min_length: 1 },
      },
    ]);
    expect(expect422(await service.rest('PATCH', path, { body: { name: 'x'.repeat(501) } }))[0]).toMatchObject({
      type: 'string_too_long',
      loc: ['body', 'name'],
      ctx: { max_length: 500 },
    });
    const nested = expect422(
      await service.rest('PATCH', path, {
        body: { chat_model_config: { type: 't', credential_id: 'c', model: 'm', temperature: 1 } },
      }),
    );
    expect(nested).toEqual([
      {
        type: 'extra_forbidden',
        loc: ['body', 'chat_model_config', 'temperature'],
        msg: 'Extra inputs are not permitted',
        input: 1,
      },
    ]);
    const create = expect422(
      await service.rest('POST', '/sessions/', { body: { agent_id: AGENT, user_id: 'mallory' } }),
    );
    expect(create).toEqual([
      { type: 'extra_forbidden', loc: ['body', 'user_id'], msg: 'Extra inputs are not permitted', input: 'mallory' },
    ]);
    await expectUnchanged(service, id);
  });

  test('messages offset and limit keep upstream bounds (limit 1-200); the list limit its documented one', async ({
    service,
  }) => {
    const id = await createSession(service);
    const path = `/sessions/${id}/messages?agent_id=${AGENT}`;
    expect(expect422(await service.rest('GET', `${path}&limit=201`))).toEqual([
      {
        type: 'less_than_equal',
        loc: ['query', 'limit'],
        msg: 'Input should be less than or equal to 200',
        input: '201',
        ctx: { le: 200 },
      },
    ]);
    expect(expect422(await service.rest('GET', `${path}&limit=0`))[0]).toMatchObject({
      type: 'greater_than_equal',
      loc: ['query', 'limit'],
      ctx: { ge: 1 },
    });
    expect(expect422(await service.rest('GET', `${path}&offset=-1`))[0]).toMatchObject({
      type: 'greater_than_equal',
      loc: ['query', 'offset'],
      ctx: { ge: 0 },
    });
    expect(expect422(await service.rest('GET', `${path}&offset=abc`))).toEqual([
      {
        type: 'int_parsing',
        loc: ['query', 'offset'],
        msg: 'Input should be a valid integer, unable to parse string as an integer',
        input: 'abc',
      },
    ]);
    expect(expect422(await service.rest('GET', `/sessions/?agent_id=${AGENT}&limit=1001`))[0]).toMatchObject({
      type: 'less_than_equal',
      loc: ['query', 'limit'],
    });
    expect((await service.rest('GET', `/sessions/?agent_id=${AGENT}&limit=1000`)).status).toBe(200);
    // Out of every range, even the safe-integer one: reported once, on the declared bound.
    expect(expect422(await service.rest('GET', `${path}&offset=100000000000000000000`))).toEqual([
      {
        type: 'less_than_equal',
        loc: ['query', 'offset'],
        msg: 'Input should be less than or equal to 1000000000',
        input: '100000000000000000000',
        ctx: { le: 1_000_000_000 },
      },
    ]);
  });

  test("query integers are decimal digits, as upstream parses them: '', 1e1 and 0x10 are int_parsing", async ({
    service,
  }) => {
    const id = await createSession(service);
    for (const [name, value] of [
      ['offset', ''],
      ['limit', '1e1'],
      ['limit', '0x10'],
      ['offset', '1.0'],
    ]) {
      for (const path of [`/sessions/${id}/messages?agent_id=${AGENT}`, `/sessions/?agent_id=${AGENT}`]) {
        expect(expect422(await service.rest('GET', `${path}&${name}=${encodeURIComponent(value!)}`))).toEqual([
          {
            type: 'int_parsing',
            loc: ['query', name],
            msg: 'Input should be a valid integer, unable to parse string as an integer',
            input: value,
          },
        ]);
      }
    }
    expect(
      (
        await service.rest('GET', `/sessions/${id}/messages?agent_id=${AGENT}&offset=%2B0&limit=%2010`, {
          userId: 'owner',
        })
      ).status,
    ).toBe(200);
  });

  test("a rule of this service's own is a value_error with its reason in ctx, as pydantic reports a validator's", async ({
    service,
  }) => {
    const id = await createSession(service);
    expect(
      expect422(
        await service.rest('PATCH', `/sessions/${id}?agent_id=${AGENT}`, {
          body: { chat_model_config: { type: 't', credential_id: 'a\u0000b', model: 'm' } },
        }),
      ),
    ).toEqual([
      {
        type: 'value_error',
        loc: ['body', 'chat_model_config', 'credential_id'],
        msg: expect.stringMatching(/^Value error, /),
        input: 'a\u0000b',
        ctx: { error: expect.any(String) },
      },
    ]);
    await expectUnchanged(service, id);
  });

  test('a JSON body is read only as JSON content (or without a content type), as upstream: anything else is a 422', async ({
    service,
  }) => {
    const id = await createSession(service);
    const path = `/sessions/${id}?agent_id=${AGENT}`;
    const json = JSON.stringify({ name: 'typed' });
    for (const contentType of [
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
    ]) {
      expect(
        expect422(await service.rest('PATCH', path, { body: json, headers: { 'content-type': contentType } })),
      ).toEqual([
        {
          type: 'model_attributes_type',
          loc: ['body'],
          msg: 'Input should be a valid dictionary or object to extract fields from',
          input: json,
        },
      ]);
    }
    expect(
      expect422(
        await service.rest('POST', '/sessions/', {
          body: { agent_id: AGENT },
          headers: { 'content-type': 'text/plain' },
        }),
      )[0],
    ).toMatchObject({
      type: 'model_attributes_type',
    });
    await expectUnchanged(service, id);
    // JSON by its name, with parameters or a +json suffix, and a body with no content type at all.
    for (const contentType of ['Application/JSON; charset=utf-8', 'application/merge-patch+json']) {
      expect(
        (
          await service.rest('PATCH', path, {
            body: { name: 'kept' },
            userId: 'owner',
            headers: { 'content-type': contentType },
          })
        ).status,
      ).toBe(200);
    }
    const untyped = await service.app.yoga.fetch(`http://localhost${path}`, {
      method: 'PATCH',
      headers: { 'x-user-id': 'owner' },
      // Bytes: fetch adds no content type for them, unlike for a string.
      body: new TextEncoder().encode(JSON.stringify({ name: 'untyped' })),
    });
    expect(untyped.status).toBe(200);
    expect((await untyped.json()).config.name).toBe('untyped');
  });

  test('text PostgreSQL cannot store and over-deep JSON are 422s, wherever they are sent', async ({ service }) => {
    const id = await createSession(service);
    expect(expect422(await service.rest('GET', `/sessions/?agent_id=a%00b`))[0]).toMatchObject({
      loc: ['query', 'agent_id'],
    });
    expect(expect422(await service.rest('GET', `/sessions/a%00b/messages?agent_id=${AGENT}`))[0]).toMatchObject({
      loc: ['path', 'session_id'],
    });
    let deep: unknown = 1;
    for (let level = 0; level < 100; level++) deep = { k: deep };
    const body = { chat_model_config: { type: 't', credential_id: 'c', model: 'm', parameters: deep } };
    expect(expect422(await service.rest('PATCH', `/sessions/${id}?agent_id=${AGENT}`, { body }))[0]).toMatchObject({
      loc: ['body', 'chat_model_config', 'parameters'],
    });
    await expectUnchanged(service, id);
  });

  test('all the problems of a request are reported together', async ({ service }) => {
    const issues = expect422(
      await service.rest('PATCH', `/sessions/${'a'.repeat(300)}`, { body: { bad: true }, userId: null }),
    );
    expect(issues.map((issue) => issue.loc)).toEqual([
      ['header', 'x-user-id'],
      ['path', 'session_id'],
      ['query', 'agent_id'],
      ['body', 'bad'],
    ]);
  });
});

describe('routing', () => {
  test('unknown paths are 404 and other methods 405, in upstream form', async ({ service }) => {
    expect(await service.rest('GET', '/sessions/a/b/c?agent_id=x')).toMatchObject({
      status: 404,
      body: { detail: 'Not Found' },
    });
    const wrongMethod = await service.rest('PUT', `/sessions/${'f'.repeat(32)}?agent_id=x`, { body: {} });
    expect(wrongMethod).toMatchObject({ status: 405, body: { detail: 'Method Not Allowed' } });
    expect(wrongMethod.headers.get('allow')).toBe('PATCH, DELETE');
  });

  test('a path with its trailing slash toggled is a 307 to the canonical one, query kept, nothing done', async ({
    service,
  }) => {
    const id = await createSession(service);
    const countSessions = async () =>
      (await service.rest('GET', `/sessions/?agent_id=${AGENT}`, { userId: 'owner' })).body.total;
    const before = await countSessions();
    for (const [method, path, canonical, body] of [
      ['GET', `/sessions?agent_id=${AGENT}`, `/sessions/?agent_id=${AGENT}`],
      ['POST', '/sessions', '/sessions/', { agent_id: AGENT }],
      ['PATCH', `/sessions/${id}/?agent_id=${AGENT}`, `/sessions/${id}?agent_id=${AGENT}`, { name: 'moved' }],
      ['DELETE', `/sessions/${id}/?agent_id=${AGENT}`, `/sessions/${id}?agent_id=${AGENT}`],
      ['GET', `/sessions/${id}/messages/?agent_id=${AGENT}`, `/sessions/${id}/messages?agent_id=${AGENT}`],
    ] as const) {
      const response = await service.rest(method, path, { body, userId: 'owner' });
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toBe(`http://localhost${canonical}`);
      expect(response.body).toBeUndefined();
    }
    await expectUnchanged(service, id);
    expect(await countSessions()).toBe(before);
  });

  test('a DELETE answers 204 with an empty body that names JSON as its content type, as upstream', async ({
    service,
  }) => {
    const id = await createSession(service);
    const response = await service.rest('DELETE', `/sessions/${id}?agent_id=${AGENT}`, { userId: 'owner' });
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  test('browsers get the same CORS answers as for /graphql, preflight included', async ({ service }) => {
    const origin = { origin: 'http://app.test' };
    const preflight = await service.app.yoga.fetch(`http://localhost/sessions/${'f'.repeat(32)}?agent_id=x`, {
      method: 'OPTIONS',
      headers: { ...origin, 'access-control-request-method': 'PATCH' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('PATCH');
    const list = await service.rest('GET', `/sessions/?agent_id=${AGENT}`, { headers: origin });
    expect(list.headers.get('access-control-allow-origin')).toBe('http://app.test');
    // A browser client can read the ETag it needs for If-Match, and the request id.
    const created = await service.rest('POST', '/sessions/', { headers: origin, body: { agent_id: AGENT } });
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('access-control-expose-headers')?.split(/,\s*/)).toEqual(
      expect.arrayContaining(['etag', 'x-request-id']),
    );
  });

  test('GraphQL, health and readiness still answer beside the REST routes', async ({ service }) => {
    expect((await service.graphql(graphql('query RootTypename { __typename }'))).data).toEqual({ __typename: 'Query' });
    expect((await service.app.yoga.fetch('http://localhost/health')).status).toBe(200);
    expect((await service.app.yoga.fetch('http://localhost/ready')).status).toBe(200);
  });

  test('an unexpected failure is a 500 with no internals, and is logged', async ({ service }) => {
    const id = await createSession(service);
    // The data layer fails once the statement is on its way (every statement is announced first).
    const stopFailing = service.app.database.onStatement(() => {
      throw new Error('disk on fire');
    });
    try {
      const response = await service.rest('GET', `/sessions/${id}/messages?agent_id=${AGENT}`, { userId: 'owner' });
      expect(response).toMatchObject({ status: 500, body: { detail: 'Internal Server Error' } });
      expect(JSON.stringify(response.body)).not.toContain('disk');
    } finally {
      stopFailing();
    }
    expect(
      service.logs.some(
        (line) => line.msg === 'unexpected error while serving a REST request' && line.err?.message === 'disk on fire',
      ),
    ).toBe(true);
  });
});
