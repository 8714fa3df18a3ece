import { isDatabaseUnavailable } from './db/availability.js';
import { DomainError, InvalidInputError, WriteOutcomeUnknownError, type InputIssue } from './sessions/errors.js';

/*
 * What went wrong, classified once for every front door: GraphQL (extensions.code) and REST
 * (status and `detail`) both answer from `classifyError`.
 */

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'TOO_MANY_SUBSCRIPTIONS'
  | 'SERVICE_UNAVAILABLE'
  | 'TIMEOUT'
  | 'INTERNAL_SERVER_ERROR';

/** The credential does not hold (HTTP edge). */
export class AuthenticationError extends Error {
  readonly code = 'UNAUTHENTICATED';
  override name = 'AuthenticationError';
}

/** A dependency (the database, the JWKS endpoint) does not answer: the request may be retried. */
export class ServiceUnavailableError extends Error {
  readonly code = 'SERVICE_UNAVAILABLE';
  override name = 'ServiceUnavailableError';
}

export interface ClassifiedError {
  code: ErrorCode;
  /** What the client may read. */
  message: string;
  /** The status of a response this failure alone decides. */
  status: number;
  headers?: Record<string, string>;
  /** BAD_USER_INPUT: each bad value's path and what is wrong with it. */
  issues?: InputIssue[];
  /** How loudly the edge logs the original error; absent: an expected failure, not logged. */
  log?: 'warn' | 'error';
}

const UNEXPECTED: ClassifiedError = {
  code: 'INTERNAL_SERVER_ERROR',
  message: 'Unexpected error.',
  status: 500,
  log: 'error',
};

/** Any thrown value, as the client is told about it; whatever is not recognised is masked. */
export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof DomainError) {
    switch (error.code) {
      case 'NOT_FOUND':
        return { code: error.code, message: error.message, status: 404 };
      // An expected version is a precondition of the write.
      case 'CONFLICT':
        return { code: error.code, message: error.message, status: 412 };
      case 'BAD_USER_INPUT': {
        const issues = error instanceof InvalidInputError ? error.issues : [{ path: [], message: error.message }];
        return { code: error.code, message: error.message, status: 422, issues };
      }
    }
  }
  if (error instanceof AuthenticationError) {
    return { code: error.code, message: error.message, status: 401, headers: { 'www-authenticate': 'Bearer' } };
  }
  if (error instanceof ServiceUnavailableError || isDatabaseUnavailable(error)) {
    // A lost COMMIT says the write may have been applied, not that nothing was written.
    const message =
      error instanceof ServiceUnavailableError || error instanceof WriteOutcomeUnknownError
        ? error.message
        : 'The database is unavailable; retry later.';
    return { code: 'SERVICE_UNAVAILABLE', message, status: 503, headers: { 'retry-after': '1' }, log: 'warn' };
  }
  return UNEXPECTED;
}
