// `npm run bench`: seeds PostgreSQL, starts three systems as their own processes over the same
// database — the service, PostGraphile 5 (amber preset, Grafast, on Node 22) and a raw-SQL floor —
// checks that they return the same rows, counts each request's SQL statements in PostgreSQL's own log,
// then loads them with autocannon in interleaved rounds. Prints one table and writes bench/RESULTS.md.
// Loopback only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readlinkSync,
  readSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import autocannon from 'autocannon';
import pg from 'pg';
import { encodeCursor } from '../src/graphql/schema/connection.js';
import {
  APPEND_FUNCTION,
  installPostGraphile,
  NODE_22,
  PG_APPEND_MESSAGES,
  PG_HISTORY_PAGE,
  PG_NESTED_LIST,
  PG_SESSIONS_PAGE,
  PG_UPDATE_SESSION,
  POSTGRAPHILE_SERVER,
} from './postgraphile.js';
import { APPEND_MESSAGES, HISTORY_PAGE, NESTED_LIST, SESSIONS_PAGE, UPDATE_SESSION } from './queries.js';
import { DEFAULT_SEED, LISTED_AGENT, LISTED_USER, seed, type SeedOptions } from './seed.js';

const env = process.env;
const number = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const adminUrl = env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const databaseName = env.BENCH_DATABASE_NAME ?? 'sessions_bench';
const duration = number('BENCH_DURATION', 5);
const rounds = number('BENCH_ROUNDS', 3);
const connections = number('BENCH_CONNECTIONS', 10);
/**
 * Sessions the append scenario writes in turn: one session would reach the service's context limit
 * (5,000 messages) within a run and be refused from then on.
 */
const APPEND_SESSIONS = 10;
/** Comma-separated parts of scenario names: only the scenarios naming one run (and RESULTS.md is left as it is). */
const scenarioFilter = env.BENCH_SCENARIOS?.split(',')
  .map((part) => part.trim())
  .filter(Boolean);
const seedOptions: SeedOptions = {
  listedSessions: number('BENCH_LISTED_SESSIONS', DEFAULT_SEED.listedSessions),
  otherSessions: number('BENCH_OTHER_SESSIONS', DEFAULT_SEED.otherSessions),
  messagesMin: number('BENCH_MESSAGES_MIN', DEFAULT_SEED.messagesMin),
  messagesMax: number('BENCH_MESSAGES_MAX', DEFAULT_SEED.messagesMax),
  longSessions: number('BENCH_LONG_SESSIONS', DEFAULT_SEED.longSessions),
  longMessages: number('BENCH_LONG_MESSAGES', DEFAULT_SEED.longMessages),
  shortMessages: number('BENCH_SHORT_MESSAGES', DEFAULT_SEED.shortMessages),
  tasksMax: number('BENCH_TASKS_MAX', DEFAULT_SEED.tasksMax),
};

if (!/^[a-z_][a-z0-9_]*$/.test(databaseName))
  throw new Error(`BENCH_DATABASE_NAME must be a plain lower-case identifier, not ${databaseName}`);
const benchDatabase = new URL(adminUrl);
benchDatabase.pathname = `/${databaseName}`;
const databaseUrl = benchDatabase.toString();

/** Written on the database the bench creates; the bench drops no database without it. */
const CREATED_BY_BENCH = 'created by npm run bench';

