import type { Server } from 'node:http';

/**
 * Stops accepting connections and waits for in-flight requests to finish, at most `timeoutMs`;
 * then cuts what is left. Idle keep-alive connections are closed as they become idle, so a client
 * holding one open cannot stall the shutdown.
 */
export function closeGracefully(server: Server, timeoutMs: number): Promise<'drained' | 'timed out'> {
  return new Promise((resolve) => {
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => {
      server.closeAllConnections();
      finish('timed out');
    }, timeoutMs);
    function finish(outcome: 'drained' | 'timed out') {
      clearInterval(sweeper);
      clearTimeout(deadline);
      resolve(outcome);
    }
    server.close(() => finish('drained'));
    server.closeIdleConnections();
  });
}
