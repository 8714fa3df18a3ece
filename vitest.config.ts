import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:slow`, one file at a time: generated inputs by the hundred, retained-heap checks and
 * megabyte payloads (bad-input, isolation), and the tests that load the machine or time it: 100
 * concurrent writes on a small pool (concurrency), real processes and sockets stopped on a deadline
 * (shutdown), cross-instance delivery within a bound (subscriptions-redis), service processes started,
 * killed and kept through a 12 s Redis outage (hardening-process, hardening-redis).
 */
const SLOW = [
  'test/bad-input.test.ts',
  'test/isolation.test.ts',
  'test/concurrency.test.ts',
  'test/shutdown.test.ts',
  'test/subscriptions-redis.test.ts',
  'test/hardening-process.test.ts',
  'test/hardening-redis.test.ts',
];
/** Drives Debian's chromium against the running service: `npm run test:browser`. */
const BROWSER = ['test/browser/**/*.test.ts'];

// Node's on-disk cache of compiled code, for the worker processes and the processes tests start
// (the service, Hive Gateway), which load the same large dependency tree again and again.
process.env.NODE_COMPILE_CACHE ??= fileURLToPath(new URL('./node_modules/.cache/node-compile-cache', import.meta.url));

// The same suite runs on the embedded database (default) and, with TEST_DATABASE_URL set, on
// PostgreSQL. Every test file gets a database of its own, so files run in parallel; they mostly wait
// on the database, so more files run at once than there are cores.
export default defineConfig({
  resolve: {
    // Node loads graphql through its CommonJS entry (as the service does under tsx); without this,
    // Vite would hand our sources the ESM build and Yoga the CommonJS one: two GraphQLError classes.
    alias: [{ find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) }],
  },
  test: {
    globalSetup: ['test/support/pglite-template.ts'],
    // Hang detectors, not performance checks: generous, since files share two cores.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: Math.max(2, availableParallelism()),
    projects: [
      {
        extends: true,
        // Files share worker processes (each still has databases of its own): loading the service's
        // modules once per worker rather than once per file saves a third of the run's CPU time.
        // A file that changes process-wide state puts it back in its afterAll (tracing.test.ts).
        test: { name: 'default', include: ['test/**/*.test.ts'], exclude: [...SLOW, ...BROWSER], isolate: false },
      },
      { extends: true, test: { name: 'slow', include: SLOW, fileParallelism: false } },
      { extends: true, test: { name: 'browser', include: BROWSER } },
    ],
  },
});
