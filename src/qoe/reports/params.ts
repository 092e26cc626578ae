/**
 * The parameters of each report kind, checked once: by the REST routes from
 * a query string (text values), and by report schedules from JSON (numbers
 * and arrays allowed too). A bad value is an issue naming its field.
 */
import { z } from 'zod';
import { compileDeviceQuery } from '../../db/device-query';
import { timeText } from '../../nbi/api/schemas';
import { GROUP_BYS, type ReportKind } from './types';

const UNITS_MS: Record<string, number> = { s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "15m", "1h", "7d", "2w", "90s" → milliseconds; null when not such a text. */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d{1,6})\s*(s|m|min|h|d|w)\s*$/.exec(text);
  return m ? Number(m[1]) * UNITS_MS[m[2]] : null;
}

/** "10/min", "0.5/s", "3/h", or a plain number (per second) → per second; null when not such a text. */
export function parseRate(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(?:\/\s*(s|min|m|h|d))?\s*$/i.exec(text);
  if (!m) return null;
  return Number(m[1]) / ((UNITS_MS[m[2]?.toLowerCase() ?? 's'] ?? 1000) / 1000);
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const SERIES = /^[A-Za-z0-9_.*@-]{1,255}$/;

const profileField = (fallback: string) =>
  z.string().regex(NAME, { error: 'must be a collection profile name ([A-Za-z0-9_.-], 1 to 64)' }).default(fallback).meta({ description: 'the collection profile whose series are read' });

/** A precondition in the presets' language, checked as device search checks it. */
const filterField = z
  .string({ error: 'must be a precondition (text)' })
  .transform((text, ctx) => {
    const r = compileDeviceQuery({ filter: text });
    if (r.ok) return text;
    ctx.issues.push({ code: 'custom', input: text, message: `must be a precondition: ${r.message}${r.column ? ` (column ${r.column})` : ''}` });
    return z.NEVER;
  })
  .optional()
  .meta({ description: 'only the devices this precondition (presets\' language) matches', example: 'DeviceID.ProductClass = "HG8245"' });

/** One series: a concrete path, a path with "*" for instance numbers, or a profile's alias. */
const SERIES_TEXT = 'must be a series: a path ("*" for instance numbers) or an alias';
const seriesText = z.string({ error: (issue) => (issue.input === undefined ? 'is required' : SERIES_TEXT) }).regex(SERIES, { error: SERIES_TEXT });

/** A list of series: comma-separated text (given once: a query parameter given twice is refused, as every other). */
const seriesList = z
  .string({ error: 'must be a list of series, comma-separated, given once' })
  .transform((v, ctx) => {
    const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const bad = list.find((s) => !SERIES.test(s));
    if (list.length === 0 || list.length > 50 || bad !== undefined) {
      ctx.issues.push({ code: 'custom', input: v, message: bad ? `must be a list of series; ${JSON.stringify(bad)} is not a path or an alias` : 'must be a list of 1 to 50 series' });
      return z.NEVER;
    }
    return list;
  });

const intField = (min: number, max: number, fallback: number) => {
  const error = `must be an integer from ${min} to ${max}`;
  return z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error }).default(fallback);
};

const numberField = (min: number, max: number, fallback: number) => {
  const error = `must be a number from ${min} to ${max}`;
  return z.coerce.number({ error }).min(min, { error }).max(max, { error }).default(fallback);
};

const durationField = (fallback: string, maxMs: number) =>
  z
    .union([z.string(), z.number()], { error: 'must be a duration ("6h", "1d", "2w"), given once' })
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseDuration(String(v));
      if (ms !== null && ms >= 3_600_000 && ms <= maxMs) return ms;
      ctx.issues.push({ code: 'custom', input: v, message: `must be a duration from 1h to ${maxMs / 86_400_000}d ("6h", "1d", "2w")` });
      return z.NEVER;
    });

const rateField = z
  .union([z.string(), z.number()], { error: 'must be a rate ("10/min", "3/h", or per second), given once' })
  .default(0)
  .transform((v, ctx) => {
    const rate = parseRate(String(v));
    if (rate !== null) return rate;
    ctx.issues.push({ code: 'custom', input: v, message: 'must be a rate: a number per second, or "10/min", "3/h"' });
    return z.NEVER;
  });

