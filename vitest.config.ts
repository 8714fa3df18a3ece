import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The same suite runs on the embedded database (default) and, with TEST_DATABASE_URL set, on
// PostgreSQL; every test file gets a database of its own, so files run in parallel.
export default defineConfig({
  resolve: {
    // Node loads graphql through its CommonJS entry (as the service does under tsx); without this,
    // Vite would hand our sources the ESM build and Yoga the CommonJS one: two GraphQLError classes.
    alias: [{ find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
