// `npm run bench`: seeds PostgreSQL, starts the service and the floor as their own processes, and
// loads them with autocannon. Prints one table and writes bench/RESULTS.md. Loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { pino } from 'pino';
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { encodeCursor } from '../src/graphql/schema/connection.js';
import { APPEND_MESSAGES, HISTORY_PAGE, NESTED_LIST, SESSIONS_PAGE, UPDATE_SESSION } from './queries.js';
import { DEFAULT_SEED, LISTED_AGENT, LISTED_USER, seed, type SeedOptions } from './seed.js';

const env = process.env;
const number = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const adminUrl = env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const duration = number('BENCH_DURATION', 10);
const connections = number('BENCH_CONNECTIONS', 10);
const seedOptions: SeedOptions = {
  listedSessions: number('BENCH_LISTED_SESSIONS', DEFAULT_SEED.listedSessions),
  otherSessions: number('BENCH_OTHER_SESSIONS', DEFAULT_SEED.otherSessions),
  messagesMin: number('BENCH_MESSAGES_MIN', DEFAULT_SEED.messagesMin),
  messagesMax: number('BENCH_MESSAGES_MAX', DEFAULT_SEED.messagesMax),
  longSessions: number('BENCH_LONG_SESSIONS', DEFAULT_SEED.longSessions),
  longMessages: number('BENCH_LONG_MESSAGES', DEFAULT_SEED.longMessages),
  tasksMax: number('BENCH_TASKS_MAX', DEFAULT_SEED.tasksMax),
};
const SERVICE_PORT = 4201;
const FLOOR_PORT = 4202;

const benchDatabase = new URL(adminUrl);
benchDatabase.pathname = '/sessions_bench';
const databaseUrl = benchDatabase.toString();

async function recreateDatabase() {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS sessions_bench WITH (FORCE)');
  await admin.query('CREATE DATABASE sessions_bench');
  await admin.end();
}

/** Node flags of the service: its heap bounded as a memory-limited deployment would bound it. */
const serviceNodeFlags = (env.BENCH_NODE_OPTIONS ?? '--max-old-space-size=128 --max-semi-space-size=4').split(' ').filter(Boolean);

function start(script: string, port: number, nodeFlags: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script], {
    env: { ...env, DATABASE_URL: databaseUrl, DATABASE_POOL_SIZE: '10', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', GRAPHIQL: 'false' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return child;
}

async function waitFor(url: string) {
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

/** Peak resident set size of a process, in MB (VmHWM: the high-water mark the kernel keeps). */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((entry) => entry.startsWith('VmHWM:'))!;
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

const graphqlBody = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });
const headers = { 'content-type': 'application/json', 'x-user-id': LISTED_USER };

interface Measured {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
}

const FLOOR_LIST = 'floor: nested list, 50 sessions (SQL + JSON.stringify)';
const SERVICE_LIST = 'service: nested list, 50 sessions';
const HISTORY_FIRST = 'service: history, first 200 messages';
const UPDATE = 'service: updateSession';
const APPEND = 'service: appendMessages (2 messages)';

async function load(name: string, options: { url: string; method?: 'GET' | 'POST'; body?: string }): Promise<Measured> {
  // One checked request first, on a connection of its own: a benchmark of errors measures nothing.
  const started = Date.now();
  const probe = await fetch(options.url, { method: options.method ?? 'POST', headers: { ...headers, connection: 'close' }, body: options.body, keepalive: false });
  const text = await probe.text();
  if (!probe.ok || text.includes('"errors"')) throw new Error(`${name}: ${probe.status} after ${Date.now() - started} ms ${text.slice(0, 500)}`);
  const result = await autocannon({ url: options.url, method: options.method ?? 'POST', headers, body: options.body, connections, duration });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return { name, requestsPerSecond: Math.round(result.requests.average), p50: result.latency.p50, p99: result.latency.p99 };
}

/** SQL statements one request costs, counted in-process on the same database. */
async function statementsPerRequest(requests: Array<{ query: string; variables: Record<string, unknown> }>): Promise<number[]> {
  const config = { ...loadConfig({ GRAPHIQL: 'false' }), database: { kind: 'postgres' as const, url: databaseUrl, poolSize: 2 } };
  const app = await createApp(config, pino({ level: 'silent' }));
  try {
    const counts: number[] = [];
    for (const { query, variables } of requests) {
      let count = 0;
      const stop = app.database.onStatement(() => count++);
      const response = await app.yoga.fetch('http://localhost/graphql', { method: 'POST', headers, body: graphqlBody(query, variables) });
      const text = await response.text();
      stop();
      if (text.includes('"errors"')) throw new Error(text.slice(0, 500));
      counts.push(count);
    }
    return counts;
  } finally {
    await app.close();
  }
}

