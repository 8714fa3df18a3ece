/** Errors of the HTTP edge; GraphQL and REST map them to their codes and statuses. */
export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED';
  override name = 'AuthenticationError';
}

/** A dependency (the database, the JWKS endpoint) does not answer: the request may be retried. */
export class ServiceUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE';
  override name = 'ServiceUnavailableError';
}
