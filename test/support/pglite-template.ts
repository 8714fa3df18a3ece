import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

const NODE_MODULES = fileURLToPath(new URL('../../node_modules', import.meta.url));
const CACHE_DIR = path.join(NODE_MODULES, '.cache');

/**
 * Vitest global setup. Starting PGlite on an empty directory runs initdb, seconds of CPU each time;
 * resuming a copy of an initialised directory costs a fraction of that. So initdb runs once per
 * installed PGlite version (kept in node_modules/.cache) and each test database is a copy of its
 * result: no schema in it yet, the service migrates it on start as it would a new DATA_DIR.
 */
export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('pgliteTemplate', null);
    return;
  }
  const pglitePackage = path.join(NODE_MODULES, '@electric-sql/pglite/package.json');
  const { version } = JSON.parse(await readFile(pglitePackage, 'utf8')) as { version: string };
  const template = path.join(CACHE_DIR, `pglite-initdb-${version}`);
  if (!existsSync(path.join(template, 'PG_VERSION'))) {
    // Built aside and renamed into place, so a concurrent or interrupted run never sees half of one.
    await mkdir(CACHE_DIR, { recursive: true });
    const building = await mkdtemp(`${template}-`);
    const { PGlite } = await import('@electric-sql/pglite');
    await (await PGlite.create(building)).close();
    await rename(building, template).catch(() => rm(building, { recursive: true, force: true }));
  }
  project.provide('pgliteTemplate', template);
}
