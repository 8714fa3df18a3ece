import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { print } from 'graphql';
import { createSchema, createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { useOperationTimeout } from '../src/http/limits.js';
import { graphql } from './graphql/graphql.js';
import { CREATE_SESSION, GET_SESSION } from './support/documents.js';
import { DEFAULT_USER, startTestApp } from './support/fixtures.js';

type TestService = Awaited<ReturnType<typeof startTestApp>>;

const COUNT = graphql(`
  query CountLimited($agentId: ID!) { sessions(agentId: $agentId) { totalCount } }
`);

function codes(response: { errors?: Array<{ extensions?: Record<string, any> }> }) {
  return response.errors?.map((error) => error.extensions?.code);
}

function post(service: TestService, body: BodyInit, headers: Record<string, string> = {}) {
  return service.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': DEFAULT_USER, ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
}

describe('operation limits (armor), with small limits', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestApp({
      env: {
        MAX_DEPTH: '4',
        MAX_ALIASES: '2',
        MAX_TOKENS: '300',
        MAX_COST: '100',
        MAX_REQUEST_BODY_BYTES: '4000',
        MAX_BATCH_SIZE: '2',
      },
    });
  });
  afterAll(() => service.close());

  test('within every limit, an operation runs', async () => {
    const response = await service.graphql(
      graphql('query Ok { a: sessions(agentId: "x") { totalCount } b: sessions(agentId: "y") { totalCount } }'),
    );
    expect(response).toMatchObject({ status: 200, data: { a: { totalCount: 0 }, b: { totalCount: 0 } } });
  });

  test.each([
    [
      'depth',
      '{ sessions(agentId: "a") { edges { node { state { context { id } } } } } }',
      'Query depth limit of 4 exceeded, found 6.',
    ],
    [
      'depth through fragments',
      '{ sessions(agentId: "a") { ...F } } fragment F on SessionConnection { edges { node { state { sessionId } } } }',
      'Query depth limit of 4 exceeded, found 5.',
    ],
    [
      'aliases',
      '{ a: sessions(agentId: "a") { totalCount } b: sessions(agentId: "b") { totalCount } c: sessions(agentId: "c") { totalCount } }',
      'Aliases limit of 2 exceeded, found 3.',
    ],
    [
      'cost',
      '{ a: sessions(agentId: "a", first: 60) { edges { node { id } } } b: sessions(agentId: "b", first: 60) { edges { node { id } } } }',
      /^Query cost limit of 100 exceeded, found \d+ \(MAX_COST\)/,
    ],
  ])('%s beyond the limit: rejected before execution', async (_name, query, message) => {
    const executed = await service.countStatements(async () => {
      const response = await service.sendRawDocument(query);
      expect(response.data).toBeUndefined();
      expect(codes(response)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(response.errors![0]!.message).toMatch(message);
    });
    expect(executed).toBe(0);
  });

  test('the cost follows the variables: one document is refused or run by the page sizes it is sent with', async () => {
    const TwoPages = graphql(`
      query TwoPages($first: Int) {
        a: sessions(agentId: "a", first: $first) { edges { node { id } } }
        b: sessions(agentId: "b", first: $first) { edges { node { id } } }
      }
    `);
    for (const [first, refused] of [
      [10, false],
      [60, true],
      [10, false],
      [60, true],
    ] as const) {
      const response = await service.graphql(TwoPages, { first });
      expect(codes(response), `first: ${first}`).toEqual(refused ? ['GRAPHQL_VALIDATION_FAILED'] : undefined);
    }
  });

  test('tokens beyond the limit: rejected while parsing', async () => {
    const response = await service.sendRawDocument(`{ __typename ${'__typename '.repeat(300)} }`);
    expect(codes(response)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(response.errors![0]!.message).toBe('Syntax Error: Token limit of 300 exceeded.');
  });

  test('a body over MAX_REQUEST_BODY_BYTES is 413, with or without Content-Length', async () => {
    const body = JSON.stringify({
      query: print(CREATE_SESSION),
      variables: { input: { agentId: 'a', name: 'n'.repeat(5000) } },
    });
    const declared = await post(service, body);
    expect(declared.status).toBe(413);
    expect(codes(await declared.json())).toEqual(['REQUEST_ENTITY_TOO_LARGE']);
    const bytes = new TextEncoder().encode(body);
    const streamed = new ReadableStream({
      start(controller) {
        for (let at = 0; at < bytes.length; at += 1000) controller.enqueue(bytes.slice(at, at + 1000));
        controller.close();
      },
    });
    const chunked = await post(service, streamed);
    expect(chunked.status).toBe(413);
    const list = await service.graphql(COUNT, { agentId: 'a' });
    expect(list.data!.sessions.totalCount).toBe(0);
  });

  test('batches up to MAX_BATCH_SIZE run; a larger batch is refused whole', async () => {
    const operation = { query: '{ sessions(agentId: "a") { totalCount } }' };
    const ok = await post(service, JSON.stringify([operation, operation]));
    expect(await ok.json()).toEqual([
      { data: { sessions: { totalCount: 0 } } },
      { data: { sessions: { totalCount: 0 } } },
    ]);
    const tooMany = await post(service, JSON.stringify([operation, operation, operation]));
    const body = await tooMany.json();
    expect(Array.isArray(body)).toBe(false);
    expect(body.errors[0].message).toBe('Batching is limited to 2 operations per request.');
  });
});

