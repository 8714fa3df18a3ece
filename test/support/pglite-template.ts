import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A data directory fresh from PGlite's initdb that test databases start as copies of; null on PostgreSQL. */
    pgliteTemplate: string | null;
  }
}

/**
 * Where test data directories go: in memory (tmpfs) where there is one, since PGlite syncs its files
 * as PostgreSQL does and on a disk that is real I/O, a third of a file's CPU time in a test run.
 */
export const PGLITE_SCRATCH_DIR = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/**
 * Vitest global setup. Starting PGlite on an empty directory runs initdb, seconds of CPU each time;
 * resuming a copy of an initialised directory costs a fraction of that. So initdb runs once per run
 * and each test database is a copy of its result: no schema in it yet, the service migrates it on
 * start as it would a new DATA_DIR.
 */
export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('pgliteTemplate', null);
    return;
  }
  const dataDir = await mkdtemp(path.join(PGLITE_SCRATCH_DIR, 'sessions-pglite-template-'));
  const { PGlite } = await import('@electric-sql/pglite');
  await (await PGlite.create(dataDir)).close();
  project.provide('pgliteTemplate', dataDir);
  return () => rm(dataDir, { recursive: true, force: true });
}
