import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { AGENTS_SDL } from './agents-subgraph.js';
import type { Running } from './supergraph.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The config the README shows; the tests run exactly this file. */
export const HIVE_GATEWAY_CONFIG = path.join(ROOT, 'gateway/gateway.config.ts');
const HIVE_GATEWAY_BIN = path.join(ROOT, 'node_modules/@graphql-hive/gateway/dist/bin.js');

/** The supergraph of this subgraph (schema.graphql) and the test agents subgraph, as `rover supergraph compose` would write it. */
export async function composeSupergraph(urls: { sessions: string; agents: string }): Promise<string> {
  const sessionsSdl = await readFile(path.join(ROOT, 'schema.graphql'), 'utf8');
  const { supergraphSdl, errors } = composeServices([
    { name: 'sessions', typeDefs: parse(sessionsSdl), url: urls.sessions },
    { name: 'agents', typeDefs: parse(AGENTS_SDL), url: urls.agents },
  ]);
  if (errors?.length) throw new Error(`composition failed: ${errors.map((error) => error.message).join('; ')}`);
  return supergraphSdl!;
}

export interface RunningHiveGateway extends Running {
  /** What the gateway process printed, for a failing test's message. */
  output(): string;
}

/**
 * Hive Gateway as its own process (the `hive-gateway` CLI with gateway/gateway.config.ts) on
 * 127.0.0.1, serving `supergraphSdl`; `env` is added to the process's environment.
 */
export async function startHiveGateway(
  supergraphSdl: string,
  env: Record<string, string> = {},
): Promise<RunningHiveGateway> {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'hive-gateway-'));
  const supergraphFile = path.join(directory, 'supergraph.graphql');
  await writeFile(supergraphFile, supergraphSdl);
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [
      HIVE_GATEWAY_BIN,
      'supergraph',
      supergraphFile,
      '--config-path',
      HIVE_GATEWAY_CONFIG,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
    ],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit');
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(directory, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}/graphql`;
  try {
    await waitUntilReady(`http://127.0.0.1:${port}/readiness`, { hasExited: () => child.exitCode !== null });
  } catch (error) {
    await close();
    throw new Error(`Hive Gateway did not start: ${(error as Error).message}\n${output}`);
  }
  return { url, close, output: () => output };
}

/**
 * Polls `url` until it answers 2xx; fails early once `hasExited` says the process is gone, and at
 * the deadline with what `output` gives (the processes' logs) in the message.
 */
export async function waitUntilReady(
  url: string,
  {
    timeoutMs = 90_000,
    hasExited = () => false,
    output = () => '',
  }: { timeoutMs?: number; hasExited?: () => boolean; output?: () => string } = {},
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited()) throw new Error(`the process exited:\n${output()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms:\n${output()}`);
}

/** A port nobody listens on right now (the gateway CLI takes a port number, not 0). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