describe('CSRF prevention', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestApp();
  });
  afterAll(() => service.close());

  test('a request a browser sends without preflight is refused unless it carries the CSRF header', async () => {
    const query = encodeURIComponent('{ __typename }');
    const simpleGet = await service.app.yoga.fetch(`http://localhost/graphql?query=${query}`);
    expect(simpleGet.status).toBe(403);
    const withHeader = await service.app.yoga.fetch(`http://localhost/graphql?query=${query}`, {
      headers: { 'x-graphql-yoga-csrf': '1' },
    });
    expect(await withHeader.json()).toEqual({ data: { __typename: 'Query' } });
    // A form POST carries no credential header: one would have made the browser preflight it.
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const body = JSON.stringify({ query: '{ __typename }' });
      const response = await service.app.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      expect(response.status).toBe(403);
    }
  });

  test('a mutation cannot be sent as GET, even with the header', async () => {
    const query = encodeURIComponent(
      'mutation { deleteSession(input: { sessionId: "x", agentId: "a" }) { __typename } }',
    );
    const response = await service.app.yoga.fetch(`http://localhost/graphql?query=${query}`, {
      headers: { 'x-graphql-yoga-csrf': '1', 'x-user-id': 'u' },
    });
    expect(response.status).toBe(405);
  });
});

describe('production defaults: no introspection, no GraphiQL, no schema hints', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestApp({
      env: { NODE_ENV: 'production', ALLOW_USER_ID_HEADER: 'true', MAX_BATCH_SIZE: '0' },
    });
  });
  afterAll(() => service.close());

  test('introspection is refused', async () => {
    const response = await service.sendRawDocument('{ __schema { queryType { name } } }');
    expect(response.data).toBeUndefined();
    expect(new Set(codes(response))).toEqual(new Set(['GRAPHQL_VALIDATION_FAILED']));
    expect(response.errors![0]!.message).toContain('introspection');
  });

  test('GraphiQL is not served', async () => {
    const response = await service.app.yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type') ?? '').not.toContain('text/html');
  });

  test('unknown fields get no "Did you mean" hint', async () => {
    const response = await service.sendRawDocument('{ sessionz(agentId: "a") { totalCount } }');
    expect(response.errors![0]!.message).not.toContain('Did you mean');
  });

  test('MAX_BATCH_SIZE=0: batched requests are refused', async () => {
    const response = await post(service, JSON.stringify([{ query: '{ __typename }' }]));
    expect(response.status).toBe(400);
  });
});

