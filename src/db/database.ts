import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { PrismaPGlite } from 'pglite-prisma-adapter';
import { NotConnectedError } from './availability.js';
import { PrismaClient } from './generated/client.js';
import type { SqlConnection } from './sql.js';

export type DatabaseOptions =
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      /** Opening one connection: longer means the database is unreachable. */
      connectTimeoutMs?: number;
      /** Waiting for a pooled connection while all are busy: queueing under load, not an outage. */
      poolWaitTimeoutMs?: number;
      queryTimeoutMs?: number;
      /**
       * Send the service's reads and one-statement writes as named prepared statements, so each
       * connection parses and plans them once. Off for a pooler that shares connections between
       * clients per transaction without tracking prepared statements.
       */
      preparedStatements?: boolean;
    }
  | { kind: 'pglite'; dataDir: string };

/** Called once for every SQL statement sent, through Prisma or `query` (tests count them). */
export type StatementListener = (sql: string) => void;

/**
 * One parameterised read straight through the driver, rows as the driver returns them (snake_case
 * columns, JSON parsed). For the hot batch reads, where Prisma's per-row result processing shows.
 */
export type RawQuery = <Row>(sql: string, params: unknown[]) => Promise<Row[]>;

export interface Database {
  readonly kind: DatabaseOptions['kind'];
  readonly prisma: PrismaClient;
  readonly query: RawQuery;
  /** A connection of its own for raw SQL; release it when done. */
  connect(): Promise<SqlConnection>;
  onStatement(listener: StatementListener): () => void;
  /** Connection pool numbers (PostgreSQL); null for the single-connection embedded database. */
  poolStats(): PoolStats | null;
  close(): Promise<void>;
}

export interface PoolStats {
  max: number;
  total: number;
  idle: number;
  /** Requests queued for a connection. */
  waiting: number;
}

/** Opens the embedded PGlite store or a PostgreSQL pool, with a Prisma client over it. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const driver = options.kind === 'postgres' ? postgresDriver(options) : await pgliteDriver(options.dataDir);
  const prisma = new PrismaClient({
    adapter: driver.adapter,
    log: [{ emit: 'event', level: 'query' }],
    // A whole-state replacement of thousands of messages on a loaded machine outlasts Prisma's 5 s
    // default; the per-operation timeout (OPERATION_TIMEOUT_MS) bounds requests anyway.
    transactionOptions: { maxWait: 5_000, timeout: 30_000 },
  });
  const listeners = new Set<StatementListener>();
  let closing: Promise<void> | undefined;
  prisma.$on('query', (event) => {
    for (const listener of listeners) listener(event.query);
  });
  return {
    kind: options.kind,
    prisma,
    query(sql, params) {
      for (const listener of listeners) listener(sql);
      return driver.query(sql, params);
    },
    connect: driver.connect,
    onStatement(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    poolStats: driver.poolStats,
    // Idempotent: shutdown paths may race (a signal during a failing request, tests pulling the plug).
    close() {
      closing ??= prisma.$disconnect().then(() => driver.close());
      return closing;
    },
  };
}

interface Driver {
  adapter: PrismaPg | PrismaPGlite;
  query: RawQuery;
  connect(): Promise<SqlConnection>;
  poolStats(): PoolStats | null;
  close(): Promise<void>;
}

function postgresDriver({
  url,
  poolSize = 10,
  connectTimeoutMs = 2_000,
  poolWaitTimeoutMs = 10_000,
  queryTimeoutMs = 15_000,
  preparedStatements = true,
}: Extract<DatabaseOptions, { kind: 'postgres' }>): Driver {
  // Bounded waits: with the database gone, a request fails within these instead of hanging, and
  // the pool drops broken connections and opens new ones once the database is back. pg uses one
  // setting, connectionTimeoutMillis, for both opening a connection and waiting for a free one;
  // the two are told apart here: the pool's is the wait for a slot (a burst of slow writes larger
  // than the pool queues, it is no outage), each connection's own is the connect timeout.
  const Client = class extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: connectTimeoutMs });
    }
  };
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: Math.max(poolWaitTimeoutMs, connectTimeoutMs),
    query_timeout: queryTimeoutMs,
    Client,
  });
  // An idle connection that breaks (database restarted) is dropped by the pool; without a listener
  // its 'error' event would end the process.
  pool.on('error', () => {});
  const statement = preparedStatements ? preparedStatementOf : (text: string, values: unknown[]) => ({ text, values });
  return {
    poolStats: () => ({ max: poolSize, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    adapter: new PrismaPg(pool),
    // As pool.query, with the connection checked out first: failing to get one means the statement
    // was never sent (NotConnectedError), which a write outside a transaction needs to know.
    async query<Row>(sql: string, params: unknown[]) {
      const client = await pool.connect().catch((error: unknown) => {
        throw new NotConnectedError(error);
      });
      // A connection that breaks mid-statement also emits 'error'; the statement's rejection reports it.
      const ignore = () => {};
      client.on('error', ignore);
      try {
        const { rows } = await client.query(statement(sql, params));
        client.release();
        return rows as Row[];
      } catch (error) {
        client.release(error as Error);
        throw error;
      } finally {
        client.off('error', ignore);
      }
    },
    async connect() {
      const client = await pool.connect();
      return {
        query: async <Row>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as Row[],
        exec: async (script) => {
          await client.query(script);
        },
        release: async () => client.release(),
      };
    },
    close: () => pool.end(),
  };
}

/**
 * Names for the statement texts `query` sends. The texts come from the code, never from a request
 * (values are parameters), so there are few; the bound only keeps a mistake from preparing without
 * end on every connection. Beyond it a text is sent unnamed, parsed each time.
 */
