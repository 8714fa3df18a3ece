import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type DocumentNode, GraphQLError, type ExecutionArgs } from 'graphql';
import type { Context } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { App } from '../app.js';
import type { ErrorCode } from '../errors.js';
import type { YogaServer } from './yoga.js';

export interface HttpServer {
  server: Server;
  /** Closes every WebSocket (1001 Going away); SSE streams end with the app's subscriptions. */
  closeWebSockets(): Promise<void>;
}

export interface WebSocketOptions {
  /** Ping interval; a client that misses a pong is disconnected and its subscriptions are freed. */
  keepAliveMs: number;
  /** The largest message accepted, as the HTTP body limit. */
  maxPayloadBytes: number;
  /**
   * With a persisted-operations allow-list, documents are refused here: the allow-list works on
   * HTTP parameters, which WebSocket messages never pass through (subscriptions remain on SSE).
   */
  persistedOperationsOnly: boolean;
}

/**
 * The service over HTTP: Yoga (GraphQL with SSE subscriptions, REST, probes) and, on the same port
 * and path, GraphQL over WebSocket (the graphql-ws protocol).
 */
export function createHttpServer(
  app: App,
  { keepAliveMs, maxPayloadBytes, persistedOperationsOnly }: WebSocketOptions,
): HttpServer {
  const server = createServer(app.yoga);
  const sockets = new WebSocketServer({ server, path: app.yoga.graphqlEndpoint, maxPayload: maxPayloadBytes });
  const graphqlWs = useServer<Record<string, unknown>>(
    {
      // Yoga's envelope: its parse, validation and error masking, and the same context as over HTTP.
      execute: (args) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args) => (args.rootValue as Enveloped).subscribe(args),
      onConnect: async (context) => {
        // Credentials that disagree (see credentialsRequest): 4403 Forbidden.
        const enveloped = envelope(app.yoga, context);
        if (!enveloped) return false;
        try {
          await enveloped.contextFactory();
          return true;
        } catch (error) {
          // A credential that does not hold (Yoga's error mask has turned it into UNAUTHENTICATED):
          // 4403 Forbidden. Anonymous connections are accepted and get UNAUTHENTICATED per
          // operation, as over HTTP.
          if (error instanceof GraphQLError && error.extensions.code === ('UNAUTHENTICATED' satisfies ErrorCode))
            return false;
          throw error;
        }
      },
      onSubscribe: async (context, _id, payload) => {
        if (persistedOperationsOnly) {
          return [
            new GraphQLError(
              'Only persisted operations are accepted, over HTTP: send documentId (subscriptions over SSE).',
              {
                extensions: { code: 'PERSISTED_QUERY_ONLY' },
              },
            ),
          ];
        }
        // onConnect has refused a connection whose credentials disagree.
        const { schema, execute, subscribe, contextFactory, parse, validate } = envelope(app.yoga, context)!;
        let document: DocumentNode;
        try {
          document = parse(payload.query);
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        const args: ExecutionArgs = {
          schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe } satisfies Enveloped,
        };
        return args;
      },
    },
    sockets,
    keepAliveMs,
  );
  return { server, closeWebSockets: async () => graphqlWs.dispose() };
}

type Enveloped = Pick<ReturnType<YogaServer['getEnveloped']>, 'execute' | 'subscribe'>;

/**
 * Yoga's envelope for a WebSocket connection, its context built from the connection's credentials
 * (see `credentialsRequest`); null when they disagree.
 */
function envelope(yoga: YogaServer, context: Context<Record<string, unknown> | undefined, Extra>) {
  const request = credentialsRequest(context.extra.request, context.connectionParams ?? {});
  return request && yoga.getEnveloped({ request });
}

const CREDENTIALS = ['authorization', 'x-user-id'];

/**
 * The credentials of a WebSocket connection as request headers, so the same caller resolution as
 * over HTTP applies. The upgrade request's `authorization` and `x-user-id` are trusted as the HTTP
 * headers are: a gateway in front sets them. `connectionParams` (which browsers must use, as they
 * cannot set headers on a WebSocket) are the client's own word: they are used only when the
 * upgrade request carries no credential at all, and may otherwise only repeat it. Null when they
 * disagree (with the upgrade request, or among themselves): the connection is refused.
 */
function credentialsRequest(upgrade: IncomingMessage, connectionParams: Record<string, unknown>): Request | null {
  const fromUpgrade = new Map<string, string>();
  for (const name of CREDENTIALS) {
    const header = upgrade.headers[name];
    if (typeof header === 'string') fromUpgrade.set(name, header);
  }
  const fromParams = new Map<string, string>();
  for (const [key, value] of Object.entries(connectionParams)) {
    const name = key.toLowerCase();
    if (!CREDENTIALS.includes(name)) continue;
    if (typeof value !== 'string') continue;
    if (fromParams.has(name) && fromParams.get(name) !== value) return null;
    fromParams.set(name, value);
  }
  if (fromUpgrade.size > 0) {
    for (const [name, value] of fromParams) if (fromUpgrade.get(name) !== value) return null;
  }
  const headers = new Headers([...(fromUpgrade.size > 0 ? fromUpgrade : fromParams)]);
  return new Request(`http://localhost${upgrade.url ?? '/'}`, { headers });
}
