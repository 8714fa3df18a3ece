import { useGraphQlJit } from '@envelop/graphql-jit';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import { getOperationAST } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { RequestLimits } from '../config.js';
import { createContext } from '../graphql/context.js';
import { useEntityRepresentationChecks } from '../graphql/entities.js';
import { createErrorMask } from '../graphql/errors.js';
import { schema } from '../graphql/schema/index.js';
import { subscriptionsOfRequest, type SessionSubscriptions } from '../graphql/subscriptions.js';
import type { Logger } from '../logger.js';
import type { SessionService } from '../sessions/service.js';
import { useRequestBodyLimit } from './body-limit.js';
import { useOperationSpans, useTraceContext } from '../telemetry/graphql.js';
import { useCsrfPrevention } from './csrf.js';
import { createDocumentCache } from './document-cache.js';
import type { GraphiQLPage } from './graphiql.js';
import { useFederationAccess } from './federation-access.js';
import type { CallerResolver } from './identity.js';
import { useCostLimit, useOperationLimits, useOperationTimeout, useResponseSizeLimit } from './limits.js';
import { useMetricsEndpoint, type Metrics } from './metrics.js';
import { useNestingLimit } from './nesting.js';
import { useRequestObservability } from './observability.js';
import { useReadinessProbe } from './readiness.js';
import { useRestRoutes } from './rest/router.js';

export interface YogaOptions {
  sessions: SessionService;
  subscriptions: SessionSubscriptions;
  logger: Logger;
  resolveCaller: CallerResolver;
  /** Null: no GraphiQL. */
  graphiql: GraphiQLPage | null;
  introspection: boolean;
  limits: RequestLimits;
  /** Restricts execution to an allow-list of operations (see persisted-operations.ts). */
  persistedOperations: Plugin | null;
  /** Null: no /metrics endpoint. */
  metrics: Metrics | null;
  /** Resolves when the service can take traffic (database reachable, migrations applied); /ready fails otherwise. */
  checkReady: () => Promise<void>;
  /** Open a span per operation (the OpenTelemetry SDK is registered); an incoming trace id is logged either way. */
  operationSpans: boolean;
}

/** Far above any sensible document (selections, arguments and input literals together), far below a stack overflow. */
const MAX_DOCUMENT_NESTING = 100;

/** Real client queries are a few kilobytes; the compiled-query cache is for them. */
const MAX_COMPILED_DOCUMENT_LENGTH = 20_000;

export function createYogaServer(options: YogaOptions) {
  const { sessions, subscriptions, logger, resolveCaller, limits, metrics } = options;
  const bodyLimit = useRequestBodyLimit({ maxBytes: limits.maxRequestBodyBytes, graphqlEndpoint: '/graphql' });
  return createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    healthCheckEndpoint: '/health',
    graphiql: options.graphiql?.options ?? false,
    renderGraphiQL: options.graphiql?.render,
    landingPage: false,
    // Browsers may read the headers clients act on: the ETag for If-Match, the request id for
    // support, Retry-After for back-off. Origins stay Yoga's default (the request's own).
    cors: { exposedHeaders: ['etag', 'x-request-id', 'retry-after'] },
    // The body limit below reads every body (GraphQL and REST) up to the limit before anything parses
    // it; Yoga's own would stream each GraphQL body through a second, redundant check.
    maxRequestBodySize: false,
    parserAndValidationCache: { documentCache: createDocumentCache(), errorCache: createDocumentCache() },
    batching: limits.maxBatchSize > 0 && { limit: limits.maxBatchSize },
    // The GraphQL-over-HTTP name for a persisted operation's id (see persisted-operations.ts).
    extraParamNames: ['documentId'],
    context: async ({ request }) =>
      createContext(await resolveCaller(request), sessions, subscriptionsOfRequest(subscriptions, request.signal)),
    maskedErrors: { maskError: createErrorMask(logger) },
    logging: {
      debug: (...args) => logger.debug({ args }, 'yoga'),
      info: (...args) => logger.info({ args }, 'yoga'),
      warn: (...args) => logger.warn({ args }, 'yoga'),
      // Yoga logs every error the mask replaced, client errors included, with messages that may
      // quote the request's variables. The mask itself logs what is unexpected; the request log
      // has the codes.
      error: (...args) => logger.debug({ args }, 'yoga'),
    },
    // Order matters. Observability comes before everything else so every request, including those
    // the later plugins reject, is logged, counted and given a request id (and a trace id), in a log
    // scope opened before any plugin awaits; the body limit then reads the body and refuses an
    // oversized one (see body-limit.ts), before any route reads a body or authenticates. The probe
    // and metrics endpoints
    // answer next, then the REST routes (they answer their own paths and validate their own input),
    // before any GraphQL-specific check. CSRF prevention rejects a request before its
    // body is parsed; the allow-list swaps an id for its document before parsing; the armor limits
    // run at parse and validation time, so an abusive document never executes (the nesting limit
    // wraps the token-counting parser armor installs, so it must come after it); the timeout wraps
    // execution alone, compiled or not.
    plugins: [
      useRequestObservability({ logger, metrics }),
      bodyLimit.reader,
      bodyLimit.refuser,
      useTraceContext(),
      useReadinessProbe({
        endpoint: '/ready',
        isReady: async () => {
          try {
            await options.checkReady();
            return true;
          } catch (error) {
            logger.warn({ err: error }, 'not ready');
            return false;
          }
        },
      }),
      metrics && useMetricsEndpoint(metrics),
      useRestRoutes({ sessions, logger, resolveCaller }),
      useCsrfPrevention(),
      options.persistedOperations,
      useOperationLimits(limits, { introspection: options.introspection }),
      useNestingLimit(MAX_DOCUMENT_NESTING),
      !options.introspection && useDisableIntrospection(),
      useFederationAccess({ introspection: options.introspection }),
      useEntityRepresentationChecks(limits.maxEntityRepresentations),
      useCostLimit(limits.maxCost),
      // Compiles each validated query into a specialised executor (cached per document): the nested
      // session list resolves tens of thousands of fields per request. Mutations keep graphql-js,
      // whose input coercion (@oneOf, error paths) the compiled executor does not reproduce, and so
      // do unusually large documents, which would only fill the cache.
      useGraphQlJit(
        {},
        {
          enableIf: ({ document, operationName }) =>
            (document.loc?.end ?? Infinity) <= MAX_COMPILED_DOCUMENT_LENGTH &&
            getOperationAST(document, operationName)?.operation === 'query',
        },
      ),
      // After the compiler: it replaces the execute function, which the operation span's context
      // (see useOperationSpans) and the timeout then wrap.
      options.operationSpans && useOperationSpans(),
      useOperationTimeout(limits.operationTimeoutMs),
      useResponseSizeLimit(limits.maxResponseBytes),
    ].filter((plugin): plugin is Plugin => Boolean(plugin)),
  });
}

export type YogaServer = ReturnType<typeof createYogaServer>;
