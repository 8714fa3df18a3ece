import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { databaseKind } from './support/databases.js';
import { CREATE_SESSION, createdSession, GET_SESSION, UPDATE_SESSION, writeOf } from './support/documents.js';
import { type ProxiedService, startProxiedService } from './support/proxied-postgres.js';

const CONNECT_TIMEOUT_MS = 500;

describe.skipIf(databaseKind !== 'postgres')(
  'the database goes away mid-traffic (PostgreSQL behind a TCP proxy; needs TEST_DATABASE_URL)',
  () => {
    let service: ProxiedService;

    beforeAll(async () => {
      service = await startProxiedService('outage-user', {
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
        queryTimeoutMs: 2_000,
      });
    });
    afterAll(() => service?.close());

    const graphql: ProxiedService['graphql'] = (query, variables) => service.graphql(query, variables);
    const ready = async () => (await service.app.yoga.fetch('http://localhost/ready')).status;

    test('requests fail fast with SERVICE_UNAVAILABLE, /ready turns red, and the service recovers by itself', async () => {
      const created = createdSession(await graphql(CREATE_SESSION, { input: { agentId: 'a', name: 'before' } }));
      const ref = { id: created.id, agentId: 'a' };
      // Traffic that keeps every pooled connection busy, so the cut hits connections in use.
      const traffic = Array.from({ length: 20 }, () => graphql(GET_SESSION, ref));
      await new Promise((resolve) => setTimeout(resolve, 5));

      for (const mode of ['refuse', 'blackhole'] as const) {
        service.proxy.set(mode);
        const startedAt = Date.now();
        const attempts = await Promise.all([
          ...Array.from({ length: 10 }, () => graphql(GET_SESSION, ref)),
          graphql(UPDATE_SESSION, writeOf(ref, { name: `written during ${mode}` })),
          graphql(CREATE_SESSION, { input: { agentId: 'a' } }),
        ]);
        // Fails fast: within the connect timeout plus scheduling slack, never hanging.
        expect(Date.now() - startedAt).toBeLessThan(CONNECT_TIMEOUT_MS * 2 + 2_000);
        for (const attempt of attempts) {
          expect(attempt.status).toBe(503);
          expect(attempt.retryAfter).toBe('1');
          expect(attempt.errors?.map((error) => error.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
          expect(attempt.errors?.[0]?.message).toBe('The database is unavailable; retry later.');
        }
        expect(await ready()).toBe(503);
      }
      // What was in flight at the cut either completed or failed the same clear way.
      for (const response of await Promise.all(traffic)) {
        if (response.errors)
          expect(response.errors.map((error) => error.extensions!.code)).toEqual(['SERVICE_UNAVAILABLE']);
        else expect(response.data!.session!.id).toBe(created.id);
      }

      service.proxy.set('forward');
      // No restart: the pool replaces its broken connections on the next requests.
      const recoveredAt = Date.now();
      let read = await graphql(GET_SESSION, ref);
      while (read.errors && Date.now() - recoveredAt < 5_000) read = await graphql(GET_SESSION, ref);
      expect(read.errors).toBeUndefined();
      expect(await ready()).toBe(200);
      // The failed writes wrote nothing.
      expect(read.data!.session).toMatchObject({ version: 1, config: { name: 'before' } });
      const sessions = await service.app.database.prisma.session.count({ where: { userId: 'outage-user' } });
      expect(sessions).toBe(1);
      // And the pool is healthy: a burst larger than the pool all succeeds, nobody left waiting.
      const burst = await Promise.all(Array.from({ length: 30 }, () => graphql(GET_SESSION, ref)));
      expect(burst.every((response) => response.errors === undefined)).toBe(true);
      expect(service.app.database.poolStats()).toMatchObject({ waiting: 0 });
    });

    test('a partition that freezes open connections: queries time out as SERVICE_UNAVAILABLE, then the pool recovers', async () => {
      const created = createdSession(await graphql(CREATE_SESSION, { input: { agentId: 'p', name: 'stalled' } }));
      const ref = { id: created.id, agentId: 'p' };
      service.proxy.set('stall');
      const startedAt = Date.now();
      const attempts = await Promise.all(Array.from({ length: 8 }, () => graphql(GET_SESSION, ref)));
      expect(Date.now() - startedAt).toBeLessThan(2_000 + 3_000);
      for (const attempt of attempts)
        expect(attempt.errors?.map((error) => error.extensions?.code)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(await ready()).toBe(503);

      service.proxy.set('forward');
      const recoveredAt = Date.now();
      let read = await graphql(GET_SESSION, ref);
      while (read.errors && Date.now() - recoveredAt < 5_000) read = await graphql(GET_SESSION, ref);
      expect(read.data!.session).toMatchObject({ id: created.id, config: { name: 'stalled' } });
      const burst = await Promise.all(Array.from({ length: 30 }, () => graphql(GET_SESSION, ref)));
      expect(burst.every((response) => response.errors === undefined)).toBe(true);
    });
  },
);
