import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { describe, expect, onTestFinished, test } from 'vitest';
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
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, requestId: 'req-forgotten-1', msg: 'unhandled promise rejection; the service keeps running', err: expect.objectContaining({ message: 'nobody awaited this' }) }),
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
    const exitCode = await Promise.race([service.exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 30_000))]);
    expect(exitCode).toBe(1);
    expect(service.lines).toContainEqual(expect.objectContaining({ level: 60, msg: `cannot listen: port ${port} on 127.0.0.1 is already in use (set PORT to a free one)` }));
  }, 60_000);
});
