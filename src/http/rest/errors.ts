import type { z } from 'zod';
import type { ValidationErrorJson } from './schemas.js';

/** Where a request value came from, as the first element of an upstream `loc`. */
export type Location = 'header' | 'path' | 'query' | 'body';

/** An error that is the response: its status and upstream `detail`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string | ValidationErrorJson[],
  ) {
    super(typeof detail === 'string' ? detail : 'Request validation failed.');
  }
}

/** Echoed inputs are cut to this many characters of JSON: an error never repeats a large input back. */
export const MAX_ECHOED_INPUT = 200;

/** The value at fault as echoed in `input`: itself when short, else the start of its JSON and "…". */
function echoed(value: unknown): unknown {
  const json = JSON.stringify(value);
  return json === undefined || json.length <= MAX_ECHOED_INPUT ? value : `${json.slice(0, MAX_ECHOED_INPUT)}…`;
}

export function validationFailed(issues: ValidationErrorJson[]): HttpError {
  return new HttpError(422, issues);
}

type Issue = z.core.$ZodIssue;

/**
 * Zod's issues in upstream's (FastAPI/pydantic) form: one `{type, loc, msg, input}` each, `loc`
 * starting with where the value came from, `input` the value at fault (the enclosing object when
 * a field is missing), so clients written against upstream can read them.
 */
export function validationIssues(location: Location, error: z.ZodError, input: unknown): ValidationErrorJson[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map((key) => (typeof key === 'symbol' ? String(key) : key));
    if (issue.code === 'unrecognized_keys') {
      const parent = valueAt(input, path);
      return issue.keys.map((key) => ({
        type: 'extra_forbidden',
        loc: [location, ...path, key],
        msg: 'Extra inputs are not permitted',
        input: echoed(valueAt(parent, [key]) ?? null),
      }));
    }
    const value = valueAt(input, path);
    const { type, msg } = describe(issue, value, location);
    // A missing body field reports the object it is missing from; a missing header or parameter, null.
    const reported = type !== 'missing' ? value : location === 'body' ? valueAt(input, path.slice(0, -1)) : null;
    return [{ type, loc: [location, ...path], msg, input: echoed(reported ?? null) }];
  });
}

function describe(issue: Issue, value: unknown, location: Location): { type: string; msg: string } {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return { type: 'missing', msg: 'Field required' };
      return typeMismatch(issue.expected, location);
    case 'invalid_value':
      return {
        type: 'enum',
        msg: `Input should be ${issue.values.map((option) => `'${String(option)}'`).join(', ').replace(/, ([^,]*)$/, ' or $1')}`,
      };
    case 'too_small':
      return issue.origin === 'string'
        ? { type: 'string_too_short', msg: `String should have at least ${issue.minimum} character${issue.minimum === 1 ? '' : 's'}` }
        : { type: 'greater_than_equal', msg: `Input should be greater than or equal to ${issue.minimum}` };
    case 'too_big':
      return issue.origin === 'string'
        ? { type: 'string_too_long', msg: `String should have at most ${issue.maximum} characters` }
        : { type: 'less_than_equal', msg: `Input should be less than or equal to ${issue.maximum}` };
    default:
      return { type: 'value_error', msg: issue.message };
  }
}

function typeMismatch(expected: string, location: Location): { type: string; msg: string } {
  switch (expected) {
    case 'string':
      return { type: 'string_type', msg: 'Input should be a valid string' };
    case 'number':
    case 'int':
      // Query values are text: upstream reports them as unparsable rather than mistyped.
      return location === 'query'
        ? { type: 'int_parsing', msg: 'Input should be a valid integer, unable to parse string as an integer' }
        : { type: 'int_type', msg: 'Input should be a valid integer' };
    case 'object':
    case 'record':
      return { type: 'dict_type', msg: 'Input should be a valid dictionary' };
    case 'array':
      return { type: 'list_type', msg: 'Input should be a valid list' };
    case 'boolean':
      return { type: 'bool_type', msg: 'Input should be a valid boolean' };
    default:
      return { type: 'type_error', msg: `Input should be of type ${expected}` };
  }
}

function valueAt(value: unknown, path: Array<string | number>): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !Object.hasOwn(current, key)) return undefined;
    current = (current as Record<string | number, unknown>)[key];
  }
  return current;
}
