import { randomBytes } from 'node:crypto';
import { context, propagation, trace } from '@opentelemetry/api';
import { print } from 'graphql';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, onTestFinished, test } from 'vitest';
import { startTracing, type Tracing } from '../src/telemetry/tracing.js';
import { graphql } from './graphql/graphql.js';
import { createAgentsSubgraph } from './support/agents-subgraph.js';
import { databaseKind } from './support/databases.js';
import { startTestApp } from './support/fixtures.js';
import { CREATE_SESSION, createdSession, createSessionVariables } from './support/gateway-documents.js';
import { composeSupergraph, startHiveGateway } from './support/hive-gateway.js';
import { eventually, listen } from './support/subscriptions.js';
import { listenOnLoopback, type Running } from './support/supergraph.js';
import { startServiceProcess } from './support/service-process.js';

const SECRET = 'a-test-secret-of-at-least-thirty-two-bytes';
const exporter = new InMemorySpanExporter();
let tracing: Tracing;
let sessions: Awaited<ReturnType<typeof startTestApp>>;
const running: Running[] = [];
let sessionsUrl: string;
let gatewayUrl: string;
/** What the gateway exported over OTLP (JSON bodies). */
const gatewayExports: string[] = [];

beforeAll(async () => {
  tracing = startTracing({ serviceName: 'agent-sessions', spanProcessor: new SimpleSpanProcessor(exporter) });
  // The endpoint only switches operation spans on here; spans go to the in-memory exporter above.
  sessions = await startTestApp({
    env: { NODE_ENV: 'production', AUTH_JWT_SECRET: SECRET, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' },
  });
  const sessionsSubgraph = await listen(sessions.app);
  const agentsSubgraph = await listenOnLoopback(createAgentsSubgraph([{ id: 'agent-1', name: 'Researcher' }]));
  // A stand-in OTLP collector for the gateway's own spans.
  const collector = await listenOnLoopback((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      gatewayExports.push(body);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }, '/v1/traces');
  running.push(sessionsSubgraph, agentsSubgraph, collector);
  sessionsUrl = sessionsSubgraph.url;
  const gateway = await startHiveGateway(
    await composeSupergraph({ sessions: sessionsSubgraph.url, agents: agentsSubgraph.url }),
    {
      OPENTELEMETRY: collector.url,
    },
  );
  running.unshift(gateway);
  gatewayUrl = gateway.url;
}, 120_000);

afterAll(async () => {
  for (const server of running) await server.close();
  await sessions?.close();
  await tracing?.shutdown();
  // The registration is process-wide, and the next test file may run in this process.
  trace.disable();
  context.disable();
  propagation.disable();
});

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
/** The header of a caller whose span in trace `traceId` is the parent. */
const tracedBy = (traceId: string) => ({ traceparent: `00-${traceId}-${hex(8)}-01` });
const traceOf = (traceId: string) =>
  exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
const names = (spans: ReadableSpan[]) => spans.map((span) => span.name);

/** A span as both the in-memory and the OTLP exporter give it, as far as its place in the tree goes. */
interface SpanNode {
  spanId: string;
  parentSpanId?: string;
  name: string;
}
const nodeOf = (span: ReadableSpan): SpanNode => ({
  spanId: span.spanContext().spanId,
  parentSpanId: span.parentSpanContext?.spanId,
  name: span.name,
});
/** The names of a span's ancestors among `spans`, nearest first. */
function ancestorsAmong(spans: SpanNode[]) {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const ancestors = (span: SpanNode): string[] => {
    const parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
    return parent ? [parent.name, ...ancestors(parent)] : [];
  };
  return ancestors;
}

const SessionReads = graphql(`
  query SessionReads($id: ID!, $agentId: ID!) {
    session(id: $id, agentId: $agentId) {
      id
      messages(first: 5) { edges { node { id } } }
      state { context(last: 3) { id } }
    }
  }
`);

async function post(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string>) {
  const token = await new SignJWT({ sub: 'tracer' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

describe('one trace from the gateway through this service', () => {
  test("a client's trace continues through Hive Gateway into this service's operation and database spans, and its log lines", async () => {
    const traceId = hex(16);
    const clientSpanId = hex(8);
    const created = await post(gatewayUrl, CREATE_SESSION, createSessionVariables('agent-1', 'traced'), {
      traceparent: `00-${traceId}-${clientSpanId}-01`,
    });
    expect(created.errors).toBeUndefined();

    const spans = traceOf(traceId);
    const operation = spans.find((span) => span.name === 'mutation.CreateSession');
    expect(operation, `spans of the trace: ${names(spans).join(', ')}`).toBeDefined();
    // Its parent is a span of the gateway (exported by it), not the client's: the gateway continued the trace.
    const gatewaySpanId = operation!.parentSpanContext!.spanId;
    expect(gatewaySpanId).not.toBe(clientSpanId);
    expect(
      await eventually(
        () => gatewayExports.some((body) => body.includes(traceId) && body.includes(gatewaySpanId)),
        true,
        10_000,
      ),
    ).toBe(true);
    // Prisma's operation and SQL statement spans hang below the operation span.
    const ancestors = ancestorsAmong(spans.map(nodeOf));
    const prismaOperations = spans.filter((span) => span.name === 'prisma:client:operation');
    expect(prismaOperations.length).toBeGreaterThan(0);
    for (const span of prismaOperations) expect(ancestors(nodeOf(span))).toContain('mutation.CreateSession');
    const statements = spans.filter((span) => span.name === 'prisma:client:db_query');
    expect(statements.length).toBeGreaterThan(0);
    expect(statements[0]!.attributes['db.query.text']).toEqual(expect.stringMatching(/^(INSERT|SELECT|UPDATE|BEGIN)/i));

    const requestLines = sessions.logs.filter((line) => line.msg === 'request' && line.operations?.length);
    expect(requestLines.at(-1)).toMatchObject({ traceId, operations: [expect.stringContaining('CreateSession')] });
  });

  test('a request that comes without a trace starts one, and its log line names it', async () => {
    const created = await post(sessionsUrl, CREATE_SESSION, createSessionVariables('agent-1', 'untraced'), {});
    expect(created.errors).toBeUndefined();
    const line = sessions.logs.filter((entry) => entry.msg === 'request').at(-1)!;
    expect(line.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(names(traceOf(line.traceId))).toEqual(
      expect.arrayContaining(['mutation.CreateSession', 'prisma:client:operation']),
    );
  });
});

/** A stand-in OTLP/HTTP collector: the JSON bodies posted to /v1/traces. */
async function startCollector() {
  const received: string[] = [];
  const collector = await listenOnLoopback((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') received.push(body);
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  }, '');
  onTestFinished(() => collector.close());
  return { url: collector.url, received };
}

/** The service as `npm start` runs it (tracing preloaded), exporting to `collectorUrl`. */
async function startTracedService(collectorUrl: string) {
  const service = await startServiceProcess({
    NODE_ENV: 'production',
    AUTH_JWT_SECRET: SECRET,
    OTEL_EXPORTER_OTLP_ENDPOINT: collectorUrl,
  });
  onTestFinished(() => service.stop());
  return { service, url: `http://127.0.0.1:${await service.port}/graphql` };
}

/** Spans are exported in batches; SIGTERM flushes what is left before the process exits. */
async function stopAndFlush(service: Awaited<ReturnType<typeof startServiceProcess>>) {
  service.child.kill('SIGTERM');
  expect(await service.exited).toBe(0);
}

interface ExportedSpan extends SpanNode {
  traceId: string;
  attributes: Array<{ key: string; value: { stringValue?: string } }>;
}
/** The spans of OTLP/JSON export bodies. */
const exportedSpans = (bodies: string[]): ExportedSpan[] =>
  bodies.flatMap((body) =>
    (JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: ExportedSpan[] }> }> }).resourceSpans
      .flatMap((resource) => resource.scopeSpans)
      .flatMap((scope) => scope.spans),
  );

describe('the service as run in production', () => {
  test('with OTEL_EXPORTER_OTLP_ENDPOINT set, exports its spans over OTLP/HTTP, in the trace the caller sent', async () => {
    const collector = await startCollector();
    const { service, url } = await startTracedService(collector.url);

    const traceId = hex(16);
    const created = await post(url, CREATE_SESSION, createSessionVariables('agent-1', 'exported'), tracedBy(traceId));
    expect(created.errors).toBeUndefined();
    await stopAndFlush(service);
    const exported = collector.received.join('\n');
    expect(exported).toContain(traceId);
    expect(exported).toContain('mutation.CreateSession');
    expect(exported).toContain('prisma:client:db_query');
  }, 180_000);

  test.skipIf(databaseKind !== 'postgres')(
    "the reads that go to the driver directly have statement spans below the operation's, which wraps graphql-jit's execution (PostgreSQL only: PGlite has no OpenTelemetry instrumentation)",
    async () => {
      const collector = await startCollector();
      const { service, url } = await startTracedService(collector.url);
      const created = await post(url, CREATE_SESSION, createSessionVariables('agent-1', 'read'), {});
      const { id } = createdSession(created.data);

      const traceId = hex(16);
      const read = await post(url, print(SessionReads), { id, agentId: 'agent-1' }, tracedBy(traceId));
      expect(read.errors).toBeUndefined();
      await stopAndFlush(service);

      const spans = exportedSpans(collector.received).filter((span) => span.traceId === traceId);
      const ancestors = ancestorsAmong(spans);
      const statement = (span: ExportedSpan) =>
        span.attributes.find((attribute) => attribute.key === 'db.query.text')?.value.stringValue ?? '';
      // The driver's statements, not those Prisma sends through the same driver (below Prisma's spans).
      const driverReads = spans
        .filter(
          (span) => span.name.startsWith('pg.query:') && !ancestors(span).some((name) => name.startsWith('prisma:')),
        )
        .map((span) => ({ statement: statement(span), ancestors: ancestors(span) }));
      // The history page, the state, and the nested context window: one statement each.
      for (const sql of [
        /FROM messages WHERE session_id = s\.id AND \(session_id, seq\)/,
        /FROM agent_states/,
        /AND in_context/,
      ]) {
        const read = driverReads.find(({ statement }) => sql.test(statement));
        expect(read, `${sql} among the spans: ${spans.map((span) => span.name).join(', ')}`).toBeDefined();
        expect(read!.ancestors).toContain('query.SessionReads');
      }
      // Statement texts only: parameters (user data) stay out of spans.
      expect(spans.flatMap((span) => span.attributes.map((attribute) => attribute.key))).not.toContain(
        'db.postgresql.values',
      );
    },
    180_000,
  );
});
