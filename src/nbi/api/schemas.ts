/**
 * Schemas that several routes share: query values (always text on the wire,
 * once each) and path parameters. Each carries the message of its 400.
 */
import { z } from 'zod';
import { parseDeviceKey } from '../../db/device-row';

/** An integer query parameter from min to max; `fallback` when absent (else undefined). */
export function intQuery(min: number, max: number, fallback: number): z.ZodDefault<z.ZodCoercedNumber>;
export function intQuery(min: number, max: number): z.ZodOptional<z.ZodCoercedNumber>;
export function intQuery(min: number, max: number, fallback?: number): z.ZodType<number | undefined> {
  const error = `must be an integer from ${min} to ${max}`;
  const n = z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });
  return fallback === undefined ? n.optional() : n.default(fallback);
}

/** A time: milliseconds since the epoch or an ISO 8601 date, as milliseconds. */
export const timeText = z
  .union([z.string(), z.number()], { error: 'must be milliseconds since the epoch or an ISO 8601 date' })
  .transform((raw, ctx) => {
    const text = String(raw);
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (Number.isSafeInteger(ms)) return ms;
    ctx.issues.push({ code: 'custom', input: raw, message: `must be milliseconds since the epoch or an ISO 8601 date, not ${JSON.stringify(text)}` });
    return z.NEVER;
  })
  .meta({ description: 'milliseconds since the epoch, or an ISO 8601 date', example: '2026-01-01T00:00:00Z' });

/** `?flag` and `?flag=1|true` are on; `?flag=0|false` and no flag are off. */
export const flagQuery = z
  .enum(['', '1', 'true', '0', 'false'], { error: 'must be empty, 1, true, 0 or false' })
  .optional()
  .transform((v) => v === '' || v === '1' || v === 'true');

export function enumQuery<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.join(', ')}` }).optional();
}

/** A text query parameter; given twice it would be an array. */
export const textQuery = z.string({ error: 'must be given once, not empty' }).min(1, { error: 'must be given once, not empty' }).optional();

/** A device id as the ACS makes them: "OUI-ProductClass-SerialNumber", each part percent-encoded. */
export const deviceId = z
  .string()
  .refine((id) => {
    try {
      return parseDeviceKey(id) !== undefined;
    } catch {
      return false;
    }
  }, { error: 'must be a device id: OUI-ProductClass-SerialNumber, each part percent-encoded' })
  .meta({ example: '00A0C9-Router-SN0001' });

/** A positive integer id given as digits (tasks, webhooks). */
export const serialId = z
  .string()
  .regex(/^\d{1,15}$/, { error: 'must be a positive integer' })
  .transform(Number)
  .meta({ example: '1' });
