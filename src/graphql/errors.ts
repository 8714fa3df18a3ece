import { GraphQLError, type GraphQLErrorExtensions } from 'graphql';
import type { Logger } from 'pino';
import type { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db/availability.js';
import { AuthenticationError, ServiceUnavailableError } from '../http/errors.js';
import { DomainError, InvalidInputError, WriteOutcomeUnknownError, type InputIssue } from '../sessions/errors.js';

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

export function unauthenticated(): GraphQLError {
  return new GraphQLError('Authentication required: send a bearer token (or the x-user-id header, where this service accepts it).', {
    extensions: { code: 'UNAUTHENTICATED' satisfies ErrorCode },
  });
}

export function badUserInput(issues: InputIssue[]): GraphQLError {
  const details = issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
  return new GraphQLError(`Invalid input: ${details}`, {
    extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode, issues },
  });
}

/** plugin-zod's hook: a failed validation becomes BAD_USER_INPUT with the path of each bad field. */
export function zodValidationError(error: ZodError): GraphQLError {
  return badUserInput(
    error.issues.map((issue) => ({
      path: issue.path.map((key) => (typeof key === 'symbol' ? key.toString() : key)),
      message: issue.message,
    })),
  );
}

/**
 * graphql-js rejects a variable of the wrong shape before any resolver runs, as
 * `Variable "$input" got invalid value … at "input.state.curIter"; <reason>`. That is bad input
 * too; its path becomes an issue like those of field validation.
 */
function variableCoercionIssue(error: GraphQLError): InputIssue | null {
  if (error.path !== undefined) return null;
  const match = /^Variable "\$([^"]+)" (?:got invalid value .*? at "([^"]+)"; |got invalid value .*?; |of (?:required|non-null) type )(.*)$/s.exec(error.message);
  if (!match) return null;
  const [, variable, at, reason] = match;
  const path: InputIssue['path'] = (at ?? variable!)
    .split(/\.|\[(\d+)\]/)
    .filter(Boolean)
    .map((key) => (/^\d+$/.test(key) ? Number(key) : key));
  // A missing required field is reported on its parent object; point at the field itself.
  const missingField = /^Field "([^"]+)" of required type "[^"]+" was not provided\.$/.exec(reason ?? '')?.[1];
  if (missingField) path.push(missingField);
  return { path, message: reason ?? error.message };
}

/**
 * By name rather than instanceof: graphql ships as CommonJS and ESM, and the executor's copy may not
 * be ours.
 */
function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/** The error a resolver threw, under the GraphQLErrors that execution wraps around it. */
function rootCause(error: unknown): unknown {
  let cause = error;
  while (isGraphQLError(cause) && cause.originalError) cause = cause.originalError;
  return cause;
}

/**
 * Yoga's error mask: intentional GraphQL errors pass with their code, domain errors get theirs, and
 * anything else is logged in full and reaches the client only as "Unexpected error.".
 */
export function createErrorMask(logger: Logger) {
  return (error: unknown, message: string): Error => {
    const located = isGraphQLError(error) ? error : undefined;
    const at = { nodes: located?.nodes, path: located?.path };
    /** A client-facing error at the place of the original one. */
    const report = (text: string, extensions: GraphQLErrorExtensions) => new GraphQLError(text, { ...at, extensions });
    const cause = rootCause(error);
    if (cause instanceof DomainError) {
      const extensions = cause instanceof InvalidInputError ? { code: cause.code, issues: cause.issues } : { code: cause.code };
      return report(cause.message, extensions);
    }
    if (cause instanceof AuthenticationError) {
      // A credential that does not hold fails the whole request, with the status HTTP clients expect.
      return report(cause.message, { code: cause.code, http: { status: 401, headers: { 'www-authenticate': 'Bearer' } } });
    }
    if (cause instanceof ServiceUnavailableError || isDatabaseUnavailable(cause)) {
      logger.warn({ err: cause, path: located?.path }, 'a dependency is unavailable');
      const reason = cause instanceof ServiceUnavailableError || cause instanceof WriteOutcomeUnknownError ? cause.message : 'The database is unavailable; retry later.';
      return report(reason, { code: 'SERVICE_UNAVAILABLE' satisfies ErrorCode, http: { status: 503, headers: { 'retry-after': '1' } } });
    }
    if (isGraphQLError(cause)) {
      // Intentional: keep the outer error, which carries the path and graphql-js's full message.
      const reported = located ?? cause;
      // The compiled executor (graphql-jit) may leave `extensions` unset.
      const coded = reported.extensions?.code !== undefined;
      const issue = coded ? null : variableCoercionIssue(reported);
      if (issue) {
        return new GraphQLError(reported.message, { nodes: reported.nodes, extensions: { code: 'BAD_USER_INPUT', issues: [issue] } });
      }
      // graphql-js stops coercing variables after 50 errors and says so in one more error.
      if (!coded && reported.message.startsWith('Too many errors processing variables')) {
        return new GraphQLError(reported.message, { extensions: { code: 'BAD_USER_INPUT', issues: [] } });
      }
      return reported;
    }
    logger.error({ err: cause, path: located?.path }, 'unexpected error while executing an operation');
    return report(message, { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode });
  };
}
