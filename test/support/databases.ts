import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseOptions } from '../../src/db/database.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const databaseKind = TEST_DATABASE_URL ? 'postgres' : 'pglite';

export interface TestDatabase {
  options: DatabaseOptions;
  drop(): Promise<void>;
}

/**
 * A database of the test's own: PGlite (in memory, or in a temporary directory when it must outlive
 * one process's handle), or a fresh PostgreSQL database on the TEST_DATABASE_URL server; dropped
 * afterwards.
 */
export async function createTestDatabase({ persistent = false } = {}): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) {
    if (!persistent) return { options: { kind: 'pglite', dataDir: 'memory://' }, drop: async () => {} };
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sessions-pglite-'));
    return { options: { kind: 'pglite', dataDir }, drop: () => rm(dataDir, { recursive: true, force: true }) };
  }
  const name = `sessions_test_${randomBytes(6).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = `/${name}`;
  return {
    options: { kind: 'postgres', url: url.toString(), poolSize: 5 },
    drop: () =>
      withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
