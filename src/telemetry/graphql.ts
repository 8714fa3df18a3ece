import { getCurrentOtelContext, setCurrentOtelContext, useOpenTelemetry } from '@envelop/opentelemetry';
import { isSpanContextValid, ROOT_CONTEXT, trace, type Context, type TextMapGetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { Plugin } from 'graphql-yoga';
import { requestScope } from '../logger.js';

const propagator = new W3CTraceContextPropagator();
const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/** Puts the trace id on the rest of the request's log lines (the logger mixes the request scope in). */
function noteTraceId(context: Context) {
  const spanContext = trace.getSpanContext(context);
  const scope = requestScope.getStore();
  if (scope && spanContext && isSpanContextValid(spanContext)) scope.traceId = spanContext.traceId;
}

/**
 * Tracing of GraphQL requests. The W3C `traceparent` a gateway sends is the parent of the request's
 * operation span, and its trace id goes on the request's log lines even with `spans` off, so logs
 * join the gateway's trace anyway. With `spans`, the envelop OpenTelemetry plugin opens one span
 * per operation (`query.Name`, `mutation.Name`, `subscription.Name`) on the globally registered
 * provider (src/telemetry/tracing.ts); a request that came without a trace starts one, and that
 * trace id is logged. Documents, variables and results stay out of spans: they may hold user data.
 */
export function useTracing({ spans }: { spans: boolean }): Plugin {
  const parents = new WeakMap<Request, Context>();
  const continueTrace = ({ args }: { args: { contextValue: unknown } }) => {
    const parent = parents.get((args.contextValue as { request: Request }).request);
    if (parent) setCurrentOtelContext(args.contextValue, parent);
  };
  const noteOperationTrace = ({ args }: { args: { contextValue: unknown } }) =>
    noteTraceId(getCurrentOtelContext(args.contextValue));
  return {
    onPluginInit({ addPlugin }) {
      // Order matters: the parent is set before the operation span opens, which is read after.
      addPlugin({
        onRequest({ request }) {
          const parent = propagator.extract(ROOT_CONTEXT, request.headers, headerGetter);
          if (!trace.getSpanContext(parent)) return;
          parents.set(request, parent);
          noteTraceId(parent);
        },
        onExecute: continueTrace,
        onSubscribe: continueTrace,
      });
      if (!spans) return;
      addPlugin(
        useOpenTelemetry(
          { document: false, variables: false, result: false, resolvers: false },
          trace.getTracerProvider(),
        ) as Plugin,
      );
      addPlugin({ onExecute: noteOperationTrace, onSubscribe: noteOperationTrace });
    },
  };
}
