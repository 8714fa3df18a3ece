import { randomUUID } from 'node:crypto';
import { getOperationAST, type ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { requestScope, type Logger } from '../logger.js';
import { originalRequestOf } from './body-limit.js';
import type { Metrics } from './metrics.js';

export const REQUEST_ID_HEADER = 'x-request-id';
/** An incoming id is kept only if it is short and plain, so it cannot forge log lines. */
const ACCEPTABLE_REQUEST_ID = /^[\w.:-]{1,128}$/;
/** Probes and scrapes would drown the request log; they are logged at debug. */
const QUIET_PATHS = new Set(['/health', '/ready', '/metrics']);

interface RequestRecord {
  id: string;
  startedAt: number;
  operations: string[];
  operationTypes: string[];
  errorCodes: string[];
}

/**
 * One JSON log line and one metrics observation per request: request id (the client's
 * x-request-id when acceptable, else a new one; returned in the response), operation names,
 * status, duration and the error codes returned. Headers and variables are never logged, so
 * tokens and user data stay out of the logs.
 */
export function useRequestObservability({ logger, metrics }: { logger: Logger; metrics: Metrics | null }): Plugin {
  const records = new WeakMap<Request, RequestRecord>();
  return {
    onRequest({ request }) {
      const incoming = request.headers.get(REQUEST_ID_HEADER);
      const id = incoming && ACCEPTABLE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
      // The rest of this request runs in this scope: its log lines (an unexpected error's too) carry the id.
      requestScope.enterWith({ requestId: id });
      records.set(request, {
        id,
        startedAt: performance.now(),
        operations: [],
        operationTypes: [],
        errorCodes: [],
      });
    },
    onExecute({ args }) {
      const record = records.get(originalRequestOf((args.contextValue as { request: Request }).request));
      const operation = getOperationAST(args.document, args.operationName);
      if (!record || !operation) return;
      record.operations.push(operation.name?.value ?? '(anonymous)');
      record.operationTypes.push(operation.operation);
    },
    onResultProcess({ request, result }) {
      const record = records.get(originalRequestOf(request));
      if (!record) return;
      for (const single of Array.isArray(result) ? result : [result]) {
        for (const error of (single as ExecutionResult).errors ?? []) {
          record.errorCodes.push(String(error.extensions?.code ?? 'UNKNOWN'));
        }
      }
    },
    onResponse({ request, response }) {
      const record = records.get(originalRequestOf(request));
      if (!record) return;
      response.headers.set(REQUEST_ID_HEADER, record.id);
      const durationMs = performance.now() - record.startedAt;
      const path = new URL(request.url).pathname;
      metrics?.observe({
        method: request.method,
        path,
        status: response.status,
        durationSeconds: durationMs / 1000,
        operationTypes: record.operationTypes,
        errorCodes: record.errorCodes,
      });
      const level = QUIET_PATHS.has(path) ? 'debug' : response.status >= 500 ? 'warn' : 'info';
      logger[level](
        {
          requestId: record.id,
          method: request.method,
          path,
          status: response.status,
          durationMs: Math.round(durationMs * 10) / 10,
          operations: record.operations,
          errorCodes: record.errorCodes,
        },
        'request',
      );
    },
  };
}
