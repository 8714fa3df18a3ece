import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createTestDatabase, type TestDatabase } from './databases.js';

export interface ServiceProcess {
  child: ChildProcess;
  /** Every JSON log line so far (other output lines as `{ text }`). */
  lines: Array<Record<string, any>>;
  /** The port it listens on, once it logged 'listening'; rejects if it exits first. */
  port: Promise<number>;
  /** The exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** Everything it wrote to stderr. */
  stderr(): string;
  /** Kills it (SIGKILL) if still running and drops its database. */
  stop(): Promise<void>;
}

/**
 * The service as a real process (`src/main.ts` through tsx), on a database of its own (a temporary
 * DATA_DIR, or a fresh PostgreSQL database with TEST_DATABASE_URL), so what would crash the
 * process shows. `env` adds to, or (undefined) removes from, the environment.
 */
export async function startServiceProcess(
  env: Record<string, string | undefined> = {},
  database?: TestDatabase,
): Promise<ServiceProcess> {
  const own = database ?? (await createTestDatabase());
  const { DATABASE_URL: _inherited, ...inherited } = process.env;
  const databaseEnv =
    own.options.kind === 'postgres' ? { DATABASE_URL: own.options.url } : { DATA_DIR: own.options.dataDir };
  const merged: Record<string, string | undefined> = {
    ...inherited,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
    ...databaseEnv,
    ...env,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './src/telemetry/register.ts', 'src/main.ts'], {
    env: Object.fromEntries(
      Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== undefined),
    ),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, any>> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const port = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, any>;
      try {
        entry = JSON.parse(line);
      } catch {
        entry = { text: line };
      }
      lines.push(entry);
      if (entry.msg === 'listening') resolve(entry.port);
    });
    void exited.then((code) => reject(new Error(`the service exited (${code}) before listening: ${stderr}`)));
  });
  port.catch(() => {});
  return {
    child,
    lines,
    port,
    exited,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      if (!database) await own.drop();
    },
  };
}
