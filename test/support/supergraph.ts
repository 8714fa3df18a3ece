import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';

export interface Running {
  url: string;
  close(): Promise<void>;
}

/** Serves `listener` on 127.0.0.1 at a free port. */
export async function listenOnLoopback(listener: RequestListener, path = '/graphql'): Promise<Running> {
  const server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

interface GatewayContext {
  userId?: string;
}

const quiet = { debug() {}, info() {}, warn: console.warn, error: console.error };

/**
 * Apollo Gateway in front of the subgraphs: it composes their `_service { sdl }` at start-up and
 * forwards the caller's `x-user-id` to every subgraph, as a production gateway must.
 */
export async function startGateway(subgraphs: Array<{ name: string; url: string }>): Promise<Running> {
  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({ subgraphs }),
    logger: quiet,
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url,
        willSendRequest({ request, context }) {
          if (context.userId) request.http?.headers.set('x-user-id', context.userId);
        },
      }),
  });
  const server = new ApolloServer<GatewayContext>({ gateway, logger: quiet });
  const { url } = await startStandaloneServer(server, {
    listen: { host: '127.0.0.1', port: 0 },
    context: async ({ req }) => {
      const userId = req.headers['x-user-id'];
      return { userId: typeof userId === 'string' ? userId : undefined };
    },
  });
  return { url, close: () => server.stop() };
}

/** A GraphQL request over real HTTP. */
export async function postGraphQL(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  userId?: string,
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (userId) headers['x-user-id'] = userId;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as {
    data?: any;
    errors?: Array<{ message: string; extensions?: Record<string, any> }>;
  };
}