const statementNames = new Map<string, string>();
const MAX_PREPARED_STATEMENTS = 200;

function preparedStatementOf(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_PREPARED_STATEMENTS) {
    name = `agent_sessions_${statementNames.size}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}

async function pgliteDriver(dataDir: string): Promise<Driver> {
  const unlock = dataDir.includes('://') ? async () => {} : await lockDataDir(dataDir);
  // Loaded only when used: the embedded database's module alone weighs ~40 MB of memory.
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('pglite-prisma-adapter'),
  ]);
  let pglite: InstanceType<typeof PGlite>;
  try {
    pglite = await PGlite.create(dataDir);
  } catch (error) {
    await unlock();
    throw error;
  }
  return {
    adapter: new PrismaPGlite(pglite),
    query: async <Row>(sql: string, params: unknown[]) => (await pglite.query<Row>(sql, params)).rows,
    poolStats: () => null,
    // PGlite is a single connection: raw SQL shares it, so callers run it before serving traffic.
    async connect() {
      return {
        query: async <Row>(sql: string, params?: unknown[]) => (await pglite.query<Row>(sql, params)).rows,
        exec: async (script) => {
          await pglite.exec(script);
        },
        release: async () => {},
      };
    },
    close: () => pglite.close().finally(unlock),
  };
}

export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/**
 * The embedded database is one process's: a second process on the same DATA_DIR would keep its own
 * copy in memory and the two would overwrite each other's writes. A lock file names the holder
 * (pid and host); a lock left by a process that no longer runs (a crash) is taken over. Resolves
 * with the release.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  await mkdir(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'agent-sessions.lock');
  const owner = { pid: process.pid, host: hostname() };
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(JSON.stringify(owner));
      await handle.close();
      return () => unlink(lockFile).catch(() => {});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const holder = await readFile(lockFile, 'utf8')
      .then((text) => JSON.parse(text) as Partial<typeof owner>)
      .catch(() => ({}) as Partial<typeof owner>);
    if (typeof holder.pid === 'number' && (holder.host !== owner.host || isRunning(holder.pid))) {
      throw new DataDirInUseError(
        `DATA_DIR ${dataDir} is in use by another process (pid ${holder.pid} on ${holder.host}): the embedded database serves one process only, ` +
          `or writes are lost. Stop that process, give this one its own DATA_DIR, or share PostgreSQL (DATABASE_URL) between instances. ` +
          `If no such process runs, delete ${lockFile}.`,
      );
    }
    // Left behind by a process that is gone (a crash): take it over.
    await unlink(lockFile).catch(() => {});
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
