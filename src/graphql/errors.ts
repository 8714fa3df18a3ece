import { GraphQLError, type GraphQLErrorExtensions } from 'graphql';
import type { Logger } from 'pino';
import type { ZodError } from 'zod';
import { classifyError, type ErrorCode } from '../errors.js';
import { InvalidInputError, type InputIssue } from '../sessions/errors.js';

export function unauthenticated(): GraphQLError {
  return new GraphQLError(
    'Authentication required: send a bearer token (or the x-user-id header, where this service accepts it).',
    {
      extensions: { code: 'UNAUTHENTICATED' satisfies ErrorCode },
    },
  );
}

/** Bad input found before execution (by a plugin), where no resolver could throw InvalidInputError. */
export function badUserInput(issues: InputIssue[]): GraphQLError {
  const details = issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
  return new GraphQLError(`Invalid input: ${details}`, {
    extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode, issues },
  });
}

/**
 * plugin-zod's hook: a failed validation is invalid input with the path of each bad field — a typed
 * result of a mutation, BAD_USER_INPUT on any other field.
 */
export function zodValidationError(error: ZodError): InvalidInputError {
  return new InvalidInputError(
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
  const match =
    /^Variable "\$([^"]+)" (?:got invalid value .*? at "([^"]+)"; |got invalid value .*?; |of (?:required|non-null) type )(.*)$/s.exec(
      error.message,
    );
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
 * Yoga's error mask: intentional GraphQL errors pass with their code, everything else is classified
 * as REST classifies it (src/errors.ts); what is not recognised is logged in full and reaches the
 * client only as "Unexpected error.".
 */
export function createErrorMask(logger: Logger) {
  return (error: unknown, message: string): Error => {
    const located = isGraphQLError(error) ? error : undefined;
    const cause = rootCause(error);
    if (isGraphQLError(cause)) {
      // Intentional: keep the outer error, which carries the path and graphql-js's full message.
      const reported = located ?? cause;
      // The compiled executor (graphql-jit) may leave `extensions` unset.
      const coded = reported.extensions?.code !== undefined;
      const issue = coded ? null : variableCoercionIssue(reported);
      if (issue) {
        return new GraphQLError(reported.message, {
          nodes: reported.nodes,
          extensions: { code: 'BAD_USER_INPUT', issues: [issue] },
        });
      }
      // graphql-js stops coercing variables after 50 errors and says so in one more error.
      if (!coded && reported.message.startsWith('Too many errors processing variables')) {
        return new GraphQLError(reported.message, { extensions: { code: 'BAD_USER_INPUT', issues: [] } });
      }
      return reported;
    }
    const failure = classifyError(cause);
    if (failure.log === 'warn') logger.warn({ err: cause, path: located?.path }, 'a dependency is unavailable');
    if (failure.log === 'error')
      logger.error({ err: cause, path: located?.path }, 'unexpected error while executing an operation');
    const extensions: GraphQLErrorExtensions = {
      code: failure.code,
      ...(failure.issues && { issues: failure.issues }),
      // A failure of the whole request (credential, dependency) answers with the status HTTP clients expect.
      ...((failure.code === 'UNAUTHENTICATED' || failure.code === 'SERVICE_UNAVAILABLE') && {
        http: { status: failure.status, headers: failure.headers },
      }),
    };
    return new GraphQLError(failure.code === 'INTERNAL_SERVER_ERROR' ? message : failure.message, {
      nodes: located?.nodes,
      path: located?.path,
      extensions,
    });
  };
}
