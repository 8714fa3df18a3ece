import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { federationDocument } from './graphql/graphql.js';
import { startTestApp } from './support/fixtures.js';
import { captureConsoleErrors } from './support/console.js';

let production: Awaited<ReturnType<typeof startTestApp>>;
let development: Awaited<ReturnType<typeof startTestApp>>;
beforeAll(async () => {
  // Production defaults: introspection off; callers named by a gateway's x-user-id.
  production = await startTestApp({ env: { NODE_ENV: 'production', ALLOW_USER_ID_HEADER: 'true' } });
  development = await startTestApp();
});
afterAll(async () => {
  await production?.close();
  await development?.close();
});

const SDL = federationDocument(/* GraphQL */ `query ServiceSdl { _service { sdl } }`);
/** An attempt to reach `_service` unseen, through fragments: the raw path. */
const SDL_IN_FRAGMENT = 'query { ...Root } fragment Root on Query { ... on Query { _service { sdl } } }';
const AGENT_ENTITY = federationDocument(
  /* GraphQL */ `query AgentEntity { _entities(representations: [{ __typename: "Agent", id: "agent-1" }]) { ... on Agent { id } } }`,
);

const codes = (response: { errors?: Array<{ extensions?: Record<string, any> }> }) =>
  response.errors?.map((error) => error.extensions?.code);

describe('federation root fields, anonymous callers, introspection off (production)', () => {
  test.each([
    ['_service { sdl }', () => production.graphql(SDL, {}, { userId: null })],
    ['_service { sdl } through fragments', () => production.sendRawDocument(SDL_IN_FRAGMENT, {}, { userId: null })],
    ['_entities on Agent', () => production.graphql(AGENT_ENTITY, {}, { userId: null })],
  ])('%s: UNAUTHENTICATED, nothing else', async (_name, send) => {
    const response = await send();
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
    expect(response.data ?? null).toBeNull();
  });

  test('a caller (the gateway, with a credential) gets the SDL and entities', async () => {
    // graphql-jit says once that it leaves the literal `_Any` to graphql-js: asserted, not printed.
    const consoleErrors = captureConsoleErrors();
    expect((await production.graphql(SDL)).data!._service.sdl).toContain('type Session');
    expect((await production.graphql(AGENT_ENTITY)).data!._entities).toEqual([{ id: 'agent-1' }]);
    expect(new Set(consoleErrors)).toEqual(new Set([expect.stringContaining('Scalar with variable inputs detected')]));
  });
});

describe('with introspection on (development)', () => {
  test('the SDL is as open as introspection; _entities still needs a caller', async () => {
    expect((await development.graphql(SDL, {}, { userId: null })).data!._service.sdl).toContain('type Session');
    expect(codes(await development.graphql(AGENT_ENTITY, {}, { userId: null }))).toEqual(['UNAUTHENTICATED']);
  });
});
