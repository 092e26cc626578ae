/**
 * QoE in the northbound API (reads: read scope; writes: write scope):
 *
 *   GET    /qoe/profiles                 every collection profile, shipped and stored, with its origin
 *   GET    /qoe/profiles/:name
 *   PUT    /qoe/profiles/:name           write one (replacing a shipped one of that name, or a stored one)
 *   DELETE /qoe/profiles/:name           a stored one (a shipped one it replaced is active again)
 *   GET    /qoe/devices/:id/series?profile=&paths=&from=&to=&resolution=   a device's series, for charts
 *
 * The alert rules are src/qoe/alerts/routes.ts.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AcsError } from '../errors';
import { apiRouter, defineRoute } from '../nbi/api/route';
import { deviceId, enumQuery, textQuery, timeText } from '../nbi/api/schemas';
import { tokenOf } from '../nbi/auth/guard';
import type { QoeCollection } from './collection';
import { PROFILE_NAME, profileBodySchema, profileOf } from './profiles/schema';
import type { SeriesReader } from './types';

const DAY_MS = 86_400_000;
/** A chart's longest range: the daily tier's span is a year and more. */
const MAX_RANGE_MS = 400 * DAY_MS;
const RESOLUTIONS = ['raw', '5m', '1h', '1d'] as const;

const profileName = z.object({ name: z.string().regex(PROFILE_NAME, { error: 'must be 1 to 64 letters, digits, "_", "." or "-"' }) });

export function qoeRoutes(qoe: QoeCollection, series: SeriesReader): Router {
  const listed = async () => [...(await qoe.view.current()).values()].map(({ profile, origin }) => ({ ...profile, origin }));
  return apiRouter([
    defineRoute({
      method: 'get',
      path: '/qoe/profiles',
      summary: 'The collection profiles: shipped ones (origin "builtin") and those written through the API (origin "stored", which replace a shipped one of their name)',
      responses: { 200: 'the profiles' },
      handle: async (ctx) => {
        ctx.body = await listed();
      },
    }),
    defineRoute({
      method: 'get',
      path: '/qoe/profiles/:name',
      summary: 'One collection profile',
      params: profileName,
      responses: { 200: 'the profile', 404: 'no such profile' },
      handle: async (ctx, { params }) => {
        const found = (await listed()).find((p) => p.name === params.name);
        if (!found) throw new AcsError('ACS_ERR_NOT_FOUND', `no collection profile named ${params.name}`);
        ctx.body = found;
      },
    }),
    defineRoute({
      method: 'put',
      path: '/qoe/profiles/:name',
      summary: 'Write a collection profile: parameters (paths with "*" for instance numbers, counter or gauge), interval, retention',
      params: profileName,
      body: profileBodySchema.meta({ example: { parameters: [{ path: 'Device.IP.Interface.*.Stats.ErrorsReceived', kind: 'counter', alias: 'WANErrors' }], intervalS: 900 } }),
      responses: { 200: 'replaced', 201: 'created' },
      handle: async (ctx, { params, body }) => {
        const profile = profileOf(params.name, body);
        const created = await qoe.profiles.put(profile, tokenOf(ctx)?.name ?? 'unknown');
        qoe.view.refresh();
        ctx.status = created ? 201 : 200;
        ctx.body = { ...profile, origin: 'stored' };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/qoe/profiles/:name',
      summary: 'Delete a stored collection profile (a shipped one of the same name is active again)',
      params: profileName,
      responses: { 204: 'deleted', 404: 'no such stored profile', 409: 'a shipped profile: it can be replaced, not deleted' },
      handle: async (ctx, { params }) => {
        if (await qoe.profiles.delete(params.name)) {
          qoe.view.refresh();
          ctx.status = 204;
          return;
        }
        const shipped = (await qoe.view.current()).get(params.name)?.origin === 'builtin';
        if (shipped) throw new AcsError('ACS_ERR_CONFLICT', `${params.name} is a shipped profile: PUT one of that name to replace it`);
        throw new AcsError('ACS_ERR_NOT_FOUND', `no stored collection profile named ${params.name}`);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/qoe/devices/:id/series',
      summary: 'A device\'s time series, for charts: counters as rates per second, gauges as read; rolled up past their raw retention',
      description: 'from/to: epoch ms or ISO 8601 (default: the last 24 h). paths: comma-separated paths ("*" allowed) or aliases. resolution: the finest kept for the range when absent.',
      params: z.object({ id: deviceId }),
      query: z.object({ profile: textQuery, paths: textQuery, from: timeText.optional(), to: timeText.optional(), resolution: enumQuery(RESOLUTIONS) }),
      responses: { 200: 'the series: [{device, profile, path, kind, unit, resolution, points: [{time, value, min?, max?}]}]' },
      handle: async (ctx, { params, query }) => {
        const to = query.to ?? Date.now();
        const from = query.from ?? to - DAY_MS;
        if (from >= to) throw new AcsError('ACS_ERR_BAD_REQUEST', 'query parameter from must be before to');
        if (to - from > MAX_RANGE_MS) throw new AcsError('ACS_ERR_BAD_REQUEST', `query parameters from and to span more than ${MAX_RANGE_MS / DAY_MS} days`);
        const paths = query.paths?.split(',').map((p) => p.trim()).filter((p) => p !== '');
        ctx.body = await series.series({ device: params.id, from, to, ...(query.profile ? { profile: query.profile } : {}), ...(paths ? { paths } : {}), ...(query.resolution ? { resolution: query.resolution } : {}) });
      },
    }),
  ]);
}
