/**
 * What the extension host and its child process share: outcome and fault
 * codes, extension names, the JSON-data check and the IPC messages. Kept free
 * of dependencies so the child starts fast.
 */

export type ExtFaultCode =
  /** The extension threw, returned something that is not JSON data, failed to load, or its process died. */
  | 'ext.error'
  /** No answer within the time limit. */
  | 'ext.timeout'
  /** A malformed name, no such module, or no such function in it. */
  | 'ext.unknown';

export type ExtOutcome =
  | { ok: true; value: unknown }
  | { ok: false; code: ExtFaultCode; message: string };

export interface ExtName {
  /** File name without extension: `<dir>/<module>.js` or `.cjs`. */
  module: string;
  /** The exported function to call; null for the module's own (default) function. */
  fn: string | null;
}

const SEGMENT = '[A-Za-z0-9_-]{1,64}';
const NAME = new RegExp(`^(${SEGMENT})(?:\\.(${SEGMENT}))?$`);

/**
 * `orders` → { module: 'orders', fn: null }; `orders.lookup` → { module: 'orders', fn: 'lookup' };
 * anything else (paths, `..`, more than one dot, empty or overlong parts) → null.
 */
export function parseExtName(name: unknown): ExtName | null {
  if (typeof name !== 'string') return null;
  const m = NAME.exec(name);
  return m ? { module: m[1], fn: m[2] ?? null } : null;
}

const MAX_DEPTH = 200;

/**
 * Why `value` is not JSON data (null, booleans, finite numbers, strings, arrays
 * and plain objects of those), naming where; null when it is. Object properties
 * whose value is undefined are allowed (JSON leaves them out); undefined
 * anywhere else is not.
 */
export function jsonProblem(value: unknown, where: string): string | null {
  const seen = new Set<object>();
  const check = (v: unknown, at: string, depth: number): string | null => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return null;
      case 'number':
        return Number.isFinite(v) ? null : `${at} is ${String(v)}, which JSON cannot carry`;
      case 'undefined':
        return `${at} is undefined`;
      case 'bigint':
        return `${at} is a BigInt; return a number or a string`;
      case 'function':
        return `${at} is a function`;
      case 'symbol':
        return `${at} is a symbol`;
    }
    if (v === null) return null;
    const obj = v as object;
    if (depth >= MAX_DEPTH) return `${at} is nested more than ${MAX_DEPTH} levels deep`;
    if (seen.has(obj)) return `${at} refers back to itself (a cycle)`;
    if (Array.isArray(obj)) {
      seen.add(obj);
      for (let i = 0; i < obj.length; i++) {
        const p = check(obj[i], `${at}[${i}]`, depth + 1);
        if (p) return p;
      }
      seen.delete(obj);
      return null;
    }
    const proto = Object.getPrototypeOf(obj) as object | null;
    if (proto !== Object.prototype && proto !== null) {
      const kind = (obj as { constructor?: { name?: unknown } }).constructor?.name;
      const hint = obj instanceof Date ? '; return date.toISOString() or a number' : '';
      return `${at} is ${typeof kind === 'string' && kind ? `a ${kind}` : 'not a plain object'}${hint}`;
    }
    seen.add(obj);
    for (const key of Object.keys(obj)) {
      const item = (obj as Record<string, unknown>)[key];
      if (item === undefined) continue;
      const p = check(item, `${at}.${key}`, depth + 1);
      if (p) return p;
    }
    seen.delete(obj);
    return null;
  };
  return check(value, where, 0);
}

/** Longest message carried in an outcome (it ends up in channel faults). */
export const MAX_MESSAGE = 1000;

export function clip(message: string): string {
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}

// ---- IPC messages ----

export type HostMessage =
  | { t: 'call'; id: number; module: string; fn: string | null; args: unknown[] }
  | { t: 'ping'; id: number };

export type ChildMessage =
  | { t: 'ready' }
  | { t: 'ok'; id: number; value: unknown }
  | { t: 'fault'; id: number; code: ExtFaultCode; message: string; stack?: string }
  | { t: 'pong'; id: number }
  /** An uncaught exception or unhandled rejection in extension code; the child exits next. */
  | { t: 'fatal'; message: string; stack?: string };
