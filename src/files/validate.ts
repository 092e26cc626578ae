/**
 * Checks on file names and metadata, each failure a 400 that names the
 * problem. Names end up in URLs given to CPEs and in operators' shells, so
 * they are kept to one plain path segment.
 */
import { AcsError } from '../errors';
import type { FileFilter, FileMeta } from './types';

export const MAX_NAME_LENGTH = 255;
export const MAX_META_LENGTH = 64;
const MAX_CONTENT_TYPE_LENGTH = 255;

// C0 controls, DEL and C1 controls.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A surrogate without its pair: not encodable as UTF-8. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const wellFormed = (s: string) => !LONE_SURROGATE.test(s);

function bad(message: string): AcsError {
  return new AcsError('ACS_ERR_BAD_REQUEST', message);
}

/** The reason `name` cannot name a file, or null when it can. */
export function nameProblem(name: string): string | null {
  if (name === '') return 'file name is empty';
  if (!wellFormed(name)) return 'file name is not valid Unicode';
  if ([...name].length > MAX_NAME_LENGTH) return `file name is longer than ${MAX_NAME_LENGTH} characters`;
  if (CONTROL.test(name)) return 'file name contains a control character';
  if (name.includes('/') || name.includes('\\')) return 'file name contains "/" or "\\"';
  if (name === '.' || name === '..') return 'file name cannot be "." or ".."';
  if (name.trim() !== name) return 'file name starts or ends with white space';
  return null;
}

export function checkName(name: string): string {
  const problem = nameProblem(name);
  if (problem) throw bad(problem);
  return name;
}

function checkField(field: string, value: string | undefined, max: number): void {
  if (value === undefined) return;
  if (value === '') throw bad(`${field} is empty`);
  if (!wellFormed(value) || [...value].length > max) throw bad(`${field} must be at most ${max} characters`);
  if (CONTROL.test(value)) throw bad(`${field} contains a control character`);
}

/** Throws a 400 naming the first bad field. */
export function checkMeta(meta: FileMeta | FileFilter): void {
  for (const field of ['fileType', 'oui', 'productClass', 'version'] as const) checkField(field, meta[field], MAX_META_LENGTH);
  if ('contentType' in meta) checkField('contentType', meta.contentType, MAX_CONTENT_TYPE_LENGTH);
  checkField('deviceKey', meta.deviceKey, MAX_NAME_LENGTH);
}