describe('development defaults: introspection and hints', () => {
  test('are on', async () => {
    const service = await startTestApp();
    try {
      // gql.tada types no introspection fields: the raw path, narrowed by the assertion.
      expect((await service.sendRawDocument('{ __schema { queryType { name } } }')).data).toMatchObject({
        __schema: { queryType: { name: 'Query' } },
      });
      expect(
        (await service.sendRawDocument('{ sessionz(agentId: "a") { totalCount } }')).errors![0]!.message,
      ).toContain('Did you mean');
    } finally {
      await service.close();
    }
  });
});

describe('persisted operations (an allow-list file)', () => {
  const sha256 = (document: string) => createHash('sha256').update(document).digest('hex');
  const [CREATE_TEXT, GET_TEXT] = [print(CREATE_SESSION), print(GET_SESSION)];
  let service: TestService;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'persisted-'));
    const file = path.join(dir, 'persisted-documents.json');
    await writeFile(file, JSON.stringify({ [sha256(CREATE_TEXT)]: CREATE_TEXT, [sha256(GET_TEXT)]: GET_TEXT }));
    service = await startTestApp({ env: { PERSISTED_OPERATIONS_FILE: file } });
  });
  afterAll(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('listed operations run by id (documentId or Apollo’s persistedQuery hash)', async () => {
    const created = await post(
      service,
      JSON.stringify({ documentId: sha256(CREATE_TEXT), variables: { input: { agentId: 'p' } } }),
    );
    const session = (await created.json()).data.createSession.session;
    expect(session.agentId).toBe('p');
    const read = await post(
      service,
      JSON.stringify({
        extensions: { persistedQuery: { version: 1, sha256Hash: sha256(GET_TEXT) } },
        variables: { id: session.id, agentId: 'p' },
      }),
    );
    expect((await read.json()).data.session.id).toBe(session.id);
  });

  test('a document sent in full, even a listed one, or an unknown id is refused', async () => {
    const full = await (
      await post(service, JSON.stringify({ query: GET_TEXT, variables: { id: 'x', agentId: 'p' } }))
    ).json();
    expect(codes(full)).toEqual(['PERSISTED_QUERY_ONLY']);
    const unknown = await (await post(service, JSON.stringify({ documentId: sha256('{ __typename }') }))).json();
    expect(codes(unknown)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });
});

describe('operation timeout', () => {
  test('an operation past its deadline gets TIMEOUT, and the executor stops resolving', async () => {
    const resolved: string[] = [];
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const yoga = createYoga({
      schema: createSchema({
        typeDefs: 'type Query { slow: Slow } type Slow { first: String second: String }',
        resolvers: {
          Query: { slow: async () => (await sleep(1_500), {}) },
          Slow: { first: () => (resolved.push('first'), 'x'), second: () => (resolved.push('second'), 'y') },
        },
      }),
      plugins: [useOperationTimeout(50)],
    });
    const startedAt = Date.now();
    const response = await yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ slow { first second } }' }),
    });
    const body = await response.json();
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(codes(body)).toEqual(['TIMEOUT']);
    expect(body.errors[0].message).toMatch(/^The operation did not finish within 50 ms\./);
    // Once the slow field resolves, the aborted executor does not go on to its children.
    await sleep(1_600);
    expect(resolved).toEqual([]);
  });

  test('a fast operation is untouched', async () => {
    const yoga = createYoga({
      schema: createSchema({ typeDefs: 'type Query { fast: String }', resolvers: { Query: { fast: () => 'ok' } } }),
      plugins: [useOperationTimeout(1_000)],
    });
    const response = await yoga.fetch('http://localhost/graphql?query=%7Bfast%7D', {
      headers: { 'content-type': 'application/json' },
    });
    expect(await response.json()).toEqual({ data: { fast: 'ok' } });
  });
});
