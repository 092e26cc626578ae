/**
 * The fleet statistics of the northbound API (read scope, as every GET):
 *
 *   GET /stats/fleet?from=&to=&step=1m|5m|1h   counts over time, every process of the cluster
 *   GET /stats/fleet/summary?onlineMinutes=    the fleet now
 *
 * from and to are epoch ms or ISO 8601 (default: the last 24 h); a range of
 * more than MAX_BUCKETS buckets, or one ending before it starts, is a 400
 * naming the field.
 */
import type Router from '@koa/router';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SqlAccess } from '../db/types';
import { apiRouter, defineRoute } from '../nbi/api/route';
import { FieldError } from '../nbi/api/messages';
import { enumQuery, intQuery, timeText } from '../nbi/api/schemas';
import { bucketsOf, fleetHistory, MAX_BUCKETS, STEPS, type Step } from './history';
import { fleetSummary } from './summary';

const DAY_MS = 24 * 3600_000;
const STEP_NAMES = Object.keys(STEPS) as [Step, ...Step[]];

export interface StatsRouteDeps {
  redis: Redis;
  sql: SqlAccess;
  redisPrefix: string;
}

/** The range asked for, checked: from before to, at most MAX_BUCKETS buckets. */
function rangeOf(query: { from?: number; to?: number; step?: Step }, now: number): { fromMs: number; toMs: number; step: Step } {
  const toMs = query.to ?? now;
  const fromMs = query.from ?? toMs - DAY_MS;
  const step = query.step ?? '5m';
  if (fromMs >= toMs) throw new FieldError('query', 'from', `query parameter from must be before to (${new Date(toMs).toISOString()})`);
  const { count } = bucketsOf(fromMs, toMs, step);
  if (count > MAX_BUCKETS) {
    throw new FieldError('query', 'step', `query parameter step ${step} makes ${count} buckets of that range; at most ${MAX_BUCKETS}: a larger step or a shorter range`);
  }
  return { fromMs, toMs, step };
}

export function statsRoutes(deps: StatsRouteDeps): Router {
  return apiRouter([
    defineRoute({
      method: 'get',
      path: '/stats/fleet',
      summary: 'The fleet\'s sessions, Informs and faults over time, counted by every process of the cluster',
      description: 'Buckets of 1 minute, 5 minutes or 1 hour (aligned on UTC), each series an array aligned with `times`. Kept STATS_RETENTION_MS (8 days by default).',
      query: z.object({ from: timeText.optional(), to: timeText.optional(), step: enumQuery(STEP_NAMES) }),
      responses: { 200: '{from, to, step, times, informs, sessions, events, cpeFaults, channelFaults}' },
      handle: async (ctx, { query }) => {
        ctx.body = await fleetHistory(deps.redis, deps.sql, deps.redisPrefix, rangeOf(query, Date.now()));
      },
    }),
    defineRoute({
      method: 'get',
      path: '/stats/fleet/summary',
      summary: 'The fleet now: devices known and online, Informs per minute, the last 24 h\'s totals, running campaigns, open faults',
      query: z.object({ onlineMinutes: intQuery(1, 7 * 24 * 60, 5).meta({ description: 'a device that informed in the last this many minutes is online' }) }),
      responses: { 200: '{time, devices, informsPerMinute, last24h, campaigns, faults}' },
      handle: async (ctx, { query }) => {
        ctx.body = await fleetSummary(deps.redis, deps.sql, deps.redisPrefix, query.onlineMinutes);
      },
    }),
  ]);
}
