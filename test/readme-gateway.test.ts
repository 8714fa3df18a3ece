import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { afterAll, describe, expect, test } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  CREATE_SESSION,
  createdSession,
  createSessionVariables,
  SESSION_WITH_AGENT,
} from './support/gateway-documents.js';
import { freePort, HIVE_GATEWAY_CONFIG, waitUntilReady } from './support/hive-gateway.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const readme = await readFile(path.join(ROOT, 'README.md'), 'utf8');
const section = /^## Run it behind a gateway\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
const blocks = (language: string) =>
  [...section.matchAll(new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((match) => match[1]!);

describe('README, "Run it behind a gateway"', () => {
  test('has exactly the snippets checked below', () => {
    expect([...section.matchAll(/```(\w*)/g)].map((match) => match[1])).toEqual(['ts', '', 'sh', '', 'yaml', '']);
  });

  test('the Hive Gateway config shown is the file the gateway tests run', async () => {
    expect(blocks('ts')).toEqual([await readFile(HIVE_GATEWAY_CONFIG, 'utf8')]);
  });

  test("the Apollo Router rules forward the caller's token to this subgraph and propagate W3C trace context", () => {
    const router = parseYaml(blocks('yaml')[0]!);
    expect(router.headers.subgraphs.sessions.request).toEqual([{ propagate: { named: 'authorization' } }]);
    expect(router.telemetry.exporters.tracing.propagation.trace_context).toBe(true);
  });

  describe('the four commands that run this subgraph, the agents subgraph and Hive Gateway by hand', () => {
    const started: ChildProcess[] = [];
    let output = '';
    let directory: string;
    afterAll(async () => {
      for (const child of started) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        // Each command runs in a process group of its own (npm → tsx → node): end the whole group.
        process.kill(-child.pid!, 'SIGTERM');
        await once(child, 'exit');
      }
      if (directory) await rm(directory, { recursive: true, force: true });
    });

    test('serve queries and mutations joined across both subgraphs', async () => {
      directory = await mkdtemp(path.join(os.tmpdir(), 'readme-gateway-'));
      const ports = new Map<string, string>();
      for (const port of ['4000', '4001', '4002']) ports.set(port, String(await freePort()));
      // The same lines, on free ports, with the database and the supergraph in a temporary directory.
      const lines = blocks('sh')[0]!
        .trim()
        .split('\n')
        .map((line) =>
          line
            .replace(/\b(4000|4001|4002)\b/g, (port) => ports.get(port)!)
            .replaceAll('supergraph.graphql', path.join(directory, 'supergraph.graphql')),
        );
      expect(lines).toHaveLength(4);
      const run = (line: string) => {
        const child = spawn('bash', ['-c', line.replace(/ &$/, '')], {
          cwd: ROOT,
          env: { ...process.env, DATA_DIR: path.join(directory, 'data'), LOG_LEVEL: 'warn' },
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout!.on('data', (chunk) => (output += chunk));
        child.stderr!.on('data', (chunk) => (output += chunk));
        started.push(child);
        return child;
      };
      const [sessions, agents, compose, gateway] = lines as [string, string, string, string];
      run(sessions);
      run(agents);
      const [code] = await once(run(compose), 'exit');
      expect(code, output).toBe(0);
      run(gateway);
      const gatewayUrl = `http://127.0.0.1:${ports.get('4000')}/graphql`;
      await waitUntilReady(`http://127.0.0.1:${ports.get('4000')}/readiness`, { output: () => output });

      const secret = /AUTH_JWT_SECRET=(\S+)/.exec(sessions)![1]!;
      const token = await new SignJWT({ sub: 'by-hand' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
      const post = async (query: string, variables: Record<string, unknown>) => {
        const response = await fetch(gatewayUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
        });
        return (await response.json()) as { data?: any; errors?: unknown[] };
      };
      const created = await post(CREATE_SESSION, createSessionVariables('agent-2', 'by hand'));
      expect(created.errors, output).toBeUndefined();
      const read = await post(SESSION_WITH_AGENT, { id: createdSession(created.data).id, agentId: 'agent-2' });
      expect(read.data.session).toMatchObject({
        userId: 'by-hand',
        config: { name: 'by hand' },
        agent: { name: 'Writer' },
      });
    }, 180_000);
  });
});
