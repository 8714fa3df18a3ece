import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PrismaInstrumentation, registerInstrumentations } from '@prisma/instrumentation';

export interface Tracing {
  /** Exports what is still buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * Registers the process-wide OpenTelemetry SDK: AsyncLocalStorage context, W3C trace-context
 * propagation, Prisma's instrumentation (a span per Prisma operation and per SQL statement it
 * sends) and node-postgres' (a span per statement sent to PostgreSQL, the reads that go to the
 * driver directly included). The pg instrumentation patches `pg` as it is loaded, so tracing must
 * start before the database module loads: src/telemetry/register.ts, preloaded by `npm start`.
 * The GraphQL operation spans come from the Yoga plugin (see src/telemetry/graphql.ts).
 * `spanProcessor` defaults to batching to OTLP over HTTP, configured by the standard
 * OTEL_EXPORTER_OTLP_* variables; tests pass an in-memory one.
 */
export function startTracing({
  serviceName,
  spanProcessor,
}: {
  serviceName: string;
  spanProcessor?: SpanProcessor;
}): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [spanProcessor ?? new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [
      new PrismaInstrumentation(),
      // Only inside a trace: readiness probes and start-up migrations would each start one of their own.
      // Statement texts are recorded, their parameters not (they hold user data).
      new PgInstrumentation({ requireParentSpan: true }),
    ],
  });
  return {
    async shutdown() {
      unregister();
      await provider.shutdown();
    },
  };
}
