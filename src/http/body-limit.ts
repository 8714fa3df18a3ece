import type { Plugin } from 'graphql-yoga';

/**
 * MAX_REQUEST_BODY_BYTES for every route (GraphQL, REST, anything added later), enforced first:
 * a declared Content-Length over the limit is refused before a byte is read, and a body without
 * one (chunked) is read only up to the limit. Either way the answer is 413 before any
 * authentication or parsing work. A chunked body within the limit is handed on already read, so no
 * route can read more than the limit; a declared length within the limit needs no reading here, as
 * HTTP's framing ends the body there.
 *
 * Two plugins: `reader` comes right after the request log (which must open the request's log scope
 * before anything awaits), so every later plugin sees the request it hands on; `refuser` comes right
 * after it, so a refusal is logged and counted like any other response.
 */
/**
 * The request each request the reader handed on replaces: plugins that met the original (the request
 * log, which must come first to scope the request's log lines) find their state through it.
 */
const originals = new WeakMap<Request, Request>();

export function originalRequestOf(request: Request): Request {
  return originals.get(request) ?? request;
}

export function useRequestBodyLimit({ maxBytes, graphqlEndpoint }: { maxBytes: number; graphqlEndpoint: string }): {
  reader: Plugin;
  refuser: Plugin;
} {
  const refusals = new WeakMap<Request, { status: number; message: string }>();
  const tooLarge = { status: 413, message: `Request body too large: at most ${maxBytes} bytes.` };
  const reader: Plugin = {
    async onRequest({ request, setRequest, fetchAPI }) {
      const refuse = (refusal: { status: number; message: string }) => {
        // A request without the body, marked: the refuser answers it.
        const marked = new fetchAPI.Request(request.url, {
          method: request.method,
          headers: request.headers,
          signal: request.signal,
        });
        refusals.set(marked, refusal);
        originals.set(marked, request);
        setRequest(marked);
      };
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        // Only a single non-negative integer is a Content-Length (a list is a smuggling attempt).
        if (!/^\d+$/.test(declared)) return refuse({ status: 400, message: 'The Content-Length header is invalid.' });
        if (Number(declared) > maxBytes) return refuse(tooLarge);
        return;
      }
      if (!request.body) return;
      const body = request.body.getReader();
      const chunks: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const { value, done } = await body.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          void body.cancel().catch(() => {});
          return refuse(tooLarge);
        }
        chunks.push(value);
      }
      const read = new fetchAPI.Request(request.url, {
        method: request.method,
        headers: request.headers,
        signal: request.signal,
        body: Buffer.concat(chunks),
      });
      originals.set(read, request);
      setRequest(read);
    },
  };
  const refuser: Plugin = {
    onRequest({ request, url, endResponse, fetchAPI }) {
      const refusal = refusals.get(request);
      if (!refusal) return;
      // Each route's error shape: GraphQL's errors, or the REST routes' `detail`.
      const body =
        url.pathname === graphqlEndpoint
          ? {
              errors: [
                {
                  message: refusal.message,
                  extensions: { code: refusal.status === 413 ? 'REQUEST_ENTITY_TOO_LARGE' : 'BAD_REQUEST' },
                },
              ],
            }
          : { detail: refusal.message };
      endResponse(
        new fetchAPI.Response(JSON.stringify(body), {
          status: refusal.status,
          headers: { 'content-type': 'application/json', connection: 'close' },
        }),
      );
    },
  };
  return { reader, refuser };
}
