import type { Plugin } from 'graphql-yoga';

/**
 * MAX_REQUEST_BODY_BYTES for every route (GraphQL, REST, anything added later), enforced first:
 * a declared Content-Length over the limit is refused before a byte is read, and a body without
 * one (chunked) is read only up to the limit. Either way the answer is 413 before any
 * authentication or parsing work. A body within the limit is handed on already read, so no route
 * can read more than the limit.
 */
export function useRequestBodyLimit({ maxBytes, graphqlEndpoint }: { maxBytes: number; graphqlEndpoint: string }): Plugin {
  const message = `Request body too large: at most ${maxBytes} bytes.`;
  return {
    async onRequest({ request, url, setRequest, endResponse, fetchAPI }) {
      const refuse = (status: number, text: string) => {
        // Each route's error shape: GraphQL's errors, or the REST routes' `detail`.
        const body =
          url.pathname === graphqlEndpoint
            ? { errors: [{ message: text, extensions: { code: status === 413 ? 'REQUEST_ENTITY_TOO_LARGE' : 'BAD_REQUEST' } }] }
            : { detail: text };
        endResponse(new fetchAPI.Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', connection: 'close' } }));
      };
      const declared = request.headers.get('content-length');
      if (declared !== null) {
        // Only a single non-negative integer is a Content-Length (a list is a smuggling attempt).
        if (!/^\d+$/.test(declared)) return refuse(400, 'The Content-Length header is invalid.');
        if (Number(declared) > maxBytes) return refuse(413, message);
      }
      if (!request.body) return;
      const reader = request.body.getReader();
      const chunks: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        total += value.byteLength;
        if (total > maxBytes) {
          void reader.cancel().catch(() => {});
          return refuse(413, message);
        }
        chunks.push(value);
      }
      setRequest(new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, body: Buffer.concat(chunks) }));
    },
  };
}
