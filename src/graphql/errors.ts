import { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { ZodError } from 'zod';
import { DomainError, InvalidInputError, type InputIssue } from '../sessions/errors.js';

export type ErrorCode = 'UNAUTHENTICATED' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | 'FORBIDDEN' | 'INTERNAL_SERVER_ERROR';

export function unauthenticated(): GraphQLError {
  return new GraphQLError('Authentication required: send the caller in the x-user-id header.', {
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

/** graphql-js reports a variable of the wrong type before any resolver runs; it is bad input too. */
function isVariableCoercionError(error: GraphQLError): boolean {
  return error.path === undefined && /^Variable "\$[^"]+" (got invalid value|of required type|of non-null type)/.test(error.message);
}

/**
 * Yoga's error mask: intentional errors pass with their code, domain errors get theirs, and
 * anything else is logged in full and reaches the client only as "Unexpected error.".
 */
export function createErrorMask(logger: Logger) {
  return (error: unknown, message: string): Error => {
    if (error instanceof GraphQLError) {
      const original = error.originalError;
      if (original instanceof DomainError) {
        const extensions = original instanceof InvalidInputError ? { code: original.code, issues: original.issues } : { code: original.code };
        return new GraphQLError(original.message, { nodes: error.nodes, path: error.path, extensions });
      }
      if (!original || original instanceof GraphQLError) {
        if (error.extensions.code === undefined && isVariableCoercionError(error)) {
          return new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, code: 'BAD_USER_INPUT' } });
        }
        return error;
      }
    }
    const path = error instanceof GraphQLError ? error.path : undefined;
    logger.error({ err: error instanceof GraphQLError ? (error.originalError ?? error) : error, path }, 'unexpected error while executing an operation');
    return new GraphQLError(message, { path, extensions: { code: 'INTERNAL_SERVER_ERROR' satisfies ErrorCode } });
  };
}
