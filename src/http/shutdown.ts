import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Stops accepting connections and waits for in-flight requests to finish, at most `timeoutMs`;
 * then cuts what is left. Idle keep-alive connections are closed as they become idle, so a client
 * holding one open cannot stall the shutdown. A request that arrives meanwhile on a kept-alive
 * connection is answered with `Connection: close`: the client then opens no further request on a
 * connection about to be closed under it (which it would see as a reset, not knowing whether the
 * request was served).
 */
export function closeGracefully(server: Server, timeoutMs: number): Promise<'drained' | 'timed out'> {
  const closeAfterResponse = (_request: IncomingMessage, response: ServerResponse) => {
    if (!response.headersSent) response.setHeader('connection', 'close');
  };
  server.prependListener('request', closeAfterResponse);
  return new Promise((resolve) => {
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      server.closeAllConnections();
      finish('timed out');
    }, timeoutMs);
    function finish(outcome: 'drained' | 'timed out') {
      clearInterval(sweeper);
      clearTimeout(deadline);
      server.off('request', closeAfterResponse);
      resolve(outcome);
    }
    server.close(() => finish('drained'));
    server.closeIdleConnections();
  });
}
