import { createInlineSigningKeyProvider, defineConfig, extractFromHeader, type ExtractTokenFunction } from '@graphql-hive/gateway';

/**
 * Hive Gateway in front of the sessions subgraph (README, "Run it behind a gateway"). Serve it with
 * `npx hive-gateway supergraph supergraph.graphql -c gateway/gateway.config.ts`.
 *
 * Two ways to hand this subgraph the caller:
 * - default: the client's `Authorization: Bearer …` is forwarded, and the subgraph verifies it
 *   (AUTH_JWT_SECRET / AUTH_JWKS_URL there);
 * - with GATEWAY_JWT_SECRET set: the gateway verifies the token itself and sends the user as
 *   `x-user-id` (the subgraph runs with ALLOW_USER_ID_HEADER=true). Only headers returned below
 *   reach a subgraph, so an `x-user-id` a client sends is never passed on.
 */
const gatewayJwtSecret = process.env.GATEWAY_JWT_SECRET;

/** Over graphql-ws, a client's credential comes in connectionParams (browsers cannot set WebSocket headers). */
const connectionParamsAuthorization = (context: { connectionParams?: Record<string, string> }) => context.connectionParams?.authorization;
const bearerFromConnectionParams: ExtractTokenFunction = ({ serverContext }) => {
  const token = /^Bearer +(\S+)$/i.exec(connectionParamsAuthorization(serverContext) ?? '')?.[1];
  return token ? { token } : undefined;
};

export const gatewayConfig = defineConfig({
  jwt: gatewayJwtSecret
    ? {
        signingKeyProviders: [createInlineSigningKeyProvider(gatewayJwtSecret)],
        tokenLookupLocations: [extractFromHeader({ name: 'authorization', prefix: 'Bearer' }), bearerFromConnectionParams],
        tokenVerification: { algorithms: ['HS256'] },
        // Anonymous requests go on (the subgraph answers UNAUTHENTICATED); a bad token is refused here.
        reject: { missingToken: false, invalidToken: true },
      }
    : undefined,
  propagateHeaders: {
    fromClientToSubgraphs: ({ request, context }) => ({
      // The gateway subscribes over SSE with a plain GET; this header tells the subgraph's CSRF check
      // it is no browser's, so an anonymous subscription gets UNAUTHENTICATED rather than a 403.
      'x-graphql-yoga-csrf': 'hive-gateway',
      ...(gatewayJwtSecret
        ? { 'x-user-id': (context.jwt?.payload as { sub?: string } | undefined)?.sub }
        : { authorization: request.headers.get('authorization') ?? connectionParamsAuthorization(context) }),
    }),
  },
});
