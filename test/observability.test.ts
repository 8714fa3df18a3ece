import { print } from 'graphql';
import { describe, expect, test } from 'vitest';
import { CREATE_SESSION, GET_SESSION } from './support/documents.js';
import { databaseKind } from './support/databases.js';
import { DEFAULT_USER, startTestApp } from './support/fixtures.js';

type TestService = Awaited<ReturnType<typeof startTestApp>>;

function postGraphQL(service: TestService, body: unknown, headers: Record<string, string> = {}) {
  return service.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-user-id': DEFAULT_USER, ...headers },
    body: JSON.stringify(body),
  });
}

async function metricValue(service: TestService, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await service.app.yoga.fetch('http://localhost/metrics')).text();
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find((candidate) =>
      candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `)
        ? wanted.every((label) => candidate.includes(label))
        : false,
    );
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

describe('request ids and request logs', () => {
  test('each response carries a request id: the client’s when acceptable, else a new one', async () => {
    const service = await startTestApp();
    try {
      const mine = await postGraphQL(service, { query: '{ __typename }' }, { 'x-request-id': 'client-id.42' });
      expect(mine.headers.get('x-request-id')).toBe('client-id.42');
      const made = await postGraphQL(service, { query: '{ __typename }' });
      expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const forged = await postGraphQL(service, { query: '{ __typename }' }, { 'x-request-id': 'x"} {"level":60' });
      expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      const rejected = await service.app.yoga.fetch('http://localhost/graphql?query=%7B__typename%7D', {
        headers: { 'x-request-id': 'csrf-probe' },
      });
      expect(rejected.status).toBe(403);
      expect(rejected.headers.get('x-request-id')).toBe('csrf-probe');
    } finally {
      await service.close();
    }
  });

  test('one JSON line per request: id, operation, status, duration and error codes; no variables, no headers', async () => {
    const service = await startTestApp();
    try {
      const secretName = 'very-private-session-name';
      await postGraphQL(
        service,
        { query: print(CREATE_SESSION), variables: { input: { agentId: 'a', name: secretName } } },
        { 'x-request-id': 'req-create' },
      );
      await postGraphQL(
        service,
        { query: print(GET_SESSION), variables: { id: 'f'.repeat(32), agentId: 'a' } },
        { 'x-request-id': 'req-anon', 'x-user-id': '' },
      );
      const create = service.logs.find((line) => line.requestId === 'req-create');
      expect(create).toMatchObject({
        msg: 'request',
        level: 30,
        method: 'POST',
        path: '/graphql',
        status: 200,
        operations: ['Create'],
        errorCodes: [],
      });
      expect(create!.durationMs).toBeGreaterThan(0);
      expect(service.logs.find((line) => line.requestId === 'req-anon')).toMatchObject({
        operations: ['ReadSession'],
        errorCodes: ['UNAUTHENTICATED'],
      });
      // Client errors quote the variables in their messages; those messages are not logged.
      const rejected = await postGraphQL(service, {
        query: print(CREATE_SESSION),
        variables: { input: { agentId: 'a', name: secretName, notAField: 1 } },
      });
      expect(JSON.stringify(await rejected.json())).toContain(secretName);
      expect(JSON.stringify(service.logs)).not.toContain(secretName);
      expect(service.logs.filter((line) => line.level >= 50)).toEqual([]);
    } finally {
      await service.close();
    }
  });
});

describe('Prometheus metrics at /metrics', () => {
  test('count requests, operations and errors by code; expose process metrics', async () => {
    const service = await startTestApp();
    try {
      const before = await metricValue(service, 'http_requests_total', {
        route: '/graphql',
        method: 'POST',
        status: '200',
      });
      await postGraphQL(service, { query: print(CREATE_SESSION), variables: { input: { agentId: 'a' } } });
      await postGraphQL(
        service,
        { query: print(GET_SESSION), variables: { id: 'f'.repeat(32), agentId: 'a' } },
        { 'x-user-id': '' },
      );
      await postGraphQL(service, { query: '{ nope }' });
      expect(
        await metricValue(service, 'http_requests_total', { route: '/graphql', method: 'POST', status: '200' }),
      ).toBe(before + 3);
      expect(await metricValue(service, 'graphql_operations_total', { type: 'mutation' })).toBe(1);
      expect(await metricValue(service, 'graphql_errors_total', { code: 'UNAUTHENTICATED' })).toBe(1);
      expect(await metricValue(service, 'graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBe(1);
      expect(
        await metricValue(service, 'http_request_duration_seconds_count', { route: '/graphql', method: 'POST' }),
      ).toBeGreaterThanOrEqual(3);
      await service.app.yoga.fetch('http://localhost/some/random/path/1234');
      const text = await (await service.app.yoga.fetch('http://localhost/metrics')).text();
      expect(text).toContain('route="other"');
      expect(text).not.toContain('random');
      expect(text).toContain('process_resident_memory_bytes');
    } finally {
      await service.close();
    }
  });

  test.skipIf(databaseKind !== 'postgres')('report the PostgreSQL pool (needs TEST_DATABASE_URL)', async () => {
    const service = await startTestApp();
    try {
      await service.graphql(CREATE_SESSION, { input: { agentId: 'a' } });
      expect(await metricValue(service, 'db_pool_max_connections')).toBe(5);
      expect(await metricValue(service, 'db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
      expect(await metricValue(service, 'db_pool_connections', { state: 'waiting' })).toBe(0);
    } finally {
      await service.close();
    }
  });

  test('METRICS=false: no endpoint', async () => {
    const service = await startTestApp({ env: { METRICS: 'false' } });
    try {
      expect((await service.app.yoga.fetch('http://localhost/metrics')).status).toBe(404);
    } finally {
      await service.close();
    }
  });
});

describe('readiness', () => {
  test('/ready fails once the service starts draining, while /health still answers', async () => {
    const service = await startTestApp();
    try {
      expect((await service.app.yoga.fetch('http://localhost/ready')).status).toBe(200);
      service.app.beginDrain();
      expect((await service.app.yoga.fetch('http://localhost/ready')).status).toBe(503);
      expect((await service.app.yoga.fetch('http://localhost/health')).status).toBe(200);
    } finally {
      await service.close();
    }
  });

  test('/ready fails while a migration is not recorded as applied', async () => {
    const service = await startTestApp();
    try {
      const [latest] = await service.app.database.prisma.$queryRaw<Array<{ migration_name: string }>>`
        SELECT migration_name FROM _prisma_migrations ORDER BY migration_name DESC LIMIT 1`;
      await service.app.database.prisma
        .$executeRaw`UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = ${latest!.migration_name}`;
      expect((await service.app.yoga.fetch('http://localhost/ready')).status).toBe(503);
      await service.app.database.prisma
        .$executeRaw`UPDATE _prisma_migrations SET finished_at = now() WHERE migration_name = ${latest!.migration_name}`;
      expect((await service.app.yoga.fetch('http://localhost/ready')).status).toBe(200);
      expect(
        service.logs.some(
          (line) => line.msg === 'not ready' && String(line.err?.message).includes(latest!.migration_name),
        ),
      ).toBe(true);
    } finally {
      await service.close();
    }
  });
});
