import { Writable } from 'node:stream';
import { createLogger } from '../../src/logger.js';
import type { TadaDocumentNode } from 'gql.tada';
import { print, type DocumentNode } from 'graphql';
import { test as base } from 'vitest';
import { createApp, type App, type AppConfig } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { DatabaseOptions } from '../../src/db/database.js';
import { createTestDatabase } from './databases.js';

export interface GraphQLResponse<Data> {
  status: number;
  data?: Data;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }>;
}

/** The answer to a raw document: data of no known shape, which the test narrows. */
export type RawGraphQLResponse = GraphQLResponse<Record<string, unknown> | null>;

export interface RestResponse<Body = any> {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: Body;
}

export interface RestOptions {
  /** A JSON value, or a string sent as is (to send malformed JSON). */
  body?: unknown;
  /** `x-user-id`; null leaves the header out. */
  userId?: string | null;
  headers?: Record<string, string>;
}

export interface GraphQLRequestOptions {
  userId?: string | null;
  headers?: Record<string, string>;
}

export interface TestApp {
  app: App;
  /** Sends a REST request over HTTP semantics (in-process) as `userId`. */
  rest<Body = any>(method: string, path: string, options?: RestOptions): Promise<RestResponse<Body>>;
  /**
   * Sends a GraphQL request over HTTP semantics (Yoga's fetch, in-process) as `userId`. The typed
   * document (test/graphql/graphql.ts) types the variables and the response.
   */
  graphql<Data, Variables>(
    query: TadaDocumentNode<Data, Variables>,
    ...rest: Record<never, never> extends Variables
      ? [variables?: Variables, options?: GraphQLRequestOptions]
      : [variables: Variables, options?: GraphQLRequestOptions]
  ): Promise<GraphQLResponse<Data>>;
  /**
   * Sends, as `graphql` does, what the typed client must refuse: a document or variables that are
   * invalid or hostile on purpose (malformed, unknown fields or inputs, over the limits). The data
   * has no known shape; the test narrows it.
   */
  sendRawDocument(
    query: string,
    variables?: Record<string, unknown>,
    options?: GraphQLRequestOptions,
  ): Promise<RawGraphQLResponse>;
  /** Counts the SQL statements `work` causes. */
  countStatements(work: () => Promise<unknown>): Promise<number>;
  /** What the service logged, one parsed JSON line each. */
  logs: Array<Record<string, any>>;
}

export const DEFAULT_USER = 'user-1';

/** The service's configuration from `env` (as the environment would give it), on the test's database. */
export function testAppConfig(database: DatabaseOptions, env: Record<string, string> = {}): AppConfig {
  return { ...loadConfig(env), database };
}

/** Starts the service on a database of its own (once per test file with `test`), configured by `env`. */
export async function startTestApp({
  env = {},
}: {
  env?: Record<string, string>;
} = {}): Promise<TestApp & { close(): Promise<void> }> {
  const database = await createTestDatabase();
  const logs: Array<Record<string, any>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  const app = await createApp(testAppConfig(database.options, env), createLogger('info', sink));
  async function send(
    query: string | DocumentNode,
    variables: unknown,
    { userId = DEFAULT_USER, headers: extraHeaders = {} }: GraphQLRequestOptions = {},
  ) {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...extraHeaders,
    };
    if (userId !== null) headers['x-user-id'] = userId;
    const response = await app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: typeof query === 'string' ? query : print(query), variables }),
    });
    return { status: response.status, ...(await response.json()) };
  }
  return {
    app,
    logs,
    graphql: (query: DocumentNode, variables?: unknown, options?: GraphQLRequestOptions) =>
      send(query, variables, options),
    sendRawDocument: send,
    async rest(method, path, { body, userId = DEFAULT_USER, headers = {} } = {}) {
      const sent: Record<string, string> = { 'content-type': 'application/json', ...headers };
      if (userId !== null) sent['x-user-id'] = userId;
      const response = await app.yoga.fetch(`http://localhost${path}`, {
        method,
        headers: sent,
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
    },
    async countStatements(work) {
      let count = 0;
      const stop = app.database.onStatement(() => count++);
      try {
        await work();
      } finally {
        stop();
      }
      return count;
    },
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

export const test = base.extend<{ service: TestApp }>({
  service: [
    async ({}, use) => {
      const service = await startTestApp();
      await use(service);
      await service.close();
    },
    { scope: 'file' },
  ],
});

export { expect, describe } from 'vitest';
