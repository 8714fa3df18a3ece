import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ServiceProcess {
  port: number;
  /** The JSON lines the service logged so far. */
  logs: Array<Record<string, any>>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts the service as `npm start` would (src/main.ts under tsx) on 127.0.0.1 and a free port,
 * configured by `env` over the test runner's own environment (DATABASE_URL left out unless given).
 */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const { DATABASE_URL: _unused, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...inherited, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Array<Record<string, any>> = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const listening = new Promise<number>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = JSON.parse(line);
      logs.push(entry);
      if (entry.msg === 'listening') resolve(entry.port);
    });
  });
  const port = await Promise.race([listening, exited.then((code) => Promise.reject(new Error(`the service exited early with ${code}`)))]);
  return {
    port,
    logs,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
