import {
  InvalidInputError,
  ReferenceNotFoundError,
  SessionNotFoundError,
  TaskNotFoundError,
  VersionConflictError,
  type InputIssue,
} from '../../sessions/errors.js';
import { builder } from '../builder.js';

/*
 * The failures a client branches on, as members of each mutation's result union (plugin-errors
 * catches the domain's error classes). Anything else stays a GraphQL error with extensions.code.
 */

const SessionErrorInterface = builder.interfaceRef<Error>('SessionError').implement({
  description: 'What every expected failure of a session write has.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

builder.objectType(SessionNotFoundError, {
  name: 'SessionNotFoundError',
  description: 'No session of the caller has this id and agent (also when it belongs to someone else).',
  interfaces: [SessionErrorInterface],
  fields: (t) => ({ sessionId: t.exposeID('sessionId') }),
});

builder.objectType(TaskNotFoundError, {
  name: 'SessionTaskNotFoundError',
  description: 'The session has no task with this id.',
  interfaces: [SessionErrorInterface],
  fields: (t) => ({ taskId: t.exposeID('taskId') }),
});

builder.objectType(VersionConflictError, {
  name: 'SessionVersionConflictError',
  description: 'The session is no longer at expectedVersion: nothing was written. Re-read it and retry.',
  interfaces: [SessionErrorInterface],
  fields: (t) => ({
    sessionId: t.exposeID('sessionId'),
    expectedVersion: t.exposeInt('expectedVersion'),
    currentVersion: t.exposeInt('actualVersion', { description: 'The version the session is at.' }),
  }),
});

builder.objectType(ReferenceNotFoundError, {
  name: 'SessionReferenceNotFoundError',
  description:
    "The agent or credential the write names is unknown to its owning subgraph, or not the caller's (only with a reference check configured).",
  interfaces: [SessionErrorInterface],
  fields: (t) => ({
    referenceType: t.exposeString('type', { description: '`Agent` or `Credential`.' }),
    referenceId: t.exposeID('id'),
  }),
});

const InputIssueRef = builder.objectRef<InputIssue>('SessionInputIssue').implement({
  description: 'One invalid value of the input.',
  fields: (t) => ({
    path: t.stringList({
      description: 'Where the value is, from the mutation argument down (list indexes as strings).',
      resolve: (issue) => issue.path.map(String),
    }),
    message: t.exposeString('message'),
  }),
});

builder.objectType(InvalidInputError, {
  name: 'SessionInvalidInputError',
  description: 'The input breaks a rule: nothing was written.',
  interfaces: [SessionErrorInterface],
  fields: (t) => ({ issues: t.field({ type: [InputIssueRef], resolve: (error) => error.issues }) }),
});

/** Writes that name an agent or a credential (create, update) may meet this too. */
export const REFERENCE_ERRORS = [ReferenceNotFoundError];
/** Every write of an existing session may meet these. */
export const SESSION_WRITE_ERRORS = [SessionNotFoundError, VersionConflictError, InvalidInputError];
/** Writes of one task meet these too. */
export const TASK_WRITE_ERRORS = [...SESSION_WRITE_ERRORS, TaskNotFoundError];

/** Input fields every write has (WriteOptions): their issues lie directly under the argument, whatever `at` says. */
const WRITE_OPTION_FIELDS = ['expectedVersion', 'idempotencyKey'];

/**
 * Runs a domain write whose input issues are relative to one part of the mutation's input (`at`),
 * so the issues the client gets point into what it sent.
 */
export function withIssuesAt<Result>(at: Array<string | number>, write: () => Promise<Result>): Promise<Result>;
/** …and issues starting with one of `nested.when` lie under `nested.under`. */
export function withIssuesAt<Result>(
  at: Array<string | number>,
  nested: { under: string[]; when: string[] },
  write: () => Promise<Result>,
): Promise<Result>;
export async function withIssuesAt<Result>(
  at: Array<string | number>,
  ...rest: [() => Promise<Result>] | [{ under: string[]; when: string[] }, () => Promise<Result>]
): Promise<Result> {
  const [nested, write] = rest.length === 1 ? [null, rest[0]] : rest;
  const placed = (path: InputIssue['path']) => {
    if (WRITE_OPTION_FIELDS.includes(String(path[0]))) return [...at.slice(0, 1), ...path];
    return nested?.when.includes(String(path[0])) ? [...at, ...nested.under, ...path] : [...at, ...path];
  };
  try {
    return await write();
  } catch (error) {
    if (error instanceof InvalidInputError)
      throw new InvalidInputError(error.issues.map((issue) => ({ ...issue, path: placed(issue.path) })));
    throw error;
  }
}
