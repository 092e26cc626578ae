import type Router from '@koa/router';
import { z } from 'zod';
import { CHANNEL_MAX, isValidChannel, type DeviceStore } from '../../db';
import { lastConnectionRequest } from '../../connreq';
import { AcsError, badRequest } from '../../errors';
import { MAX_PAGE, queryDevicePage, type CompiledDeviceQuery, type DevicePage } from '../../db/device-query';
import { listDevicesByKey } from '../../db/device-list';
import type { Position, SortKey } from '../../db/device-order';
import type { SqlAccess } from '../../db/types';
import { apiRouter, defineRoute } from '../api/route';
import { deviceId, flagQuery, intQuery } from '../api/schemas';
import { compiledSearchOf, searchQuery } from '../search';
import { cursorOf, cursorText, sortOf } from '../sort';
import { COUNT_CAP, countMatching } from './device-count';

/** Most candidate pages one request reads looking for `limit` matches; past them it answers what it found and a cursor. */
const MAX_PAGES_PER_REQUEST = 10;
const MAX_PROJECTION = 100;
const PROJECTED_PATH = /^(Device|InternetGatewayDevice)(\.([A-Za-z0-9_-]+|\*))*\.?$/;

/** `projection=a,b.` : the parameters to show with each device (GenieACS's comma-separated form). */
const projection = z
  .string({ error: 'must be given once, comma-separated' })
  .optional()
  .transform((raw) => {
    const paths = [...new Set((raw ?? '').split(',').map((p) => p.trim()).filter((p) => p !== ''))];
    if (paths.length > MAX_PROJECTION) badRequest(`projection names more than ${MAX_PROJECTION} paths`);
    const bad = paths.find((p) => !PROJECTED_PATH.test(p));
    if (bad !== undefined) badRequest(`projection: ${JSON.stringify(bad)} is not a parameter or object path`);
    return paths;
  })
  .meta({ description: 'parameters to show with each device, comma-separated (object paths end with ".")', example: 'Device.DeviceInfo.SoftwareVersion' });

const listQuery = z.object({
  ...searchQuery,
  limit: intQuery(0, MAX_PAGE, 100),
  cursor: z.string({ error: 'must be given once' }).optional().meta({ description: 'the X-Next-Cursor of the previous page' }),
  sort: z.string({ error: 'must be given once' }).optional().meta({
    description:
      'fields, "-" for descending: -LastInform,DeviceID.SerialNumber; or GenieACS\'s {"_lastInform":-1}. A parameter path sorts by the first 64 characters of its value, as text (ties in device order); devices without the parameter come last in both directions (GenieACS puts them first ascending)',
  }),
  projection,
  count: flagQuery.meta({ description: `answer {count, exact} instead of a page (limit, cursor, sort and projection left aside); exact is false past ${COUNT_CAP.toLocaleString('en')} matches (then more than that match) or when a sparse search stopped early (then at least count match)` }),
  offset: z.unknown().optional().refine((v) => v === undefined, { error: 'is not supported: page with ?cursor=, the X-Next-Cursor of the previous page' }),
});

/** Up to `limit` matching devices in `order` after `after`, reading at most MAX_PAGES_PER_REQUEST pages of candidates. */
async function matching(sql: SqlAccess, q: CompiledDeviceQuery, order: SortKey[], after: Position | null, limit: number): Promise<DevicePage> {
  const devices: string[] = [];
  let next: Position | null = after;
  for (let pages = 0; devices.length < limit && pages < MAX_PAGES_PER_REQUEST; pages++) {
    const page: DevicePage = await queryDevicePage(sql, q, { order, after: next, limit: limit - devices.length });
    devices.push(...page.devices);
    next = page.next;
    if (next === null) break;
  }
  return { devices, next };
}

const oneDevice = z.object({ id: deviceId });
const channel = z
  .string()
  .refine(isValidChannel, { error: `must be 1 to ${CHANNEL_MAX} characters, not starting or ending with white space` })
  .meta({ example: 'default' });

/**
 * Device resources: the list (search, sort, projection, cursor), one device with its cached data model, clearing a channel's fault.
 * `statementMs`: SEARCH_STATEMENT_MS, each search SELECT's bound.
 */
export function deviceRoutes(store: DeviceStore, statementMs: number): Router {
  return apiRouter([
    defineRoute({
      method: 'get',
      path: '/devices',
      summary: 'Devices matching a search, a page at a time',
      description: `Pages follow \`X-Next-Cursor\` (give it as \`cursor\`); a page may hold fewer than \`limit\` devices when the search is sparse. With \`count\`, how many devices match instead: exact without a precondition (\`q\`/\`query\`); with one, counted up to ${COUNT_CAP.toLocaleString('en')} ("more than ${COUNT_CAP.toLocaleString('en')}" past it, \`exact\` false) so it stays fast on 100,000 devices.`,
      query: listQuery,
      responses: { 200: 'the devices: id, identity, software version, last inform, projected parameters; with count, {count, exact}' },
      handle: async (ctx, { query }) => {
        const compiled = compiledSearchOf(query, statementMs);
        if (query.count) {
          ctx.body = await countMatching(store.sql, compiled);
          return;
        }
        const order = sortOf(query.sort);
        const after = cursorOf(query.cursor, order);
        const { devices, next } = query.limit === 0 ? { devices: [], next: null } : await matching(store.sql, compiled, order, after, query.limit);
        if (next !== null) ctx.set('X-Next-Cursor', cursorText(next, order));
        ctx.body = await listDevicesByKey(store.sql, devices, query.projection);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/devices/:id',
      summary: 'One device with its cached data model and last connection request',
      params: oneDevice,
      responses: { 200: 'the device', 404: 'no such device' },
      handle: async (ctx, { params }) => {
        const device = await store.getDevice(params.id);
        if (!device) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${params.id}`);
        ctx.body = { ...device, connectionRequest: await lastConnectionRequest(store.sql, params.id) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/devices/:id',
      summary: 'Forget a device (its next Inform registers it again)',
      params: oneDevice,
      responses: { 204: 'deleted', 404: 'no such device' },
      handle: async (ctx, { params }) => {
        if (!(await store.deleteDevice(params.id))) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${params.id}`);
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/devices/:id/faults/:channel',
      summary: 'Clear a channel\'s fault: the channel runs again at the device\'s next session',
      params: oneDevice.extend({ channel }),
      responses: { 204: 'cleared', 404: 'no such fault' },
      handle: async (ctx, { params }) => {
        if (!(await store.clearChannelFault(params.id, params.channel))) {
          throw new AcsError('ACS_ERR_NOT_FOUND', `no fault of channel ${params.channel} on device ${params.id}`);
        }
        ctx.status = 204;
      },
    }),
  ]);
}
