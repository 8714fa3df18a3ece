import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { print } from 'graphql';
import { federationDocument } from './graphql/graphql.js';
import { CREATE_SESSION, createdSession, GET_SESSION } from './support/documents.js';
import { startTestApp } from './support/fixtures.js';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'agent-sessions';

type TestService = Awaited<ReturnType<typeof startTestApp>>;

function sign(
  claims: Record<string, unknown>,
  { secret = SECRET, alg = 'HS256', expiresIn = '5m' as string | number } = {},
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

function bearer(token: string) {
  return { userId: null, headers: { authorization: `Bearer ${token}` } };
}

async function createAs(service: TestService, token: string, agentId = 'agent-1') {
  return service.graphql(CREATE_SESSION, { input: { agentId } }, bearer(token));
}

/** Every field is null, the request is a 401 with UNAUTHENTICATED and a Bearer challenge. */
async function expectRejected(service: TestService, headers: Record<string, string>, message?: string) {
  const response = await service.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: print(CREATE_SESSION), variables: { input: { agentId: 'agent-1' } } }),
  });
  expect(response.status).toBe(401);
  expect(response.headers.get('www-authenticate')).toBe('Bearer');
  const body = await response.json();
  expect(body.data ?? null).toBeNull();
  expect(body.errors.map((error: any) => error.extensions.code)).toEqual(['UNAUTHENTICATED']);
  if (message) expect(body.errors[0].message).toBe(message);
}

