// Failures that mean "the database is not reachable right now", as opposed to a bad statement:
// they surface as SERVICE_UNAVAILABLE (retryable) rather than as an internal error.
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
// Prisma: can't reach, timed out, server closed the connection, pool timeout.
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH']);
// SQLSTATE class 08 (connection exception), shutdown/starting up, too many connections.
const SQLSTATE = /^(08...|57P0[123]|53300)$/;
// node-postgres reports its own timeouts and lost connections only by message.
// ("timeout expired": a connection that did not open within DATABASE_CONNECT_TIMEOUT_MS.)
const PG_MESSAGES =
  /^(Connection terminated|timeout exceeded when trying to connect|timeout expired$|Query read timeout)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const { code, meta, name } = cause as {
      code?: unknown;
      name: string;
      meta?: { driverAdapterError?: { cause?: { kind?: string } } };
    };
    if (typeof code === 'string' && (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || SQLSTATE.test(code)))
      return true;
    // Wrapped by Prisma, or as the adapter throws it (a transaction's COMMIT): its cause is a plain object.
    const adapterError =
      name === 'DriverAdapterError' ? (cause as { cause?: { kind?: string } }) : meta?.driverAdapterError;
    const kind = adapterError?.cause?.kind;
    if (kind && ADAPTER_KINDS.has(kind)) return true;
    if (PG_MESSAGES.test(cause.message)) return true;
  }
  return false;
}

/**
 * No connection could be had for a statement, so it was never sent (its cause says why). Any other
 * unavailability (a connection lost or timed out mid-statement) leaves the statement's outcome unknown.
 */
export class NotConnectedError extends Error {
  override name = 'NotConnectedError';
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}
