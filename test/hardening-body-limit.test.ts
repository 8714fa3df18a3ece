import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_ECHOED_INPUT } from '../src/http/rest/errors.js';
import { startTestApp } from './support/fixtures.js';
import { listen, type Listening } from './support/subscriptions.js';

const LIMIT = 10_000;

let service: Awaited<ReturnType<typeof startTestApp>>;
let server: Listening;
let origin: string;
beforeAll(async () => {
  service = await startTestApp({ env: { MAX_REQUEST_BODY_BYTES: String(LIMIT) } });
  server = await listen(service.app);
  origin = server.url.replace('/graphql', '');
});
afterAll(async () => {
  await server?.close();
  await service?.close();
});

/**
 * Starts a body over real HTTP, chunked (no Content-Length) unless `declared` is given, writes
 * `bytes` of it and never finishes it: only a server that refuses while the body streams can
 * answer. Answers the status and the body.
 */
function sendUnfinished(method: string, path: string, bytes: number, declared?: number) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const headers = { 'content-type': 'application/json', ...(declared === undefined ? {} : { 'content-length': String(declared) }) };
    const request = httpRequest(`${origin}${path}`, { method, headers, timeout: 10_000 }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode!, body });
        request.destroy();
      });
    });
    request.on('timeout', () => reject(new Error('no answer while the body was still being sent')));
    request.on('error', reject);
    request.write(`{"name":"${'x'.repeat(bytes)}`);
  });
}

describe('MAX_REQUEST_BODY_BYTES holds on every route, before authentication', () => {
  test.each([
    ['REST PATCH without credentials', 'PATCH', '/sessions/some-session'],
    ['REST POST', 'POST', '/sessions/'],
    ['GraphQL', 'POST', '/graphql'],
    ['an unknown path', 'POST', '/elsewhere'],
  ])('%s: a body over the limit is 413, chunked or with Content-Length, and is not read to its end', async (_name, method, path) => {
    for (const declared of [100 * 1024 * 1024, undefined]) {
      const answer = await sendUnfinished(method, path, declared === undefined ? 2 * LIMIT : 100, declared);
      expect(answer.status).toBe(413);
      expect(answer.body).toContain(path === '/graphql' ? 'REQUEST_ENTITY_TOO_LARGE' : `"detail":"Request body too large: at most ${LIMIT} bytes."`);
    }
    expect(await service.app.database.prisma.session.count()).toBe(0);
  });

  test('a body within the limit still works', async () => {
    const created = await service.rest('POST', '/sessions/', { body: { agent_id: 'a' } });
    expect(created.status).toBeLessThan(300);
  });
});

describe('error responses never echo more than a short prefix of an input', () => {
  test('a REST 422 cuts a long offending value', async () => {
    const long = 'y'.repeat(LIMIT - 100);
    const response = await service.rest('PATCH', '/sessions/some-session', { body: { unknown_field: long } });
    expect(response.status).toBe(422);
    const text = JSON.stringify(response.body);
    expect(text.length).toBeLessThan(1_000);
    expect(response.body.detail).toContainEqual(expect.objectContaining({ type: 'extra_forbidden', input: `${'y'.repeat(MAX_ECHOED_INPUT)}…` }));
  });
});
