import { parse, validate } from 'graphql';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CREATE_EXAMPLE_SESSION, LIST_EXAMPLE_SESSIONS } from '../src/http/graphiql.js';
import { schema } from '../src/graphql/schema/index.js';
import { startTestApp } from './support/fixtures.js';

type TestService = Awaited<ReturnType<typeof startTestApp>>;

async function graphiqlPage(service: TestService) {
  return service.app.yoga.fetch('http://localhost/graphql', { headers: { accept: 'text/html' } });
}

// The browser test (test/browser) runs the page for real; these check what it is made of, fast.
describe('GraphiQL in development', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestApp({ env: { NODE_ENV: 'development' } });
  });
  afterAll(() => service.close());

  test('is served at /graphql with every asset in the page: nothing is fetched from elsewhere', async () => {
    const response = await graphiqlPage(service);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    const html = await response.text();
    expect(html).toContain('renderYogaGraphiQL');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="?https?:/);
    expect(html).toContain('x-user-id\\": \\"graphiql-user');
  });

  test('the default tabs are valid against the schema', () => {
    for (const document of [CREATE_EXAMPLE_SESSION, LIST_EXAMPLE_SESSIONS]) {
      expect(validate(schema, parse(document)).map((error) => error.message)).toEqual([]);
    }
  });
});

describe('GraphiQL where the x-user-id header is not accepted', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestApp({
      env: { NODE_ENV: 'development', ALLOW_USER_ID_HEADER: 'false', AUTH_JWT_SECRET: 'x'.repeat(32) },
    });
  });
  afterAll(() => service.close());

  test('is served without the header filled in', async () => {
    const html = await (await graphiqlPage(service)).text();
    expect(html).toContain('renderYogaGraphiQL');
    expect(html).not.toContain('graphiql-user');
  });
});
