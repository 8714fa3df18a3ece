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
 * Continues the trace a request comes in: the W3C `traceparent` a gateway sends is the parent of the
 * request's operation span (useOperationSpans), and its trace id goes on the request's log lines
 * even without spans, so logs join the gateway's trace anyway. Early in the plugin list, so requests
 * that later plugins answer or refuse are logged with it too.
 */
export function useTraceContext(): Plugin {
  const parents = new WeakMap<Request, Context>();
  const continueTrace = ({ args }: { args: { contextValue: unknown } }) => {
    const parent = parents.get((args.contextValue as { request: Request }).request);
    if (parent) setCurrentOtelContext(args.contextValue, parent);
  };
  return {
    onRequest({ request }) {
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, headerGetter);
      if (!trace.getSpanContext(parent)) return;
      parents.set(request, parent);
      noteTraceId(parent);
    },
    onExecute: continueTrace,
    onSubscribe: continueTrace,
  };
}

/**
 * One span per operation (`query.Name`, `mutation.Name`, `subscription.Name`) from the envelop
 * OpenTelemetry plugin, on the globally registered provider (src/telemetry/tracing.ts), below the
 * incoming trace (useTraceContext comes earlier); a request that came without a trace starts one,
 * and that trace id is logged. Documents, variables and results stay out of spans: they may hold
 * user data. Goes after every plugin that replaces the execute function (graphql-jit): the span is
 * made the active context by wrapping the execute function the plugin is handed, and a replacement
 * made later would run the operation outside it, its database spans in traces of their own.
 */
export function useOperationSpans(): Plugin {
  const noteOperationTrace = ({ args }: { args: { contextValue: unknown } }) =>
    noteTraceId(getCurrentOtelContext(args.contextValue));
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(
        useOpenTelemetry(
          { document: false, variables: false, result: false, resolvers: false },
          trace.getTracerProvider(),
        ) as Plugin,
      );
      // Added after it: reads the context its span was set in.
      addPlugin({ onExecute: noteOperationTrace, onSubscribe: noteOperationTrace });
    },
  };
}