const groupByField = z.enum(GROUP_BYS, { error: `must be one of ${GROUP_BYS.join(', ')}` }).default('none');
const resolutionField = z.enum(['1h', '1d'], { error: 'must be one of 1h, 1d' }).optional().meta({ description: 'the rollup read; by default 1h up to 7 days, 1d beyond' });

const range = {
  filter: filterField,
  from: timeText.optional().meta({ description: 'start (epoch ms or ISO 8601); default: a day before `to`' }),
  to: timeText.optional().meta({ description: 'end, exclusive (epoch ms or ISO 8601); default: now' }),
  resolution: resolutionField,
};

/** Where bandwidth is counted: aliases first, then the TR-098 WAN totals (TR-181 names its WAN interface per device: give paths or aliases). */
export const DEFAULT_RECEIVED = ['WANBytesReceived', 'InternetGatewayDevice.WANDevice.*.WANCommonInterfaceConfig.TotalBytesReceived'];
export const DEFAULT_SENT = ['WANBytesSent', 'InternetGatewayDevice.WANDevice.*.WANCommonInterfaceConfig.TotalBytesSent'];

const traffic = {
  received: seriesList.default(DEFAULT_RECEIVED).meta({ description: 'byte counters received (downstream), comma-separated; summed per device' }),
  sent: seriesList.default(DEFAULT_SENT).meta({ description: 'byte counters sent (upstream), comma-separated; summed per device' }),
};

export const PARAM_SCHEMAS = {
  bandwidth: z.object({ profile: profileField('interfaces'), ...range, groupBy: groupByField, ...traffic }),
  'top-talkers': z.object({ profile: profileField('interfaces'), ...range, ...traffic, limit: intField(1, 10_000, 10) }),
  percentiles: z.object({
    profile: profileField('interfaces'),
    ...range,
    stat: z.enum(['avg', 'min', 'max'], { error: 'must be one of avg, min, max' }).default('avg').meta({ description: 'what of each device\'s series over the range is ranked' }),
    percentiles: z
      .union([z.string(), z.number()], { error: 'must be 1 to 20 numbers from 0 to 100, comma-separated, given once' })
      .default('50,90,95,99')
      .transform((v, ctx) => {
        const list = String(v).split(',').map((p) => Number(p.trim()));
        if (list.length > 0 && list.length <= 20 && list.every((p) => Number.isFinite(p) && p >= 0 && p <= 100)) return list;
        ctx.issues.push({ code: 'custom', input: v, message: 'must be 1 to 20 numbers from 0 to 100, comma-separated' });
        return z.NEVER;
      }),
    groupBy: groupByField,
    // Last: the first issue is the one reported, and a missing series must not hide another parameter's.
    series: seriesText.meta({ description: 'the series: a path ("*" for instance numbers) or an alias', example: 'Device.WiFi.AccessPoint.*.AssociatedDevice.*.SignalStrength' }),
  }),
  degrading: z.object({
    profile: profileField('interfaces'),
    filter: filterField,
    to: timeText.optional().meta({ description: 'end of the last window (epoch ms or ISO 8601); default: where the rollups reach (the last whole windows of data), or now for windows of up to 12 hours' }),
    resolution: resolutionField,
    window: durationField('1d', 30 * 86_400_000).meta({ description: 'the last window, compared with the one before it' }),
    series: seriesList.optional().meta({ description: 'the series whose rise is looked for; default: every counter named like an error counter (Errors, ErroredSecs, CRC, FEC), summed' }),
    ratio: numberField(1, 1_000_000, 2).meta({ description: 'last window\'s average at least this many times the previous one\'s' }),
    minIncrease: rateField.meta({ description: 'and higher by at least this much (per second, or "10/min", "3/h")' }),
    limit: intField(1, 10_000, 100),
  }),
  'wifi-channels': z.object({ profile: profileField('wifi'), ...range }),
} satisfies Record<ReportKind, z.ZodObject>;

export type ParamsOf<K extends ReportKind> = z.output<(typeof PARAM_SCHEMAS)[K]>;
export type BandwidthParams = ParamsOf<'bandwidth'>;
export type TopTalkersParams = ParamsOf<'top-talkers'>;
export type PercentilesParams = ParamsOf<'percentiles'>;
export type DegradingParams = ParamsOf<'degrading'>;
export type WifiChannelsParams = ParamsOf<'wifi-channels'>;
export type AnyParams = { [K in ReportKind]: ParamsOf<K> }[ReportKind];
