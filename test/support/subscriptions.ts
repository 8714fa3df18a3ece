import type { AddressInfo } from 'node:net';
import type { TadaDocumentNode } from 'gql.tada';
import { type DocumentNode, print } from 'graphql';
import { createHttpServer, type WebSocketOptions } from '../../src/http/server.js';
import type { App } from '../../src/app.js';

export interface Listening {
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  close(): Promise<void>;
}

/** Serves the app (HTTP and WebSocket) on 127.0.0.1 at a free port, as main.ts does. */
export async function listen(app: App, options: Partial<WebSocketOptions> = {}): Promise<Listening> {
  const { server, closeWebSockets } = createHttpServer(app, {
    keepAliveMs: 1_000,
    maxPayloadBytes: 10 * 1024 * 1024,
    persistedOperationsOnly: false,
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    async close() {
      await closeWebSockets();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface SseSubscription<Data = any> {
  /** Every `next` payload so far. */
  received: Array<{ data?: Data; errors?: Array<{ message: string; extensions?: Record<string, any> }> }>;
  /** Resolves with the payload at `index` (0-based) once it arrives; rejects after `timeoutMs`. */
  nth(
    index: number,
    timeoutMs?: number,
  ): Promise<{ data?: Data; errors?: Array<{ message: string; extensions?: Record<string, any> }> }>;
  /** Resolves when the server completes the stream. */
  completed: Promise<void>;
  /** Disconnects, as a client that goes away. */
  close(): void;
}

/**
 * A subscription over server-sent events as any SSE client sends it (POST, `Accept: text/event-stream`),
 * read with a small parser of `event:`/`data:` lines. Resolves once the server answered with a stream;
 * rejects with the JSON body when it answered with an error instead. A typed document
 * (test/graphql/graphql.ts) types the variables and the events; a text document is a gateway's
 * (its supergraph has more than schema.graphql).
 */
export async function subscribeSse<Data, Variables>(
  url: string,
  document: TadaDocumentNode<Data, Variables>,
  variables: Variables,
  headers?: Record<string, string>,
): Promise<SseSubscription<Data>>;
export async function subscribeSse<Data = any>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers?: Record<string, string>,
): Promise<SseSubscription<Data>>;
export async function subscribeSse<Data>(
  url: string,
  document: string | DocumentNode,
  variables: unknown,
  headers: Record<string, string> = {},
): Promise<SseSubscription<Data>> {
  const query = typeof document === 'string' ? document : print(document);
  const abort = new AbortController();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const received: SseSubscription<Data>['received'] = [];
  const waiters = new Set<() => void>();
  let finished = false;
  let markCompleted!: () => void;
  const completed = new Promise<void>((resolve) => (markCompleted = resolve));
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = message.split('\n');
          const event = lines
            .find((line) => line.startsWith('event:'))
            ?.slice(6)
            .trim();
          const data = lines
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trim())
            .join('\n');
          if (event === 'next' || (event === undefined && data)) received.push(JSON.parse(data));
          if (event === 'complete') markCompleted();
          waiters.forEach((wake) => wake());
        }
      }
    } catch {
      // Aborted by close().
    } finally {
      finished = true;
      markCompleted();
      waiters.forEach((wake) => wake());
    }
  })();
  return {
    received,
    completed,
    nth(index, timeoutMs = 3_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length > index) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(received[index]!);
          } else if (finished) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`the stream ended after ${received.length} events; expected event #${index}`));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no event #${index} within ${timeoutMs} ms (got ${received.length})`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => abort.abort(),
  };
}

/** Polls `read` until it returns `expected` or `timeoutMs` passes; returns the last value read. */
export async function eventually<T>(read: () => T, expected: T, timeoutMs = 3_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    value = read();
  }
  return value;
}
