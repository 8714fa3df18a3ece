import type { z } from 'zod';
import { LIMITS } from '../../sessions/limits.js';
import { nestsWithin } from '../../sessions/text.js';
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

/**
 * The value at fault as echoed in `input`: itself when short, else the start of its JSON (or text)
 * and "…"; null when absent or nested too deep to serialise.
 */
export function echoed(value: unknown): unknown {
  if (value === undefined || !nestsWithin(value, LIMITS.jsonObjectDepth)) return null;
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length <= MAX_ECHOED_INPUT ? value : `${text.slice(0, MAX_ECHOED_INPUT)}…`;
}

export function validationFailed(issues: ValidationErrorJson[]): HttpError {
  return new HttpError(422, issues);
}

type Issue = z.core.$ZodIssue;

/** pydantic's words for a body that is not an object (the body is a model, not a dict). */
export const NOT_AN_OBJECT = {
  type: 'model_attributes_type',
  msg: 'Input should be a valid dictionary or object to extract fields from',
} as const;

/**
 * Zod's issues in upstream's (FastAPI/pydantic) form: one `{type, loc, msg, input, ctx?}` each, `loc`
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
        input: echoed(valueAt(parent, [key])),
      }));
    }
    const value = valueAt(input, path);
    const { type, msg, ctx } = describe(issue, value, location, path.length === 0);
    // A missing body field reports the object it is missing from; a missing header or parameter, null.
    const reported = type !== 'missing' ? value : location === 'body' ? valueAt(input, path.slice(0, -1)) : null;
    return [{ type, loc: [location, ...path], msg, input: echoed(reported), ...(ctx && { ctx }) }];
  });
}

interface Described {
  type: string;
  msg: string;
  /** pydantic's context of the error kinds that have one: the expected values or the bound. */
  ctx?: Record<string, unknown>;
}

/** A custom zod issue may name its pydantic error kind, e.g. `{ params: { type: 'int_parsing' } }`. */
const CUSTOM_KINDS: Record<string, Omit<Described, 'type'>> = {
  int_parsing: { msg: 'Input should be a valid integer, unable to parse string as an integer' },
};

function describe(issue: Issue, value: unknown, location: Location, atRoot: boolean): Described {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return { type: 'missing', msg: 'Field required' };
      // The body itself is a model: pydantic names a non-object there differently from a nested dict.
      if (location === 'body' && atRoot) return NOT_AN_OBJECT;
      return typeMismatch(issue.expected);
    case 'invalid_value': {
      const expected = issue.values
        .map((option) => `'${String(option)}'`)
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1');
      return { type: 'enum', msg: `Input should be ${expected}`, ctx: { expected } };
    }
    case 'too_small':
      return issue.origin === 'string'
        ? {
            type: 'string_too_short',
            msg: `String should have at least ${issue.minimum} character${issue.minimum === 1 ? '' : 's'}`,
            ctx: { min_length: Number(issue.minimum) },
          }
        : {
            type: 'greater_than_equal',
            msg: `Input should be greater than or equal to ${issue.minimum}`,
            ctx: { ge: Number(issue.minimum) },
          };
    case 'too_big':
      return issue.origin === 'string'
        ? {
            type: 'string_too_long',
            msg: `String should have at most ${issue.maximum} characters`,
            ctx: { max_length: Number(issue.maximum) },
          }
        : {
            type: 'less_than_equal',
            msg: `Input should be less than or equal to ${issue.maximum}`,
            ctx: { le: Number(issue.maximum) },
          };
    case 'custom': {
      const kind = typeof issue.params?.type === 'string' ? issue.params.type : undefined;
      const known = kind === undefined ? undefined : CUSTOM_KINDS[kind];
      if (kind && known) return { type: kind, ...known };
      return valueError(issue.message);
    }
    default:
      return valueError(issue.message);
  }
}

/** A rule of this service's own, in the form pydantic gives a validator's ValueError. */
export function valueError(message: string): Described {
  return { type: 'value_error', msg: `Value error, ${message}`, ctx: { error: message } };
}

function typeMismatch(expected: string): Described {
  switch (expected) {
    case 'string':
      return { type: 'string_type', msg: 'Input should be a valid string' };
    case 'number':
    case 'int':
      return { type: 'int_type', msg: 'Input should be a valid integer' };
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
