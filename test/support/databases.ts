import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseOptions } from '../../src/db/database.js';
import { PGLITE_SCRATCH_DIR } from './pglite-template.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL || undefined;
export const databaseKind = TEST_DATABASE_URL ? 'postgres' : 'pglite';

export interface TestDatabase {
  options: DatabaseOptions;
  drop(): Promise<void>;
}

/**
 * A database of the test's own, empty (no schema), dropped afterwards: a PGlite data directory (a
 * temporary copy of the run's initdb result, see pglite-template.ts, which outlives one process's
 * handle as DATA_DIR does), or a fresh PostgreSQL database on the TEST_DATABASE_URL server.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (!TEST_DATABASE_URL) {
    const dataDir = await mkdtemp(path.join(PGLITE_SCRATCH_DIR, 'sessions-pglite-'));
    await promisify(execFile)('cp', ['-R', `${inject('pgliteTemplate')}/.`, dataDir]);
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
