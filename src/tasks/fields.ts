/**
 * Readers of a task body's fields. Each takes the raw JSON value and the
 * field's name as the operator wrote it, and either returns the value in the
 * shape the CWMP request wants or throws ACS_ERR_BAD_REQUEST naming the field.
 * Limits are the TR-069 schema's (cwmp-1-2.xsd and later).
 */
import { randomBytes } from 'node:crypto';
import { AcsError } from '../errors';

/** The task body as parsed JSON. */
export type Body = Record<string, unknown>;

/** TR-069 names are string(256); no control characters. */
export const MAX_NAME = 256;
/** CommandKeyType and ParameterKeyType: string(32). */
export const MAX_KEY = 32;
const CONTROL = /[\u0000-\u001f\u007f]/;

export function bad(message: string): never {
  throw new AcsError('ACS_ERR_BAD_REQUEST', message);
}

export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
}

/** A string of at most `max` characters, without control characters; `undefined` when absent and optional. */
export function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string') bad(`${field} must be a string, found ${show(value)}`);
  if (value.length > max) bad(`${field} is longer than ${max} characters (${value.length})`);
  if (CONTROL.test(value)) bad(`${field} contains a control character`);
  return value;
}

export function optionalText(value: unknown, field: string, max: number, fallback = ''): string {
  return value === undefined ? fallback : text(value, field, max);
}

export function nonEmptyText(value: unknown, field: string, max: number): string {
  const s = text(value, field, max);
  if (s === '') bad(`${field} must not be empty`);
  return s;
}

/** xsd:unsignedInt (a JSON integer or its decimal string); `min` for the fields TR-069 wants positive. */
export function unsignedInt(value: unknown, field: string, min = 0): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > 0xffffffff) {
    bad(`${field} must be an integer from ${min} to 4294967295, found ${show(value)}`);
  }
  return n;
}

export function optionalUnsignedInt(value: unknown, field: string, fallback = 0): number {
  return value === undefined ? fallback : unsignedInt(value, field);
}

/** xsd:int, for MaxRetries (-1 and up). */
export function int(value: unknown, field: string, min: number): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > 0x7fffffff) {
    bad(`${field} must be an integer from ${min} to 2147483647, found ${show(value)}`);
  }
  return n;
}

export function boolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean') bad(`${field} must be true or false, found ${show(value)}`);
  return value;
}

export function array(value: unknown, field: string, min: number, max = Infinity): unknown[] {
  if (!Array.isArray(value)) bad(`${field} must be an array, found ${show(value)}`);
  if (value.length < min) bad(`${field} must have at least ${min} ${min === 1 ? 'entry' : 'entries'}`);
  if (value.length > max) bad(`${field} must have at most ${max} entries (${value.length})`);
  return value;
}

export function object(value: unknown, field: string): Body {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) bad(`${field} must be a JSON object, found ${show(value)}`);
  return value as Body;
}

/** Refuses fields the task type does not know, so a typo ("comandKey") is not silently ignored; `tolerated` ones pass unnamed. */
export function onlyFields(body: Body, allowed: readonly string[], where: string, tolerated: readonly string[] = []): void {
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k) && !tolerated.includes(k));
  if (unknown.length > 0) bad(`${where}: unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')} (known: ${allowed.join(', ') || 'none'})`);
}

/** A CommandKey: the operator's, or a random one, so the CPE's TransferComplete / M Reboot can be told apart. */
export function commandKey(value: unknown, field = 'commandKey'): string {
  return value === undefined ? randomCommandKey() : text(value, field, MAX_KEY);
}

export function randomCommandKey(): string {
  return `task-${randomBytes(4).toString('hex')}`;
}

export function parameterKey(value: unknown): string {
  return optionalText(value, 'parameterKey', MAX_KEY);
}

/** URLs of Download/Upload (string(256)): absolute, with a scheme a CPE can fetch. */
export function url(value: unknown, field: string, max = MAX_NAME): string {
  const s = nonEmptyText(value, field, max);
  let parsed: URL;
  try {
    parsed = new URL(s);
  } catch {
    bad(`${field} is not an absolute URL: ${show(s)}`);
  }
  if (!['http:', 'https:', 'ftp:'].includes(parsed.protocol)) bad(`${field} must be an http, https or ftp URL: ${show(s)}`);
  return s;
}

/** A URL field that may be absent ("" on the wire). */
export function optionalUrl(value: unknown, field: string): string {
  return value === undefined || value === '' ? '' : url(value, field);
}
