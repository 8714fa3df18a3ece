import { createRequire } from 'node:module';
import { loadConfig } from '../config.js';

/**
 * The process's tracing, started before the service's modules load when this file is preloaded:
 * `node --import ./dist/telemetry/register.js dist/main.js` (`npm start`). The pg instrumentation
 * patches node-postgres as it is loaded, and src/main.ts' imports load it before any of main's code
 * runs. main.ts imports this module for the handle: the preloaded instance, or, without the preload,
 * a start after the driver loaded (operation and Prisma spans, no driver statement spans).
 * Without OTEL_EXPORTER_OTLP_ENDPOINT none of OpenTelemetry's SDK is loaded. A bad configuration is
 * main.ts' to report.
 */
const config = (() => {
  try {
    return loadConfig();
  } catch {
    return null;
  }
})();

const require = createRequire(import.meta.url);
/** False when tracing started after node-postgres was loaded: its statements then have no spans. */
export const driverTraced = !(require.resolve('pg') in require.cache);

export const tracing = config?.tracing ? (await import('./tracing.js')).startTracing(config.tracing) : null;
