import { describe, expect, test } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const SECRET = 'x'.repeat(32);

describe('configuration', () => {
  test('development defaults: the x-user-id header, GraphiQL and introspection are on; no JWT', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      production: false,
      graphiql: true,
      introspection: true,
      metrics: true,
      auth: { jwt: null, allowUserIdHeader: true },
    });
    expect(config.limits).toEqual({
      maxRequestBodyBytes: 10 * 1024 * 1024,
      maxDepth: 15,
      maxAliases: 30,
      maxTokens: 5_000,
      maxCost: 20_000_000,
      maxBatchSize: 10,
      operationTimeoutMs: 30_000,
      maxEntityRepresentations: 1_000,
      maxResponseBytes: 64 * 1024 * 1024,
    });
  });

  test('production turns the header, GraphiQL and introspection off, and needs a way to authenticate', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /AUTH_JWT_SECRET: production needs a way to authenticate/,
    );
    const config = loadConfig({
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: SECRET,
      AUTH_AUDIENCE: 'a, b',
      AUTH_ISSUER: 'https://i/',
    });
    expect(config).toMatchObject({
      production: true,
      graphiql: false,
      introspection: false,
      auth: { allowUserIdHeader: false },
    });
    expect(config.auth.jwt).toEqual({
      keys: { kind: 'secret', secret: SECRET },
      audience: ['a', 'b'],
      issuer: ['https://i/'],
      userClaim: 'sub',
      clockToleranceSeconds: 5,
    });
  });

  test('production behind an authenticating gateway may allow the header explicitly', () => {
    expect(loadConfig({ NODE_ENV: 'production', ALLOW_USER_ID_HEADER: 'true' }).auth).toEqual({
      jwt: null,
      allowUserIdHeader: true,
    });
    expect(
      loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'true', INTROSPECTION: '1', ALLOW_USER_ID_HEADER: 'true' }),
    ).toMatchObject({ graphiql: true, introspection: true });
  });

  test('bad values stop start-up with one message naming each variable', () => {
    const attempt = () =>
      loadConfig({
        AUTH_JWT_SECRET: 'short',
        AUTH_JWKS_URL: 'ftp://keys',
        MAX_DEPTH: '0',
        OPERATION_TIMEOUT_MS: 'soon',
        ALLOW_USER_ID_HEADER: 'yes',
        DATABASE_URL: 'mysql://x',
      });
    expect(attempt).toThrow(ConfigError);
    const message = (() => {
      try {
        attempt();
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const name of [
      'AUTH_JWT_SECRET: must be at least 32 bytes',
      'AUTH_JWKS_URL',
      'MAX_DEPTH',
      'OPERATION_TIMEOUT_MS',
      'ALLOW_USER_ID_HEADER',
      'DATABASE_URL',
    ]) {
      expect(message).toContain(name);
    }
  });

  test('only one key source; issuer and audience need one', () => {
    expect(() => loadConfig({ AUTH_JWT_SECRET: SECRET, AUTH_JWKS_FILE: './jwks.json' })).toThrow(
      /AUTH_JWKS_FILE: set only one of/,
    );
    expect(() => loadConfig({ AUTH_AUDIENCE: 'x' })).toThrow(/AUTH_ISSUER\/AUTH_AUDIENCE need a key/);
  });

  test('PostgreSQL gets bounded connect and query timeouts', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://h/db', DATABASE_CONNECT_TIMEOUT_MS: '500' }).database).toEqual({
      kind: 'postgres',
      url: 'postgresql://h/db',
      poolSize: 10,
      connectTimeoutMs: 500,
      poolWaitTimeoutMs: 10_000,
      queryTimeoutMs: 15_000,
      preparedStatements: true,
    });
    expect(
      loadConfig({ DATABASE_URL: 'postgresql://h/db', DATABASE_PREPARED_STATEMENTS: 'false' }).database,
    ).toMatchObject({ preparedStatements: false });
  });

  test('MAX_BATCH_SIZE=0 turns batching off', () => {
    expect(loadConfig({ MAX_BATCH_SIZE: '0' }).limits.maxBatchSize).toBe(0);
  });

  test('the reference check is off unless an owner is configured; federation needs one', () => {
    expect(loadConfig({}).references).toEqual({ kind: 'off' });
    expect(loadConfig({ AGENTS_SUBGRAPH_URL: 'http://agents:4000/graphql' }).references).toEqual({
      kind: 'federation',
      urls: { Agent: 'http://agents:4000/graphql' },
      cacheSeconds: 5,
      timeoutMs: 2_000,
    });
    expect(loadConfig({ REFERENCE_CHECK: 'off', CREDENTIALS_SUBGRAPH_URL: 'http://c/graphql' }).references).toEqual({
      kind: 'off',
    });
    expect(() => loadConfig({ REFERENCE_CHECK: 'federation' })).toThrow(/REFERENCE_CHECK: federation needs the owners/);
    expect(() => loadConfig({ CREDENTIALS_SUBGRAPH_URL: 'credentials:4000' })).toThrow(ConfigError);
  });
});
