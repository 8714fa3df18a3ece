import type { TadaDocumentNode } from 'gql.tada';
import { print } from 'graphql';
import { pino } from 'pino';
import { type App, createApp } from '../../src/app.js';
import type { DatabaseOptions } from '../../src/db/database.js';
import { createTestDatabase } from './databases.js';
import { type GraphQLResponse, testAppConfig } from './fixtures.js';
import { startTcpProxy } from './tcp-proxy.js';

type PostgresTuning = Omit<Extract<DatabaseOptions, { kind: 'postgres' }>, 'kind' | 'url'>;

export interface ProxiedService {
  app: App;
  /** Between the service and PostgreSQL: cut, stall or refuse it to see what clients get. */
  proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  /** A GraphQL request as `userId`, with the response's status and Retry-After beside its body. */
  graphql<Data, Variables>(
    query: TadaDocumentNode<Data, Variables>,
    variables: Variables,
  ): Promise<GraphQLResponse<Data> & { retryAfter: string | null }>;
  close(): Promise<void>;
}

/**
 * The service on a fresh database of the TEST_DATABASE_URL server, reached through a TCP proxy the
 * test controls. Only for suites that run on PostgreSQL: PGlite has no network to cut.
 */
export async function startProxiedService(userId: string, tuning: PostgresTuning = {}): Promise<ProxiedService> {
  const database = await createTestDatabase();
  if (database.options.kind !== 'postgres') throw new Error('a proxied service needs TEST_DATABASE_URL');
  const target = new URL(database.options.url);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(database.options.url);
  proxied.port = String(proxy.port);
  const app = await createApp(
    testAppConfig({ ...database.options, ...tuning, url: proxied.toString() }),
    pino({ level: 'silent' }),
  );
  return {
    app,
    proxy,
    async graphql(query, variables) {
      const response = await app.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-user-id': userId },
        body: JSON.stringify({ query: print(query), variables }),
      });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), ...(await response.json()) };
    },
    async close() {
      await app.close();
      await proxy.close();
      await database.drop();
    },
  };
}
