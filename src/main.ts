import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createHttpServer } from './http/server.js';
import { closeGracefully } from './http/shutdown.js';
import { createLogger } from './logger.js';
import { logUnhandledRejections } from './unhandled.js';
import { driverTraced, tracing } from './telemetry/register.js';

const config = (() => {
  try {
    return loadConfig();
  } catch (error) {
    // Before the logger exists: the message names every bad variable.
    console.error((error as Error).message);
    process.exit(1);
  }
})();
const logger = createLogger(config.logLevel);
logUnhandledRejections(logger);
if (tracing && !driverTraced && config.database.kind === 'postgres') {
  logger.warn(
    'tracing started after the PostgreSQL driver loaded: its statements get no spans of their own; start with `node --import ./dist/telemetry/register.js dist/main.js`',
  );
}
const app = await createApp(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, 'start-up failed');
  process.exit(1);
});

const { server, closeWebSockets } = createHttpServer(app, {
  keepAliveMs: config.subscriptions.keepAliveMs,
  maxPayloadBytes: config.limits.maxRequestBodyBytes,
  persistedOperationsOnly: Boolean(config.persistedOperationsFile),
});
// Listening failed (the port is taken, or not ours to bind): nothing would ever be served, so stop.
server.once('error', (error: NodeJS.ErrnoException) => {
  const reason =
    error.code === 'EADDRINUSE'
      ? `port ${config.port} on ${config.host} is already in use (set PORT to a free one)`
      : error.code === 'EACCES'
        ? `port ${config.port} on ${config.host} may not be bound by this user`
        : error.message;
  logger.fatal({ err: error, port: config.port, host: config.host }, `cannot listen: ${reason}`);
  void app.close().finally(() => process.exit(1));
});
server.listen(config.port, config.host, () => {
  const { port } = server.address() as AddressInfo;
  logger.info(
    {
      url: `http://localhost:${port}${app.yoga.graphqlEndpoint}`,
      port,
      database: app.database.kind,
      production: config.production,
    },
    'listening',
  );
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: finishing in-flight requests');
  app.beginDrain();
  // WebSocket clients are asked to go (1001); one that never answers must not hold up the exit.
  await Promise.race([
    closeWebSockets(),
    new Promise((resolve) => setTimeout(resolve, config.shutdownTimeoutMs).unref()),
  ]);
  const outcome = await closeGracefully(server, config.shutdownTimeoutMs);
  await app.close();
  await tracing?.shutdown();
  logger.info({ outcome }, 'stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
