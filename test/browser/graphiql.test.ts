import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { EXAMPLE_AGENT_ID, EXAMPLE_USER_ID } from '../../src/http/graphiql.js';
import { startServiceProcess, type ServiceProcess } from '../support/service-process.js';

/** Debian's chromium unless CHROMIUM_PATH names another build. */
const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS_DIR = path.resolve(process.env.TEST_ARTIFACTS_DIR ?? 'test-artifacts');

// The browser gets nothing from outside this machine: every request to another host is aborted (and
// recorded), so a page that needs a CDN shows up as a failure here, as it would offline.
describe('GraphiQL in a real browser, offline', () => {
  let service: ServiceProcess;
  let port: number;
  let browser: Browser;

  beforeAll(async () => {
    service = await startServiceProcess();
    port = await service.port;
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      headless: true,
      // Playwright gives each launch a fresh profile directory of its own.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    service?.child.kill('SIGTERM');
    expect(await service?.exited).toBe(0);
    await service?.stop();
  });

  test('the default tab, run as it is, shows a session of the development caller', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const outside: string[] = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      outside.push(url.href);
      return route.abort('internetdisconnected');
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`http://127.0.0.1:${port}/graphql`);
    await page.locator('button.graphiql-execute-button').click({ timeout: 30_000 });
    const response = page.locator('.graphiql-response');
    await expect.poll(() => response.textContent(), { timeout: 30_000 }).toContain('"createSession"');
    // The editor renders spaces as no-break spaces, each line in an element of its own.
    const result = JSON.parse((await response.textContent())!.replaceAll('\u00a0', ' '));

    await mkdir(ARTIFACTS_DIR, { recursive: true });
    const screenshot = path.join(ARTIFACTS_DIR, 'graphiql.png');
    await page.screenshot({ path: screenshot });
    console.log(`GraphiQL screenshot: ${screenshot}`);

    expect(result).toEqual({
      data: {
        createSession: {
          session: {
            id: expect.stringMatching(/^[0-9a-f]{32}$/),
            agentId: EXAMPLE_AGENT_ID,
            createdAt: expect.any(String),
          },
        },
      },
    });
    expect(outside).toEqual([]);
    expect(pageErrors).toEqual([]);

    // The session is really there, the development caller's.
    const listed = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': EXAMPLE_USER_ID },
      body: JSON.stringify({ query: `{ sessions(agentId: "${EXAMPLE_AGENT_ID}") { totalCount } }` }),
    });
    expect(await listed.json()).toEqual({ data: { sessions: { totalCount: 1 } } });
    await context.close();
  }, 120_000);
});
