/** Reading a request's path and query parameters, each refused with a 400 that names it. */
import type { Context } from 'koa';
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
function timeValue(raw: unknown, what: string): number {
  const text = String(raw);
  const n = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isSafeInteger(n)) bad(`${what} must be milliseconds since the epoch or an ISO 8601 date, not ${JSON.stringify(text)}`);
  return n;
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
