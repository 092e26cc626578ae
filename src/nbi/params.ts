/** Reading a request's path and query parameters, each refused with a 400 that names it. */
import type { Context } from 'koa';
import { parseDeviceKey } from '../db/device-row';
import { badRequest } from '../errors';

const bad = badRequest;

export function intParam(raw: unknown, name: string, fallback: number, max: number, min = 0): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) bad(`query parameter ${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** A time as milliseconds since the epoch or an ISO 8601 date; undefined when absent. */
export function timeParam(raw: unknown, name: string): number | undefined {
  return raw === undefined ? undefined : timeValue(raw, `query parameter ${name}`);
}

/** A time given as milliseconds since the epoch (number or digits) or an ISO 8601 date; `what` names it in the 400. */
export function timeValue(raw: unknown, what: string): number {
  const text = String(raw);
  const n = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(n)) bad(`${what} must be milliseconds since the epoch or an ISO 8601 date, not ${JSON.stringify(text)}`);
  return n;
}

/** `?flag` and `?flag=1|true` are on; `?flag=0|false` is off. */
export function flagParam(raw: unknown, name: string): boolean {
  if (raw === undefined) return false;
  const text = String(raw);
  if (text === '' || text === '1' || text === 'true') return true;
  if (text === '0' || text === 'false') return false;
  return bad(`query parameter ${name} must be empty, 1, true, 0 or false`);
}

export function oneOf<T extends string>(raw: unknown, name: string, values: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string' && (values as readonly string[]).includes(raw)) return raw as T;
  return bad(`query parameter ${name} must be one of ${values.join(', ')}`);
}

/**
 * The route's path parameters, percent-decoded once. Decoded here from the
 * raw captures, not taken from ctx.params: the router leaves a value it cannot
 * decode as it is, which would silently name another device or channel.
 */
export function pathParams(ctx: Context & { captures?: string[] }, names: string[]): string[] {
  const raw = ctx.captures ?? [];
  return names.map((name, i) => {
    try {
      return decodeURIComponent(raw[i] ?? '');
    } catch {
      return bad(`path parameter ${name} is not valid percent-encoding`);
    }
  });
}

/** A device id as the ACS makes them ("OUI-ProductClass-SerialNumber", parts percent-encoded). */
export function checkDeviceId(id: string): string {
  try {
    parseDeviceKey(id);
  } catch (err) {
    bad((err as Error).message);
  }
  return id;
}
