import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';

/**
 * Yoga's CSRF prevention, also satisfied by the caller's credential headers. Cross-site request
 * forgery rides on credentials a browser attaches by itself (cookies, cached Basic auth); this
 * service accepts none of those. A bearer token or `x-user-id` is set by a script, and a browser
 * sends such a header only after a CORS preflight, so a request carrying one was preflighted or
 * comes from a server: a gateway's SSE subscription (a plain GET with `Accept: text/event-stream`)
 * passes, while a browser's simple GET or form POST without credentials is still refused (and a
 * `Basic` header a browser attached by itself is then refused as UNAUTHENTICATED).
 */
export function useCsrfPrevention() {
  return useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf', 'authorization', 'x-user-id'] });
}
