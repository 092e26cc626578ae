/**
 * A refused request's 400 in words: "<field> <what it must be>", the field
 * named as the client wrote it ("stages[1].percent", "query parameter limit").
 */
import { z } from 'zod';
import { AcsError } from '../../errors';

/** Where a value came from, as OpenAPI's `in` names it (body aside). */
export type Where = 'path' | 'query' | 'header' | 'body';

/** The field as a message names it: "query parameter limit", "sha256 header", "stages[1].percent". */
const NAMED: Record<Where, (name: string) => string> = {
  path: (name) => `path parameter ${name}`,
  query: (name) => `query parameter ${name}`,
  header: (name) => `${name} header`,
  body: (name) => (name === '' ? 'body' : name),
};

/** A 400 naming its field: `field` is "body.url", "query.limit", "path.id", "header.sha256" ("body" for the body as a whole). */
export class FieldError extends AcsError {
  readonly field: string;
  constructor(where: Where, name: string, message: string) {
    super('ACS_ERR_BAD_REQUEST', message);
    this.field = name === '' ? where : `${where}.${name}`;
  }
}

/** ['stages', 1, 'percent'] → "stages[1].percent". */
export function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

const A: Record<string, string> = { object: 'an object', array: 'an array', boolean: 'true or false', int: 'an integer' };

/** Bounds in words: "at least 16 characters", "at most 100 items", "above 0". */
function bound(issue: { origin: string; inclusive?: boolean }, n: number | bigint, side: 'least' | 'most'): string {
  const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? (Number(n) === 1 ? ' item' : ' items') : '';
  if (issue.inclusive === false && unit === '') return `${side === 'least' ? 'above' : 'below'} ${n}`;
  return `at ${side} ${n}${unit}`;
}

/**
 * What a value must be: zod's wording for an issue whose schema gave no
 * message of its own (zod asks only for those: pass it as a parse's `error`).
 */
export function predicate(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${A[issue.expected] ?? `a ${issue.expected}`}`;
    case 'too_small':
      return issue.origin === 'string' && Number(issue.minimum) === 1 ? 'must not be empty' : `must be ${bound(issue, issue.minimum, 'least')}`;
    case 'too_big':
      return `must be ${bound(issue, issue.maximum, 'most')}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')}`;
    case 'invalid_format':
      return `must be a valid ${issue.format}`;
    case 'unrecognized_keys':
      return 'is not a known field';
    case 'invalid_union':
      return issue.input === undefined ? 'is required' : 'matches none of the accepted forms';
    default:
      return undefined;
  }
}

/** A key the schema does not name (unknown-keys.ts), as zod words one it refuses. */
export function unknownField(where: Where, path: readonly PropertyKey[]): FieldError {
  const name = fieldName(path);
  return new FieldError(where, name, `${NAMED[where](name)} is not a known field`);
}

/** The first issue of a failed parse as a FieldError. */
export function firstIssue(error: z.ZodError, where: Where): FieldError {
  const issue = error.issues[0];
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  const name = fieldName(path);
  return new FieldError(where, name, `${NAMED[where](name)} ${issue.message}`);
}
