import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Plugin } from 'graphql-yoga';
import type { PoolStats } from '../db/database.js';
import type { ErrorCode } from '../errors.js';

// Label values must come from small fixed sets: clients choose paths, methods and error codes,
// and every distinct value would be a new time series.
const ROUTES = new Set(['/graphql', '/health', '/ready', '/metrics']);
const METHODS = new Set(['GET', 'POST', 'OPTIONS', 'HEAD']);
const CODES = new Set<string>([
  'UNAUTHENTICATED',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'FORBIDDEN',
  'TOO_MANY_SUBSCRIPTIONS',
  'SERVICE_UNAVAILABLE',
  'TIMEOUT',
  'INTERNAL_SERVER_ERROR',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'REQUEST_ENTITY_TOO_LARGE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_ONLY',
] satisfies Array<ErrorCode | string>);

export interface RequestObservation {
  method: string;
  path: string;
  status: number;
  durationSeconds: number;
  operationTypes: string[];
  errorCodes: string[];
}

export interface Metrics {
  registry: Registry;
  observe(request: RequestObservation): void;
}

/** Prometheus metrics of one service instance (a registry of its own, so tests can run several). */
export function createMetrics(poolStats: () => PoolStats | null, openSubscriptions: () => number): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route, method and status.',
    labelNames: ['route', 'method', 'status'],
    registers,
  });
  const durations = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request durations by route and method.',
    labelNames: ['route', 'method'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers,
  });
  const operations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations executed, by type.',
    labelNames: ['type'],
    registers,
  });
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'GraphQL errors returned, by extensions.code.',
    labelNames: ['code'],
    registers,
  });
  new Gauge({
    name: 'graphql_subscriptions_open',
    help: 'Subscriptions open on this instance (SSE and WebSocket).',
    registers,
    collect() {
      this.set(openSubscriptions());
    },
  });
  if (poolStats()) {
    new Gauge({
      name: 'db_pool_connections',
      help: 'Database pool connections: total, idle, and requests waiting for one.',
      labelNames: ['state'],
      registers,
      collect() {
        const stats = poolStats();
        if (!stats) return;
        this.set({ state: 'total' }, stats.total);
        this.set({ state: 'idle' }, stats.idle);
        this.set({ state: 'waiting' }, stats.waiting);
      },
    });
    new Gauge({
      name: 'db_pool_max_connections',
      help: 'The configured size of the database pool.',
      registers,
      collect() {
        this.set(poolStats()?.max ?? 0);
      },
    });
  }
  return {
    registry,
    observe({ method, path, status, durationSeconds, operationTypes, errorCodes }) {
      const route = ROUTES.has(path) ? path : 'other';
      const knownMethod = METHODS.has(method) ? method : 'OTHER';
      requests.inc({ route, method: knownMethod, status: String(status) });
      durations.observe({ route, method: knownMethod }, durationSeconds);
      for (const type of operationTypes) operations.inc({ type });
      for (const code of errorCodes) errors.inc({ code: CODES.has(code) ? code : 'OTHER' });
    },
  };
}

/** Serves the registry at /metrics, in Prometheus' text format. */
export function useMetricsEndpoint(metrics: Metrics): Plugin {
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/metrics') return;
      endResponse(
        new fetchAPI.Response(await metrics.registry.metrics(), {
          headers: { 'content-type': metrics.registry.contentType },
        }),
      );
    },
  };
}
