import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase, type Database } from '../src/db/database.js';
import { createTestDatabase, databaseKind, type TestDatabase } from './support/databases.js';

describe.skipIf(databaseKind !== 'postgres')(
  'a burst larger than the PostgreSQL pool (needs TEST_DATABASE_URL)',
  () => {
    let testDatabase: TestDatabase;
    let database: Database;
    beforeAll(async () => {
      testDatabase = await createTestDatabase();
      if (testDatabase.options.kind !== 'postgres') throw new Error('unreachable: skipped without PostgreSQL');
      // A connect timeout far shorter than the queries: waiting for a slot must not count against it.
      database = await openDatabase({
        ...testDatabase.options,
        poolSize: 2,
        connectTimeoutMs: 200,
        poolWaitTimeoutMs: 10_000,
      });
    });
    afterAll(async () => {
      await database?.close();
      await testDatabase?.drop();
    });

    test('queues for a pooled connection instead of failing as an outage', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => database.query('SELECT pg_sleep(0.3)', [])),
      );
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      expect(database.poolStats()).toMatchObject({ max: 2, waiting: 0 });
    });
  },
);
