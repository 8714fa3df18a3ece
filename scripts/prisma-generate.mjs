// Generates the Prisma client (src/db/generated) on `npm install`, online or offline.
// `prisma generate` never runs the native schema engine, but the CLI still tries to download one
// unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file; pointing it at node itself makes the
// step work without network access and changes nothing where the engine is available.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
};
execFileSync(process.execPath, [require.resolve('prisma/build/index.js'), 'generate'], { stdio: 'inherit', env });
