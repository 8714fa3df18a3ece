import type { Config } from './config.js';
import { openDatabase, type Database } from './db/database.js';
import { applyMigrations, readMigrations } from './db/migrate.js';
import { createYogaServer, type YogaServer } from './http/yoga.js';
import type { Logger } from './logger.js';
import { SessionService } from './sessions/service.js';

export interface App {
  yoga: YogaServer;
  database: Database;
  close(): Promise<void>;
}

/** Opens the database, brings its schema up to date, and builds the GraphQL server over it. */
export async function createApp(config: Pick<Config, 'database' | 'graphiql'>, logger: Logger): Promise<App> {
  const database = await openDatabase(config.database);
  try {
    const connection = await database.connect();
    try {
      const report = await applyMigrations(connection, await readMigrations());
      logger.info({ database: database.kind, ...report }, 'database schema is up to date');
    } finally {
      await connection.release();
    }
  } catch (error) {
    await database.close();
    throw error;
  }
  const yoga = createYogaServer({
    sessions: new SessionService(database.prisma),
    logger,
    graphiql: config.graphiql,
    checkDatabase: async () => {
      await database.prisma.$queryRaw`SELECT 1`;
    },
  });
  return { yoga, database, close: () => database.close() };
}
