import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, onTestFinished, test } from 'vitest';
import { closeGracefully } from '../src/http/shutdown.js';
import { startServiceProcess } from './support/service-process.js';

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

function get(port: number, agent?: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path: '/', agent }, (response) => {
      let body = '';
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('graceful shutdown', () => {
  test('in-flight requests finish; new connections are refused', async () => {
    const { server, port } = await listen((_request, response) => setTimeout(() => response.end('finished'), 200));
    const inFlight = get(port);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = closeGracefully(server, 5_000);
    await expect(get(port)).rejects.toThrow(/ECONNREFUSED/);
    expect(await inFlight).toEqual({ status: 200, body: 'finished' });
    expect(await closing).toBe('drained');
  });

  test('an idle keep-alive connection does not hold the shutdown up', async () => {
    const { server, port } = await listen((_request, response) => response.end('ok'));
    const agent = new Agent({ keepAlive: true });
    onTestFinished(() => agent.destroy());
    await get(port, agent);
    const startedAt = Date.now();
    expect(await closeGracefully(server, 5_000)).toBe('drained');
    expect(Date.now() - startedAt).toBeLessThan(1_000);
  });

  test('a client keeping its connection busy does not hold the shutdown up, and loses no request', async () => {
    const { server, port } = await listen((_request, response) => setTimeout(() => response.end('ok'), 20));
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    onTestFinished(() => agent.destroy());
    // Back to back on one kept-alive connection, as a load balancer or a busy client sends them:
    // the connection is never idle. It ends when the service refuses a new connection.
    const answered: Array<{ status: number; body: string }> = [];
    const client = (async () => {
      for (;;) answered.push(await get(port, agent));
    })().catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const startedAt = Date.now();
    expect(await closeGracefully(server, 5_000)).toBe('drained');
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect((await client).message).toMatch(/ECONNREFUSED/);
    expect(answered.length).toBeGreaterThan(1);
    expect(answered.every((response) => response.status === 200 && response.body === 'ok')).toBe(true);
  });

  test('requests still running at the deadline are cut', async () => {
    const { server, port } = await listen(() => {});
    const stuck = get(port);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const startedAt = Date.now();
    expect(await closeGracefully(server, 200)).toBe('timed out');
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    await expect(stuck).rejects.toThrow(/socket hang up/);
  });

  test('the service stops on SIGTERM: drains, closes the database, exits 0', async () => {
    const service = await startServiceProcess();
    onTestFinished(() => service.stop());
    const port = await service.port;
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
    expect(service.lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining(['shutting down: finishing in-flight requests', 'stopped']),
    );
    expect(service.lines.find((line) => line.msg === 'stopped')).toMatchObject({ outcome: 'drained' });
  }, 60_000);
});
