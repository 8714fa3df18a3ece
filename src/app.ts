import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { applyMigrations, readMigrations } from './db/migrate.js';
import { inProcessTransport, openRedisTransport } from './graphql/event-transport.js';
import { createSessionSubscriptions, type SessionSubscriptions } from './graphql/subscriptions.js';
import { createFederatedReferenceCheck } from './http/federated-references.js';
import { createGraphiQLPage } from './http/graphiql.js';
import { createCallerResolver } from './http/identity.js';
import { createMetrics } from './http/metrics.js';
import { useAllowListedOperations } from './http/persisted-operations.js';
import { createYogaServer, type YogaServer } from './http/yoga.js';
import type { Logger } from './logger.js';
import { referenceCheckOff, type ReferenceCheck } from './sessions/references.js';
import { SessionService } from './sessions/service.js';
import { SessionStore } from './sessions/store.js';

export type AppConfig = Pick<
  Config,
  | 'database'
  | 'graphiql'
  | 'introspection'
  | 'auth'
  | 'limits'
  | 'persistedOperationsFile'
  | 'metrics'
  | 'subscriptions'
  | 'references'
  | 'tracing'
>;

export interface App {
  yoga: YogaServer;
  database: Database;
  subscriptions: SessionSubscriptions;
  /** From now on /ready fails, so load balancers stop sending traffic while in-flight requests finish. */
  beginDrain(): void;
  close(): Promise<void>;
}

/** Opens the database, brings its schema up to date, and builds the GraphQL server over it. */
export async function createApp(config: AppConfig, logger: Logger): Promise<App> {
  // Configuration files first: a bad one should stop start-up before the database is touched.
  const resolveCaller = await createCallerResolver(config.auth);
  const persistedOperations = config.persistedOperationsFile
    ? await useAllowListedOperations(config.persistedOperationsFile)
    : null;
  const migrations = await readMigrations();
  const database = await openDatabase(config.database);
  try {
    const connection = await database.connect();
    try {
      const report = await applyMigrations(connection, migrations);
      logger.info({ database: database.kind, ...report }, 'database schema is up to date');
    } finally {
      await connection.release();
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  const { redisUrl } = config.subscriptions;
  const transport = redisUrl
    ? await openRedisTransport(redisUrl, logger).catch(async (error: unknown) => {
        await database.close();
        throw error;
      })
    : inProcessTransport;
  const subscriptions = createSessionSubscriptions(transport, config.subscriptions.channelPrefix, config.subscriptions);
  let draining = false;
  const yoga = createYogaServer({
    sessions: new SessionService(
      new SessionStore(database.prisma, database.query),
      subscriptions,
      referenceCheck(config.references, logger),
    ),
    subscriptions,
    logger,
    resolveCaller,
    graphiql: config.graphiql ? createGraphiQLPage({ userIdHeader: config.auth.allowUserIdHeader }) : null,
    introspection: config.introspection,
    limits: config.limits,
    persistedOperations,
    metrics: config.metrics ? createMetrics(database.poolStats, subscriptions.openCount) : null,
    operationSpans: config.tracing !== null,
    checkReady: async () => {
      if (draining) throw new Error('shutting down');
      transport.check();
      const applied = await database.prisma.$queryRaw<Array<{ migration_name: string }>>`
        SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
      const names = new Set(applied.map((row) => row.migration_name));
      const missing = migrations.filter((migration) => !names.has(migration.name)).map((migration) => migration.name);
      if (missing.length > 0) throw new Error(`migrations not applied: ${missing.join(', ')}`);
    },
  });
  return {
    yoga,
    database,
    subscriptions,
    beginDrain: () => {
      draining = true;
      // Subscriptions never finish on their own: end them, so clients reconnect to another instance.
      subscriptions.closeAll();
    },
    close: async () => {
      subscriptions.closeAll();
      await transport.close();
      await database.close();
    },
  };
}

function referenceCheck(options: Config['references'], logger: Logger): ReferenceCheck {
  return options.kind === 'federation' ? createFederatedReferenceCheck({ ...options, logger }) : referenceCheckOff;
}
