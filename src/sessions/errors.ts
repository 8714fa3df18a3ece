/** Errors the domain raises on purpose; the GraphQL and HTTP edges map them to codes and statuses. */
export abstract class DomainError extends Error {
  abstract readonly code: 'NOT_FOUND' | 'CONFLICT' | 'BAD_USER_INPUT';
}

export class SessionNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  override name = 'SessionNotFoundError';
  constructor(readonly sessionId: string) {
    super(`Session '${sessionId}' not found.`);
  }
}

export class TaskNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  override name = 'TaskNotFoundError';
  constructor(readonly taskId: string) {
    super(`Task '${taskId}' not found in this session.`);
  }
}

/** An agent or credential that its owner does not know, or that is not the caller's: the same answer for both. */
export class ReferenceNotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  override name = 'ReferenceNotFoundError';
  constructor(
    readonly type: string,
    readonly id: string,
  ) {
    super(`${type} '${id}' not found.`);
  }
}

export class VersionConflictError extends DomainError {
  readonly code = 'CONFLICT';
  override name = 'VersionConflictError';
  constructor(
    readonly sessionId: string,
    readonly expectedVersion: number,
    readonly actualVersion: number,
  ) {
    super(
      `Session '${sessionId}' is at version ${actualVersion}, not the expected ${expectedVersion}; re-read it and retry.`,
    );
  }
}

export interface InputIssue {
  path: Array<string | number>;
  message: string;
}

export class InvalidInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  override name = 'InvalidInputError';
  constructor(readonly issues: InputIssue[]) {
    super(issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
}

/**
 * The connection to the database broke while a write's COMMIT was under way: the write may or may
 * not have been applied. Not a domain error: the edges report it as SERVICE_UNAVAILABLE, with this
 * message instead of "nothing was written".
 */
export class WriteOutcomeUnknownError extends Error {
  override name = 'WriteOutcomeUnknownError';
  constructor(withKey: boolean, options: { cause: unknown }) {
    super(
      withKey
        ? 'The database connection was lost while the write was being committed: it may have been applied. Retry with the same idempotency key.'
        : 'The database connection was lost while the write was being committed: it may have been applied. Re-read the session before retrying, or send an idempotency key so that a retry is safe.',
      options,
    );
  }
}