describe('HS256 bearer tokens (shared secret), with issuer and audience checks', () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestApp({
      env: {
        NODE_ENV: 'production',
        AUTH_JWT_SECRET: SECRET,
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: `${AUDIENCE}, other-audience`,
      },
    });
  });
  afterAll(() => service.close());

  test('a valid token names the caller by its sub claim', async () => {
    const created = await createAs(service, await sign({ sub: 'user-jwt' }));
    expect(created.errors).toBeUndefined();
    const session = createdSession(created);
    expect(session.userId).toBe('user-jwt');
    const read = await service.graphql(
      GET_SESSION,
      { id: session.id, agentId: 'agent-1' },
      bearer(await sign({ sub: 'user-jwt' })),
    );
    expect(read.data!.session!.id).toBe(session.id);
    const stranger = await service.graphql(
      GET_SESSION,
      { id: session.id, agentId: 'agent-1' },
      bearer(await sign({ sub: 'someone-else' })),
    );
    expect(stranger.data!.session).toBeNull();
  });

  test('the REST routes and the federation entity lookup resolve the caller the same way', async () => {
    const owner = bearer(await sign({ sub: 'rest-user' }));
    const created = await service.rest('POST', '/sessions/', { ...owner, body: { agent_id: 'agent-1' } });
    expect(created.status).toBe(201);
    const id = created.body.session_id;
    const listed = await service.rest('GET', '/sessions/?agent_id=agent-1', owner);
    expect(listed.body.sessions.map((session: { id: string }) => session.id)).toEqual([id]);
    const other = await service.rest('GET', '/sessions/?agent_id=agent-1', bearer(await sign({ sub: 'someone-else' })));
    expect(other.body).toEqual({ sessions: [], total: 0 });
    // A bad token and, in production, the x-user-id header are refused on REST as on GraphQL.
    const badToken = await service.rest(
      'GET',
      '/sessions/?agent_id=agent-1',
      bearer(await sign({ sub: 'rest-user' }, { secret: 'another-secret-of-at-least-32-bytes' })),
    );
    expect(badToken).toMatchObject({ status: 401, body: { detail: 'The token is invalid.' } });
    expect(badToken.headers.get('www-authenticate')).toBe('Bearer');
    const header = await service.rest('GET', '/sessions/?agent_id=agent-1', { userId: 'rest-user' });
    expect(header.status).toBe(401);

    const ENTITIES = federationDocument(
      /* GraphQL */ `query SessionOwners($representations: [_Any!]!) { _entities(representations: $representations) { ... on Session { id userId } } }`,
    );
    const representations = [{ __typename: 'Session', id }];
    expect((await service.graphql(ENTITIES, { representations }, owner)).data!._entities).toEqual([
      { id, userId: 'rest-user' },
    ]);
    expect(
      (await service.graphql(ENTITIES, { representations }, bearer(await sign({ sub: 'someone-else' })))).data!
        ._entities,
    ).toEqual([null]);
  });

  test('expired, early, malformed, wrongly signed, wrong-audience, wrong-issuer and unsigned tokens are UNAUTHENTICATED', async () => {
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: 'x', iss: ISSUER, aud: AUDIENCE })).toString('base64url')}.`;
    const cases: Array<[string, string, string?]> = [
      ['expired', await sign({ sub: 'u' }, { expiresIn: now - 60 }), 'The token has expired.'],
      [
        'not yet valid',
        await new SignJWT({ sub: 'u' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(ISSUER)
          .setAudience(AUDIENCE)
          .setNotBefore(now + 600)
          .sign(new TextEncoder().encode(SECRET)),
      ],
      ['malformed', 'not.a.jwt', 'The token is invalid.'],
      ['garbage', '%%%', 'The token is invalid.'],
      [
        'wrong signature',
        await sign({ sub: 'u' }, { secret: 'another-secret-that-is-long-enough!!' }),
        'The token is invalid.',
      ],
      ['algorithm not allowed', await sign({ sub: 'u' }, { alg: 'HS512' }), 'The token is invalid.'],
      ['unsigned (alg none)', unsigned, 'The token is invalid.'],
      [
        'wrong audience',
        await new SignJWT({ sub: 'u' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(ISSUER)
          .setAudience('elsewhere')
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(SECRET)),
        'The token\'s "aud" claim is not accepted.',
      ],
      [
        'wrong issuer',
        await new SignJWT({ sub: 'u' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer('https://evil.test/')
          .setAudience(AUDIENCE)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(SECRET)),
        'The token\'s "iss" claim is not accepted.',
      ],
      ['no sub', await sign({}), 'The token has no "sub" claim naming the user.'],
      ['blank sub', await sign({ sub: '  ' }), 'The token has no "sub" claim naming the user.'],
    ];
    for (const [, token, message] of cases)
      await expectRejected(service, { authorization: `Bearer ${token}` }, message);
  });

  test('a second audience of the list is accepted', async () => {
    const token = await new SignJWT({ sub: 'multi' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience('other-audience')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    expect(createdSession(await createAs(service, token)).userId).toBe('multi');
  });

  test('another scheme or an empty bearer is UNAUTHENTICATED', async () => {
    for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'token abc']) {
      await expectRejected(service, { authorization }, 'The Authorization header must be "Bearer <token>".');
    }
  });

  test('production refuses the x-user-id header', async () => {
    await expectRejected(
      service,
      { 'x-user-id': 'mallory' },
      'The x-user-id header is not accepted here: send a bearer token.',
    );
  });

  test('no credentials at all: UNAUTHENTICATED on the field, as before', async () => {
    const { data, errors } = await service.graphql(CREATE_SESSION, { input: { agentId: 'a' } }, { userId: null });
    expect(data).toBeNull();
    expect(errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  test('tokens never reach the logs', async () => {
    const token = await sign({ sub: 'logged-user' });
    await createAs(service, token);
    await expectRejected(service, { authorization: 'Bearer not.a.jwt' });
    const logged = JSON.stringify(service.logs);
    expect(logged).toContain('"request"');
    expect(logged).not.toContain(token.split('.')[2]);
    expect(logged).not.toContain('not.a.jwt');
    expect(logged.toLowerCase()).not.toContain('authorization');
  });
});

describe('a configured user claim', () => {
  test('names the caller', async () => {
    const service = await startTestApp({ env: { AUTH_JWT_SECRET: SECRET, AUTH_USER_CLAIM: 'uid' } });
    try {
      const token = await sign({ sub: 'not-this', uid: 'user-by-claim' });
      expect(createdSession(await createAs(service, token)).userId).toBe('user-by-claim');
      await expectRejected(
        service,
        { authorization: `Bearer ${await sign({ sub: 'only-sub' })}` },
        'The token has no "uid" claim naming the user.',
      );
    } finally {
      await service.close();
    }
  });
});

describe('development: the x-user-id header and tokens side by side', () => {
  test('a bearer token wins over the header; the header works alone', async () => {
    const service = await startTestApp({ env: { AUTH_JWT_SECRET: SECRET } });
    try {
      const both = await service.graphql(
        CREATE_SESSION,
        { input: { agentId: 'a' } },
        { userId: 'header-user', headers: { authorization: `Bearer ${await sign({ sub: 'token-user' })}` } },
      );
      expect(createdSession(both).userId).toBe('token-user');
      const header = await service.graphql(CREATE_SESSION, { input: { agentId: 'a' } }, { userId: 'header-user' });
      expect(createdSession(header).userId).toBe('header-user');
    } finally {
      await service.close();
    }
  });

  test('without a JWT configuration, a bearer token is UNAUTHENTICATED rather than ignored', async () => {
    const service = await startTestApp();
    try {
      await expectRejected(
        service,
        { authorization: `Bearer ${await sign({ sub: 'u' })}` },
        'Bearer tokens are not accepted: this service has no JWT verification configured.',
      );
    } finally {
      await service.close();
    }
  });
});

async function keyPair(alg: 'RS256' | 'ES256', kid: string) {
  const { publicKey, privateKey } = await generateKeyPair(alg);
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const signWith = (claims: Record<string, unknown>) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg, kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(privateKey);
  return { jwk, sign: signWith };
}

describe('a JWKS file (RS256 and ES256 keys)', () => {
  let service: TestService;
  let dir: string;
  let rsa: Awaited<ReturnType<typeof keyPair>>;
  let ec: Awaited<ReturnType<typeof keyPair>>;
  beforeAll(async () => {
    [rsa, ec] = await Promise.all([keyPair('RS256', 'rsa-1'), keyPair('ES256', 'ec-1')]);
    dir = await mkdtemp(path.join(tmpdir(), 'jwks-'));
    await writeFile(path.join(dir, 'jwks.json'), JSON.stringify({ keys: [rsa.jwk, ec.jwk] }));
    service = await startTestApp({
      env: { NODE_ENV: 'production', AUTH_JWKS_FILE: path.join(dir, 'jwks.json'), AUTH_AUDIENCE: AUDIENCE },
    });
  });
  afterAll(async () => {
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('tokens signed by either key are accepted', async () => {
    expect(createdSession(await createAs(service, await rsa.sign({ sub: 'rsa-user' }))).userId).toBe('rsa-user');
    expect(createdSession(await createAs(service, await ec.sign({ sub: 'ec-user' }))).userId).toBe('ec-user');
  });

  test('a token from an unknown key, or HS256 with the shared-secret trick, is UNAUTHENTICATED', async () => {
    const stranger = await keyPair('RS256', 'rsa-1');
    await expectRejected(
      service,
      { authorization: `Bearer ${await stranger.sign({ sub: 'u' })}` },
      'The token is invalid.',
    );
    await expectRejected(service, { authorization: `Bearer ${await sign({ sub: 'u' })}` }, 'The token is invalid.');
  });
});

describe('a JWKS URL', () => {
  let jwksServer: Server;
  let jwksUrl: string;
  let rsa: Awaited<ReturnType<typeof keyPair>>;
  beforeAll(async () => {
    rsa = await keyPair('RS256', 'remote-1');
    jwksServer = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ keys: [rsa.jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

  test('verifies tokens against the fetched keys', async () => {
    const service = await startTestApp({ env: { AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER } });
    try {
      expect(createdSession(await createAs(service, await rsa.sign({ sub: 'remote-user' }))).userId).toBe(
        'remote-user',
      );
    } finally {
      await service.close();
    }
  });

  test('an unreachable key set is SERVICE_UNAVAILABLE (retry later), not a verdict on the token', async () => {
    const unreachable = createServer();
    await new Promise<void>((resolve) => unreachable.listen(0, '127.0.0.1', resolve));
    const port = (unreachable.address() as AddressInfo).port;
    await new Promise<void>((resolve) => unreachable.close(() => resolve()));
    const service = await startTestApp({ env: { AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` } });
    try {
      const { status, errors } = await createAs(service, await rsa.sign({ sub: 'u' }));
      expect(status).toBe(503);
      expect(errors?.map((error) => error.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
    } finally {
      await service.close();
    }
  });
});
