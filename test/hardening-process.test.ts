import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';

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
