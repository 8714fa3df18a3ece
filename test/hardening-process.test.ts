import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, onTestFinished, test } from 'vitest';
import { createTestDatabase, databaseKind } from './support/databases.js';
import { startServiceProcess } from './support/service-process.js';

describe('an unhandled promise rejection (a real process)', () => {
  test('is logged with the id of the request that caused it, and the process keeps running', () => {
    // What a request's forgotten promise does: rejects later, inside the request's scope.
    const script = `
      import { createLogger, requestScope } from './src/logger.ts';
      import { logUnhandledRejections } from './src/unhandled.ts';
      logUnhandledRejections(createLogger('info'));
      requestScope.run({ requestId: 'req-forgotten-1' }, () => setTimeout(() => void Promise.reject(new Error('nobody awaited this')), 1));
      setTimeout(() => console.log(JSON.stringify({ msg: 'still serving' })), 200);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(0);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        requestId: 'req-forgotten-1',
        msg: 'unhandled promise rejection; the service keeps running',
        err: expect.objectContaining({ message: 'nobody awaited this' }),
      }),
      { msg: 'still serving' },
    ]);
  });
});

describe('start-up', () => {
  test('a PORT already in use: the process exits non-zero, saying so', async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    onTestFinished(() => new Promise<void>((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as net.AddressInfo).port;
    const service = await startServiceProcess({ PORT: String(port) });
    onTestFinished(() => service.stop());
    const exitCode = await Promise.race([
      service.exited,
      new Promise((resolve) => setTimeout(() => resolve('still running'), 30_000)),
    ]);
    expect(exitCode).toBe(1);
    expect(service.lines).toContainEqual(
      expect.objectContaining({
        level: 60,
        msg: `cannot listen: port ${port} on 127.0.0.1 is already in use (set PORT to a free one)`,
      }),
    );
  }, 60_000);
});

describe('npm start', () => {
  // Runs the build (`npm run build`, done on install): `npm start` execs node on dist/main.js, so the
  // signal a container runtime sends reaches the service, not a wrapper that leaves it orphaned.
  test('SIGTERM to the npm process stops the service (drained, exit 0), leaving nothing listening', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'npm-start-'));
    onTestFinished(() => rm(dataDir, { recursive: true, force: true }));
    const { DATABASE_URL: _unused, ...environment } = process.env;
    const npm = spawn('npm', ['start', '--silent'], {
      env: {
        ...environment,
        PORT: '0',
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
        NODE_ENV: 'development',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
      // A process group of its own, so whatever npm started can be cleaned up if it outlives npm.
      detached: true,
    });
    onTestFinished(() => {
      try {
        process.kill(-npm.pid!, 'SIGKILL');
      } catch {
        // Nothing left.
      }
    });
    const lines: Array<Record<string, any>> = [];
    const listening = new Promise<number>((resolve) => {
      createInterface({ input: npm.stdout! }).on('line', (line) => {
        const entry = line.startsWith('{') ? JSON.parse(line) : { text: line };
        lines.push(entry);
        if (entry.msg === 'listening') resolve(entry.port);
      });
    });
    const exited = new Promise<number | null>((resolve) => npm.on('exit', resolve));
    const port = await Promise.race([
      listening,
      exited.then((code) => Promise.reject(new Error(`npm start exited early with ${code}`))),
    ]);
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    npm.kill('SIGTERM');
    await exited;
    // The service itself stopped (its own log says so) and the port is free.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(lines.find((line) => line.msg === 'stopped')).toMatchObject({ outcome: 'drained' });
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  }, 90_000);
});

describe.skipIf(databaseKind !== 'pglite')('one embedded DATA_DIR, two processes', () => {
  test('the second refuses to start, naming the first; once the first has crashed, a new one starts', async () => {
    const database = await createTestDatabase();
    onTestFinished(() => database.drop());
    const first = await startServiceProcess({}, database);
    onTestFinished(() => first.stop());
    await first.port;

    const second = await startServiceProcess({}, database);
    onTestFinished(() => second.stop());
    expect(await second.exited).toBe(1);
    const refusal = second.lines.find((line) => line.level === 60);
    expect(refusal?.err?.message).toContain(`is in use by another process (pid ${first.child.pid}`);

    // A crash leaves the lock file behind; it names a process that is gone, so it is taken over.
    first.child.kill('SIGKILL');
    await first.exited;
    const third = await startServiceProcess({}, database);
    onTestFinished(() => third.stop());
    expect((await fetch(`http://127.0.0.1:${await third.port}/ready`)).status).toBe(200);
  }, 120_000);
});