async function main() {
  console.log(`benchmark: ${JSON.stringify(seedOptions)}, ${connections} connections, ${duration}s per run`);
  await recreateDatabase();
  const service = start('src/main.ts', SERVICE_PORT, serviceNodeFlags);
  const floor = start('bench/floor.ts', FLOOR_PORT);
  try {
    await waitFor(`http://127.0.0.1:${SERVICE_PORT}/ready`);
    const seedStarted = Date.now();
    const seeded = await seed(databaseUrl, seedOptions);
    console.log(`seeded ${seeded.sessions} sessions, ${seeded.messages} messages, ${seeded.tasks} tasks in ${((Date.now() - seedStarted) / 1000).toFixed(1)}s`);
    await waitFor(`http://127.0.0.1:${FLOOR_PORT}/health`);

    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    // The cursor of page 500 (20 per page): the last session of page 499, encoded as the service does.
    const pageStart = (
      await admin.query<{ updated_at: Date; id: string }>(
        'SELECT updated_at, id FROM sessions WHERE user_id = $1 AND agent_id = $2 ORDER BY updated_at DESC, id DESC OFFSET $3 LIMIT 1',
        [LISTED_USER, LISTED_AGENT, 499 * 20 - 1],
      )
    ).rows[0];
    const writeTarget = (await admin.query<{ id: string }>('SELECT id FROM sessions WHERE user_id = $1 ORDER BY id LIMIT 2', [LISTED_USER])).rows;
    await admin.end();
    const page500 = pageStart && encodeCursor(['updatedAt', pageStart.updated_at.toISOString(), pageStart.id]);
    const longSession = seeded.longSessionIds[0]!;
    const at9000 = encodeCursor([String(Math.min(9_000, seedOptions.longMessages - 200))]);

    const nested = (first: number) => ({ query: NESTED_LIST, variables: { agentId: LISTED_AGENT, first } });
    const graphqlUrl = `http://127.0.0.1:${SERVICE_PORT}/graphql`;
    const results: Measured[] = [];
    results.push(await load(FLOOR_LIST, { url: `http://127.0.0.1:${FLOOR_PORT}/?agentId=${LISTED_AGENT}&first=50`, method: 'GET' }));
    results.push(await load(SERVICE_LIST, { url: graphqlUrl, body: graphqlBody(NESTED_LIST, nested(50).variables) }));
    results.push(await load('service: sessions page 1 (20)', { url: graphqlUrl, body: graphqlBody(SESSIONS_PAGE, { agentId: LISTED_AGENT }) }));
    if (page500) results.push(await load('service: sessions page 500 (20)', { url: graphqlUrl, body: graphqlBody(SESSIONS_PAGE, { agentId: LISTED_AGENT, after: page500 }) }));
    results.push(await load(HISTORY_FIRST, { url: graphqlUrl, body: graphqlBody(HISTORY_PAGE, { id: longSession, agentId: LISTED_AGENT }) }));
    results.push(await load('service: history, 200 messages after message 9,000', { url: graphqlUrl, body: graphqlBody(HISTORY_PAGE, { id: longSession, agentId: LISTED_AGENT, after: at9000 }) }));
    results.push(await load(UPDATE, { url: graphqlUrl, body: graphqlBody(UPDATE_SESSION, { id: writeTarget[0]!.id, agentId: LISTED_AGENT }) }));
    results.push(await load(APPEND, { url: graphqlUrl, body: graphqlBody(APPEND_MESSAGES, { id: writeTarget[1]!.id, agentId: LISTED_AGENT }) }));

    const [for5, for50, historyStatements, updateStatements, appendStatements] = await statementsPerRequest([
      nested(5),
      nested(50),
      { query: HISTORY_PAGE, variables: { id: longSession, agentId: LISTED_AGENT } },
      { query: UPDATE_SESSION, variables: { id: writeTarget[0]!.id, agentId: LISTED_AGENT } },
      { query: APPEND_MESSAGES, variables: { id: writeTarget[1]!.id, agentId: LISTED_AGENT } },
    ]);
    const statements: Record<string, string | number> = {
      [FLOOR_LIST]: 4,
      [SERVICE_LIST]: `${for50} (5 sessions: ${for5})`,
      [HISTORY_FIRST]: historyStatements!,
      [UPDATE]: updateStatements!,
      [APPEND]: appendStatements!,
    };

    const rss = { service: peakRssMb(service.pid!), floor: peakRssMb(floor.pid!) };
    const byName = (prefix: string) => results.find((result) => result.name.startsWith(prefix));
    const ratio = (a?: Measured, b?: Measured, field: 'requestsPerSecond' | 'p50' = 'requestsPerSecond') => (a && b ? (a[field] / b[field]).toFixed(2) : 'n/a');
    const lines = [
      '| scenario | req/s | p50 ms | p99 ms | SQL statements / request |',
      '| --- | ---: | ---: | ---: | --- |',
      ...results.map((result) => `| ${result.name} | ${result.requestsPerSecond} | ${result.p50} | ${result.p99} | ${statements[result.name] ?? ''} |`),
      '',
      `- nested list throughput, service / floor: **${ratio(byName(SERVICE_LIST), byName(FLOOR_LIST))}** (target ≥ 0.5)`,
      `- sessions page 500 / page 1, p50 latency: **${ratio(byName('service: sessions page 500'), byName('service: sessions page 1'), 'p50')}** (target ≤ 1.5)`,
      `- history after message 9,000 / first page, p50 latency: **${ratio(byName('service: history, 200 messages after'), byName(HISTORY_FIRST), 'p50')}** (target ≤ 1.5)`,
      `- SQL statements for the nested list: ${for5} for 5 sessions, ${for50} for 50 (target: equal)`,
      `- peak RSS under load: service **${rss.service} MB**, floor ${rss.floor} MB (target < 300 MB)`,
    ];
    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${seeded.sessions} sessions / ${seeded.messages} messages / ${seeded.tasks} tasks, ${connections} connections × ${duration}s per run, service Node flags \`${serviceNodeFlags.join(' ') || 'none'}\`, PostgreSQL, the service and the load generator on the same machine`;
    console.log(`\n${lines.join('\n')}\n\n${machine}`);
    writeFileSync(
      new URL('./RESULTS.md', import.meta.url),
      `# Benchmark results\n\nLatest \`npm run bench\` (${new Date().toISOString().slice(0, 10)}): ${machine}.\n\n${lines.join('\n')}\n`,
    );
  } finally {
    service.kill('SIGTERM');
    floor.kill('SIGTERM');
  }
}

await main();
