import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase } from '../src/db/database.js';
import { createTestDatabase, databaseKind, type TestDatabase } from './support/databases.js';

describe.skipIf(databaseKind !== 'postgres')('prepared statements (needs TEST_DATABASE_URL)', () => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase();
  });
  afterAll(async () => {
    await testDatabase?.drop();
  });

  /** The statements the pool's one connection holds prepared after sending `sql` twice. */
  async function preparedAfterRepeating(sql: string, preparedStatements: boolean) {
    if (testDatabase.options.kind !== 'postgres') throw new Error('unreachable: skipped without PostgreSQL');
    const database = await openDatabase({ ...testDatabase.options, poolSize: 1, preparedStatements });
    try {
      expect(await database.query(sql, ['first'])).toEqual([{ echo: 'first' }]);
      expect(await database.query(sql, ['second'])).toEqual([{ echo: 'second' }]);
      return await database.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements', []);
    } finally {
      await database.close();
    }
  }

  test('each statement text is parsed once per connection and then only executed', async () => {
    const sql = 'SELECT $1::text AS echo';
    expect((await preparedAfterRepeating(sql, true)).map((row) => row.statement)).toContain(sql);
  });

  test('DATABASE_PREPARED_STATEMENTS=false sends every statement unnamed', async () => {
    expect(await preparedAfterRepeating('SELECT $1::text AS echo', false)).toEqual([]);
  });
});
