/**
 * Parameter path arithmetic. Objects end with "."; numbered objects
 * ("Device.IP.Interface.3.") are instances. Subtrees are found with a
 * half-open range [prefix, successor(prefix)) on the byte-ordered path
 * column: no LIKE, so the "_" and "%" in real parameter names are harmless,
 * and "Device.IP.Interface.1." does not match "Device.IP.Interface.10.".
 */
import { isInstanceNumber } from '../model/instance-number';
import type { CachedParameter } from './types';

export type Kind = CachedParameter['kind'];

/** Longest parameter path the store keeps (TR-069 says string(256); some CPEs exceed it, the column holds 512). */
export const MAX_PATH_LENGTH = 512;

export function isObjectPath(path: string): boolean {
  return path === '' || path.endsWith('.');
}

/** "A.B.3." is an instance; "A.B.funcObj." or "A.B.0." is only an object, whatever table it sits in. */
export function kindOfPath(path: string): Kind {
  if (!path.endsWith('.')) return 'leaf';
  const segments = path.split('.');
  return isInstanceNumber(segments[segments.length - 2] ?? '') ? 'instance' : 'object';
}

/** The object paths strictly above `path`: "A.B.1.C" -> ["A.", "A.B.", "A.B.1."]. */
export function ancestorsOf(path: string): string[] {
  const out: string[] = [];
  let i = path.indexOf('.');
  while (i >= 0 && i < path.length - 1) {
    out.push(path.slice(0, i + 1));
    i = path.indexOf('.', i + 1);
  }
  return out;
}

/** The smallest string greater than every string starting with `prefix`; null for "" (no bound). */
export function successor(prefix: string): string | null {
  if (prefix === '') return null;
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

/** SQL condition (and its parameters) selecting paths that start with `prefix`. */
export function prefixCondition(prefix: string, column = 'path'): { sql: string; params: string[] } {
  const upper = successor(prefix);
  if (upper === null) return { sql: '1=1', params: [] };
  return { sql: `${column} >= ? AND ${column} < ?`, params: [prefix, upper] };
}

/** The direct child of object `parent` that `path` lies in (or is): "A." + "A.B.C" -> "A.B.". */
export function directChildOf(parent: string, path: string): string {
  const dot = path.indexOf('.', parent.length);
  return dot < 0 ? path : path.slice(0, dot + 1);
}