async function recreateDatabase() {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const existing = await admin.query<{ comment: string | null }>(
      `SELECT shobj_description(oid, 'pg_database') AS comment FROM pg_database WHERE datname = $1`,
      [databaseName],
    );
    if (existing.rows[0] && existing.rows[0].comment !== CREATED_BY_BENCH) {
      throw new Error(
        `database ${databaseName} exists and was not created by the bench: refusing to drop it (set BENCH_DATABASE_NAME to another name)`,
      );
    }
    await admin.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${databaseName}`);
    await admin.query(`COMMENT ON DATABASE ${databaseName} IS '${CREATED_BY_BENCH}'`);
  } finally {
    await admin.end();
  }
}

/* The three systems. */

type SystemName = 'service' | 'postgraphile' | 'floor';
const SYSTEMS: SystemName[] = ['service', 'postgraphile', 'floor'];
const ports: Record<SystemName, number> = {
  service: number('BENCH_SERVICE_PORT', 4201),
  floor: number('BENCH_FLOOR_PORT', 4202),
  postgraphile: number('BENCH_POSTGRAPHILE_PORT', 4203),
};
const base = (system: SystemName) => `http://127.0.0.1:${ports[system]}`;

/**
 * Node flags of the service: its old generation bounded as a memory-limited deployment would bound
 * it; the young generation is Node's default, as for the other two systems.
 */
const serviceNodeFlags = (env.BENCH_NODE_OPTIONS ?? '--max-old-space-size=128').split(' ').filter(Boolean);

/** Starts one system; with `logStatements`, its connections ask PostgreSQL to log every statement. */
function start(system: SystemName, logStatements: boolean): ChildProcess {
  const command =
    system === 'service'
      ? // As `npm start` runs it: compiled (see buildService), the tracing preload first.
        [process.execPath, ...serviceNodeFlags, '--import', './dist/telemetry/register.js', 'dist/main.js']
      : system === 'floor'
        ? [process.execPath, '--import', 'tsx', 'bench/floor.ts']
        : [NODE_22, POSTGRAPHILE_SERVER];
  return spawn(command[0]!, command.slice(1), {
    env: {
      ...env,
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '10',
      PORT: String(ports[system]),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      GRAPHIQL: 'false',
      GRAPHILE_ENV: 'production',
      // node-postgres (under Prisma's adapter and PostGraphile alike) sends PGOPTIONS at connect.
      ...(logStatements ? { PGOPTIONS: '-c log_statement=all' } : {}),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Compiles the service to dist/, which `npm start` runs. */
function buildService() {
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
}

async function stop(child: ChildProcess) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function waitFor(url: string) {
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

const healthPath: Record<SystemName, string> = { service: '/ready', postgraphile: '/health', floor: '/health' };

/** Peak resident set size of a process, in MB (VmHWM: the high-water mark the kernel keeps). */
function peakRssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmHWM:'))!;
  return Math.round(Number(line.split(/\s+/)[1]) / 1024);
}

/* Scenarios: one request per system, and what each returns, reduced to the rows' keys. */

interface Request {
  path: string;
  method: 'GET' | 'POST';
  body?: string;
}

interface Scenario {
  name: string;
  requests: Record<SystemName, Request>;
  /**
   * Under load, each request names the next of these sessions in turn where the requests name the
   * first (the same for every system).
   */
  rotateSessions?: string[];
  /** The keys of the rows a response holds, to check every system returns the same rows. */
  rows: Record<SystemName, (data: any) => string[]>;
  /** Run before each load run: every system starts from the same data. */
  reset?: () => Promise<void>;
}

const headers = { 'content-type': 'application/json', 'x-user-id': LISTED_USER };
const graphql = (query: string, variables: Record<string, unknown>): Request => ({
  path: '/graphql',
  method: 'POST',
  body: JSON.stringify({ query, variables }),
});
const floorGet = (path: string): Request => ({ path, method: 'GET' });
const floorPost = (path: string, body: unknown): Request => ({ path, method: 'POST', body: JSON.stringify(body) });

const ids = (nodes: Array<{ id?: string; rowId?: string }>) => nodes.map((node) => node.id ?? node.rowId!);
const nestedRows = {
  service: (data: any) =>
    data.sessions.edges.map(
      ({ node }: any) => `${node.id} ${node.version} ${ids(node.state.context)} ${ids(node.state.tasksContext.tasks)}`,
    ),
  floor: (data: any) =>
    data.sessions.edges.map(
      ({ node }: any) => `${node.id} ${node.version} ${ids(node.state.context)} ${ids(node.state.tasksContext.tasks)}`,
    ),
  postgraphile: (data: any) =>
    data.allSessions.nodes.map(
      (node: any) =>
        `${node.rowId} ${node.version} ${ids(node.messagesBySessionId.nodes)} ${ids(node.tasksBySessionId.nodes)}`,
    ),
};
const sessionsPageRows = {
  service: (data: any) => data.sessions.edges.map(({ node }: any) => node.id),
  floor: (data: any) => data.sessions.edges.map(({ node }: any) => node.id),
  postgraphile: (data: any) => data.allSessions.edges.map(({ node }: any) => node.rowId),
};
const historyRows = {
  service: (data: any) => data.session.messages.edges.map(({ node }: any) => node.id),
  floor: (data: any) => data.session.messages.edges.map(({ node }: any) => node.id),
  postgraphile: (data: any) => data.allSessions.nodes[0].messagesBySessionId.edges.map(({ node }: any) => node.rowId),
};
/** The written session's id; a typed failure (a 200 with an error payload) stops the bench. */
const writeRows = (serviceField: string) => ({
  service: (data: any) => {
    const result = data[serviceField];
    if (!result?.session) throw new Error(`service ${serviceField}: ${result?.__typename} ${result?.message ?? ''}`);
    return [result.session.id];
  },
  floor: (data: any) => [(data.updateSession ?? data.appendMessages).id],
  postgraphile: (data: any) => [
    (data.updateSessionByRowId?.session ?? data.postgraphileBenchAppendMessages.result).rowId,
  ],
});

async function send(system: SystemName, request: Request, connection?: 'close'): Promise<any> {
  const response = await fetch(base(system) + request.path, {
    method: request.method,
    headers: connection ? { ...headers, connection } : headers,
    body: request.body,
  });
  const text = await response.text();
  if (!response.ok || text.includes('"errors"'))
    throw new Error(`${system} ${request.path}: ${response.status} ${text.slice(0, 500)}`);
  return JSON.parse(text).data;
}

/* Statements per request, from PostgreSQL's own log. */

/** The server's log file: BENCH_POSTGRES_LOG, the collector's current file, or the postmaster's stderr. */
async function postgresLogPath(): Promise<string | null> {
  if (env.BENCH_POSTGRES_LOG) return env.BENCH_POSTGRES_LOG;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ file: string | null; dir: string; pid: string }>(
      `SELECT pg_current_logfile() AS file, current_setting('data_directory') AS dir, split_part(pg_read_file('postmaster.pid'), E'\\n', 1) AS pid`,
    );
    const { file, dir, pid } = rows[0]!;
    const path = file ? (file.startsWith('/') ? file : `${dir}/${file}`) : readlinkSync(`/proc/${pid}/fd/2`);
    readFileSync(path, { flag: 'r' }).length;
    return path;
  } catch (error) {
    console.warn(
      `statement counts skipped: PostgreSQL's log is not readable here (${(error as Error).message}); set BENCH_POSTGRES_LOG`,
    );
    return null;
  } finally {
    await admin.end();
  }
}

function readFrom(path: string, offset: number): string {
  const size = statSync(path).size;
  const buffer = Buffer.alloc(Math.max(0, size - offset));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  return buffer.toString('utf8');
}

/** Statements `request` costs, averaged over a few sequential requests: log lines of this database. */
async function countStatements(logPath: string, system: SystemName, request: Request): Promise<number> {
  const repeats = 4;
  const offset = statSync(logPath).size;
  for (let index = 0; index < repeats; index++) await send(system, request);
  await new Promise((resolve) => setTimeout(resolve, 300));
  const logged = readFrom(logPath, offset)
    .split('\n')
    .filter((line) => line.includes(`@${databaseName} `) && /LOG: {2}(statement|execute [^:]*):/.test(line));
  return Math.round((logged.length / repeats) * 10) / 10;
}

/* Load. */

const ANALYSIS_HEADING = '## Analysis';

interface Run {
  requestsPerSecond: number;
  p50: number;
}

async function load(system: SystemName, request: Request, rotateSessions: string[] = []): Promise<Run> {
  let next = 0;
  const rotated = (text: string) => text.replaceAll(rotateSessions[0]!, rotateSessions[next % rotateSessions.length]!);
  const result = await autocannon({
    url: base(system) + request.path,
    method: request.method,
    headers,
    body: request.body,
    connections,
    duration,
    ...(rotateSessions.length > 1 && {
      requests: [
        {
          setupRequest: (sent) => {
            next++;
            return { ...sent, path: rotated(sent.path ?? request.path), body: rotated(String(sent.body ?? '')) };
          },
        },
      ],
    }),
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${system} ${request.path}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return { requestsPerSecond: result.requests.average, p50: result.latency.p50 };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const spread = (values: number[], digits = 0) =>
  `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

async function buildScenarios(seeded: Awaited<ReturnType<typeof seed>>): Promise<Scenario[]> {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  const [updateTarget, ...appendTargets] = (
    await admin.query<{ id: string }>('SELECT id FROM sessions WHERE user_id = $1 ORDER BY id LIMIT $2', [
      LISTED_USER,
      1 + APPEND_SESSIONS,
    ])
  ).rows.map((row) => row.id) as [string, ...string[]];
  const appendTarget = appendTargets[0]!;
  const owner = { userId: LISTED_USER, agentId: LISTED_AGENT };

  // The messages the floor and PostGraphile append: what the service stores for APPEND_MESSAGES. (First:
  // the append moves its session to the top of the list, and the page-500 cursors must see that list.)
  await send('service', graphql(APPEND_MESSAGES, { id: appendTarget, agentId: LISTED_AGENT }));
  const stored = (
    await admin.query<{ name: string; role: string; content: unknown }>(
      'SELECT name, role, content FROM messages WHERE session_id = $1 ORDER BY seq DESC LIMIT 2',
      [appendTarget],
    )
  ).rows.reverse();
  // Appends would otherwise pile up in the contexts, past the service's context limit: each load run of
  // the append scenario starts from the histories as they are now.
  const appendBases = (
    await admin.query<{ id: string; seq: number }>(
      'SELECT session_id AS id, max(seq) AS seq FROM messages WHERE session_id = ANY($1) GROUP BY session_id',
      [appendTargets],
    )
  ).rows;
  const resetAppends = async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    for (const { id, seq } of appendBases) {
      await client.query('DELETE FROM messages WHERE session_id = $1 AND seq > $2', [id, seq]);
      // The context's size kept on the row (last_seq stays: sequence numbers are never reused).
      await client.query(
        'UPDATE sessions SET context_size = (SELECT count(*) FROM messages WHERE session_id = $1 AND in_context) WHERE id = $1',
        [id],
      );
    }
    await client.end();
  };
  // The session where page 500 (20 per page) starts: the last one of page 499.
  const pageStart = (
    await admin.query<{ updated_at: Date; id: string }>(
      'SELECT updated_at, id FROM sessions WHERE user_id = $1 AND agent_id = $2 ORDER BY updated_at DESC, id DESC OFFSET $3 LIMIT 1',
      [LISTED_USER, LISTED_AGENT, 499 * 20 - 1],
    )
  ).rows[0];
  await admin.end();

  const longSession = seeded.longSessionIds[0]!;
  const deepSeq = Math.min(9_000, seedOptions.longMessages - 200);
  // PostGraphile's own cursors, for the same rows as the service's keyset cursors.
  const pgCursor = async (query: string, variables: Record<string, unknown>, pick: (data: any) => string) =>
    pick(await send('postgraphile', graphql(query, variables)));
  const pgPage500 = pageStart
    ? await pgCursor(
        PG_SESSIONS_PAGE,
        { ...owner, offset: 499 * 20 - 1, first: 1 },
        (data) => data.allSessions.edges[0].cursor,
      )
    : null;
  const pgDeep = await pgCursor(
    PG_HISTORY_PAGE,
    { ...owner, id: longSession, offset: deepSeq - 1, first: 1 },
    (data) => data.allSessions.nodes[0].messagesBySessionId.edges[0].cursor,
  );

  const nested = (first: number): Scenario => ({
    name: `nested list, ${first} sessions`,
    requests: {
      service: graphql(NESTED_LIST, { agentId: LISTED_AGENT, first }),
      postgraphile: graphql(PG_NESTED_LIST, { ...owner, first }),
      floor: floorGet(`/list?agentId=${LISTED_AGENT}&first=${first}`),
    },
    rows: nestedRows,
  });
  const history = (
    name: string,
    session: string,
    first: number,
    after: { seq: number; pgCursor: string } | null,
  ): Scenario => ({
    name,
    requests: {
      service: graphql(HISTORY_PAGE, {
        id: session,
        agentId: LISTED_AGENT,
        first,
        after: after && encodeCursor([String(after.seq)]),
      }),
      postgraphile: graphql(PG_HISTORY_PAGE, { ...owner, id: session, first, after: after?.pgCursor ?? null }),
      floor: floorGet(`/history?agentId=${LISTED_AGENT}&id=${session}&first=${first}&afterSeq=${after?.seq ?? 0}`),
    },
    rows: historyRows,
  });
  const sessionsPage = (name: string, start: typeof pageStart | null, pgAfter: string | null): Scenario => ({
    name,
    requests: {
      service: graphql(SESSIONS_PAGE, {
        agentId: LISTED_AGENT,
        after: start ? encodeCursor(['updatedAt', start.updated_at.toISOString(), start.id]) : null,
      }),
      postgraphile: graphql(PG_SESSIONS_PAGE, { ...owner, after: pgAfter }),
      floor: floorGet(
        `/sessions?agentId=${LISTED_AGENT}${start ? `&afterUpdatedAt=${encodeURIComponent(start.updated_at.toISOString())}&afterId=${start.id}` : ''}`,
      ),
    },
    rows: sessionsPageRows,
  });

  return [
    nested(50),
    nested(5),
    sessionsPage('sessions page 1 (20)', null, null),
    ...(pageStart ? [sessionsPage('sessions page 500 (20)', pageStart, pgPage500)] : []),
    history(`history: first 200 of ${seedOptions.longMessages.toLocaleString('en')}`, longSession, 200, null),
    history(`history: 200 after message ${deepSeq.toLocaleString('en')}`, longSession, 200, {
      seq: deepSeq,
      pgCursor: pgDeep,
    }),
    history(`history: first 100 of ${seedOptions.longMessages.toLocaleString('en')}`, longSession, 100, null),
    history(`history: first 100 of ${seedOptions.shortMessages}`, seeded.shortSessionId, 100, null),
    {
      name: 'updateSession (rename)',
      requests: {
        service: graphql(UPDATE_SESSION, { id: updateTarget, agentId: LISTED_AGENT }),
        postgraphile: graphql(PG_UPDATE_SESSION, { id: updateTarget }),
        floor: floorPost(`/update?agentId=${LISTED_AGENT}&id=${updateTarget}`, { name: 'renamed by the benchmark' }),
      },
      rows: writeRows('updateSession'),
    },
    {
      name: `appendMessages (2 messages, ${APPEND_SESSIONS} sessions in turn)`,
      requests: {
        service: graphql(APPEND_MESSAGES, { id: appendTarget, agentId: LISTED_AGENT }),
        postgraphile: graphql(PG_APPEND_MESSAGES, { ...owner, id: appendTarget, messages: stored }),
        floor: floorPost(`/append?agentId=${LISTED_AGENT}&id=${appendTarget}`, { messages: stored }),
      },
      rows: writeRows('appendSessionMessages'),
      reset: resetAppends,
      rotateSessions: appendTargets,
    },
  ];
}

/** Every system returns the same rows for every scenario, or the bench stops: unequal work measures nothing. */
async function checkSameRows(scenarios: Scenario[]) {
  for (const scenario of scenarios) {
    const [reference, ...others] = await Promise.all(
      SYSTEMS.map(async (system) => ({
        system,
        rows: scenario.rows[system](await send(system, scenario.requests[system], 'close')),
      })),
    );
    if (reference!.rows.length === 0) throw new Error(`${scenario.name}: the service returned no rows`);
    for (const other of others) {
      // Versions move under writes; the list compares them only when nothing else wrote meanwhile.
      if (JSON.stringify(other.rows) !== JSON.stringify(reference!.rows)) {
        throw new Error(
          `${scenario.name}: ${other.system} returned other rows than the service\n${other.rows.slice(0, 3)}\n${reference!.rows.slice(0, 3)}`,
        );
      }
    }
  }
}

/** Fails when something already listens on a system's port: the bench would measure a stranger. */
async function assertPortsFree() {
  for (const system of SYSTEMS) {
    const listening = await fetch(base(system)).then(
      () => true,
      () => false,
    );
    if (listening)
      throw new Error(
        `port ${ports[system]} (${system}) is in use: set BENCH_${system.toUpperCase()}_PORT to a free port`,
      );
  }
}

async function startAll(logStatements: boolean): Promise<Record<SystemName, ChildProcess>> {
  await assertPortsFree();
  const children = Object.fromEntries(SYSTEMS.map((system) => [system, start(system, logStatements)])) as Record<
    SystemName,
    ChildProcess
  >;
  await Promise.all(SYSTEMS.map((system) => waitFor(base(system) + healthPath[system])));
  return children;
}

async function main() {
  console.log(
    `benchmark: ${JSON.stringify(seedOptions)}, database ${databaseName}, ${connections} connections, ${rounds} interleaved rounds of ${duration}s per system and scenario`,
  );
  installPostGraphile();
  buildService();
  await recreateDatabase();

  // The service migrates the new database; then the seed, and the function PostGraphile's append needs.
  await assertPortsFree();
  const migrating = start('service', false);
  let seeded!: Awaited<ReturnType<typeof seed>>;
  try {
    await waitFor(base('service') + healthPath.service);
    const seedStarted = Date.now();
    seeded = await seed(databaseUrl, seedOptions);
    console.log(
      `seeded ${seeded.sessions} sessions, ${seeded.messages} messages, ${seeded.tasks} tasks in ${((Date.now() - seedStarted) / 1000).toFixed(1)}s`,
    );
  } finally {
    await stop(migrating);
  }
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(APPEND_FUNCTION);
  await admin.end();

  // Phase 1: same rows, and statements per request from PostgreSQL's log (systems logging every statement).
  const logPath = await postgresLogPath();
  let scenarios!: Scenario[];
  const statements = new Map<string, Record<SystemName, number>>();
  let children = await startAll(logPath !== null);
  try {
    scenarios = (await buildScenarios(seeded)).filter(
      (scenario) => !scenarioFilter || scenarioFilter.some((part) => scenario.name.includes(part)),
    );
    if (scenarios.length === 0) throw new Error(`BENCH_SCENARIOS=${env.BENCH_SCENARIOS} names no scenario`);
    await checkSameRows(scenarios);
    console.log('same rows from every system: checked');
    if (logPath) {
      for (const scenario of scenarios) {
        const counts = {} as Record<SystemName, number>;
        for (const system of SYSTEMS)
          counts[system] = await countStatements(logPath, system, scenario.requests[system]);
        statements.set(scenario.name, counts);
      }
    }
  } finally {
    await Promise.all(SYSTEMS.map((system) => stop(children[system])));
  }

  // Phase 2: load, fresh processes without statement logging, interleaved: every round runs every
  // scenario on every system in turn (the order rotating), so a noisy neighbour hits all three alike.
  const runs = new Map<string, Record<SystemName, Run[]>>(
    scenarios.map((scenario) => [scenario.name, { service: [], postgraphile: [], floor: [] }]),
  );
  children = await startAll(false);
  let rss!: Record<SystemName, number>;
  try {
    // One warm-up pass: JIT, connection pools and caches.
    for (const scenario of scenarios) {
      for (const system of SYSTEMS) {
        const { path, method, body } = scenario.requests[system];
        await scenario.reset?.();
        await autocannon({ url: base(system) + path, method, headers, body, connections, duration: 1 });
      }
    }
    for (let round = 0; round < rounds; round++) {
      const order = SYSTEMS.map((_, index) => SYSTEMS[(index + round) % SYSTEMS.length]!);
      for (const scenario of scenarios) {
        for (const system of order) {
          await scenario.reset?.();
          runs.get(scenario.name)![system].push(await load(system, scenario.requests[system], scenario.rotateSessions));
          // Still answering with rows after the load (autocannon sees only status codes).
          scenario.rows[system](await send(system, scenario.requests[system]));
        }
      }
      console.log(`round ${round + 1}/${rounds} done`);
    }
    rss = Object.fromEntries(SYSTEMS.map((system) => [system, peakRssMb(children[system].pid!)])) as Record<
      SystemName,
      number
    >;
  } finally {
    await Promise.all(SYSTEMS.map((system) => stop(children[system])));
  }

  const table = [
    '| scenario | service req/s | PostGraphile req/s | floor req/s | service p50 ms | PostGraphile p50 ms | floor p50 ms | service / PostGraphile | service / floor | SQL statements (service / PostGraphile / floor) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...scenarios.map((scenario) => {
      const measured = runs.get(scenario.name)!;
      const rps = (system: SystemName) => measured[system].map((run) => run.requestsPerSecond);
      const p50 = (system: SystemName) => measured[system].map((run) => run.p50);
      // Ratios per round (the three systems ran back to back), then their median and range.
      const ratio = (other: SystemName) =>
        spread(
          measured.service.map((run, index) => run.requestsPerSecond / measured[other][index]!.requestsPerSecond),
          2,
        );
      const counted = statements.get(scenario.name);
      return `| ${scenario.name} | ${spread(rps('service'))} | ${spread(rps('postgraphile'))} | ${spread(rps('floor'))} | ${median(p50('service'))} | ${median(p50('postgraphile'))} | ${median(p50('floor'))} | **${ratio('postgraphile')}** | **${ratio('floor')}** | ${counted ? SYSTEMS.map((system) => counted[system]).join(' / ') : 'n/a'} |`;
    }),
  ];
  const firstPage = (name: string) => median(runs.get(name)!.service.map((run) => run.requestsPerSecond));
  const long100 = `history: first 100 of ${seedOptions.longMessages.toLocaleString('en')}`;
  const short100 = `history: first 100 of ${seedOptions.shortMessages}`;
  const summary = [
    ...(runs.has(long100) && runs.has(short100)
      ? [
          `- history first page (100 messages) at ${seedOptions.longMessages.toLocaleString('en')} messages vs at ${seedOptions.shortMessages}, service throughput: **${(firstPage(short100) / firstPage(long100)).toFixed(2)}×** the cost (target ≤ 1.2)`,
        ]
      : []),
    `- peak RSS under load: service **${rss.service} MB**, PostGraphile ${rss.postgraphile} MB, floor ${rss.floor} MB (target < 250 MB for the service)`,
  ];
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, service and floor on Node ${process.version}, PostGraphile on Node 22 (${NODE_22.replace(`${process.cwd()}/`, '')}), ${seeded.sessions} sessions / ${seeded.messages} messages / ${seeded.tasks} tasks, ${connections} connections, ${rounds} interleaved rounds × ${duration}s per system and scenario, service Node flags \`${serviceNodeFlags.join(' ') || 'none'}\` (PostGraphile and floor: Node defaults), PostgreSQL ${databaseName}, all systems, PostgreSQL and the load generator on the same machine`;
  const legend =
    'req/s: median of the rounds (min–max). Ratios: service req/s over the other system’s, per round, median (min–max). SQL statements: per request, counted from PostgreSQL’s log (`log_statement=all` on the systems’ own connections; BEGIN/COMMIT included).';
  const report = `${table.join('\n')}\n\n${summary.join('\n')}\n\n${legend}\n\n${machine}`;
  console.log(`\n${report}`);
  if (scenarioFilter) return;
  // The hand-written analysis below the measured part (from its heading on) is kept.
  const resultsFile = new URL('./RESULTS.md', import.meta.url);
  const previous = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
  const analysis = previous.includes(ANALYSIS_HEADING) ? previous.slice(previous.indexOf(ANALYSIS_HEADING)) : '';
  writeFileSync(
    resultsFile,
    `# Benchmark results\n\nLatest \`npm run bench\` (${new Date().toISOString().slice(0, 10)}).\n\n${report}\n${analysis && `\n${analysis}`}`,
  );
}

await main();
