import Router from '@koa/router';
import { CHANNEL_MAX, isValidChannel, type DeviceStore } from '../../db';
import { lastConnectionRequest } from '../../connreq';
import { AcsError } from '../../errors';
import { MAX_PAGE, queryDevicePage, type CompiledDeviceQuery, type DevicePage } from '../../db/device-query';
import { listDevicesByKey } from '../../db/device-list';
import type { Position, SortKey } from '../../db/device-order';
import type { SqlAccess } from '../../db/types';
import { compiledSearchOf } from '../search';
import { cursorOf, cursorText, sortOf } from '../sort';
import { intParam, pathParams } from '../params';

/** Most candidate pages one request reads looking for `limit` matches; past them it answers what it found and a cursor. */
const MAX_PAGES_PER_REQUEST = 10;
const MAX_PROJECTION = 100;

/** `projection=a,b.` : the parameters to show with each device (GenieACS's comma-separated form). */
function projectionOf(raw: unknown): string[] {
  if (raw === undefined) return [];
  if (typeof raw !== 'string') throw new AcsError('ACS_ERR_BAD_REQUEST', 'query parameter projection must be given once, comma-separated');
  const paths = [...new Set(raw.split(',').map((p) => p.trim()).filter((p) => p !== ''))];
  if (paths.length > MAX_PROJECTION) throw new AcsError('ACS_ERR_BAD_REQUEST', `projection names more than ${MAX_PROJECTION} paths`);
  const bad = paths.find((p) => !/^(Device|InternetGatewayDevice)(\.([A-Za-z0-9_-]+|\*))*\.?$/.test(p));
  if (bad !== undefined) throw new AcsError('ACS_ERR_BAD_REQUEST', `projection: ${JSON.stringify(bad)} is not a parameter or object path`);
  return paths;
}

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

/** Device resources: the list (search, sort, projection, cursor), one device with its cached data model, clearing a channel's fault. */
export function deviceRoutes(store: DeviceStore): Router {
  const router = new Router();
  router.get('/devices', async (ctx) => {
    const limit = intParam(ctx.query.limit, 'limit', 100, MAX_PAGE);
    if (ctx.query.offset !== undefined) throw new AcsError('ACS_ERR_BAD_REQUEST', 'offset is not supported: page with ?cursor=, the X-Next-Cursor of the previous page');
    const compiled = compiledSearchOf(ctx.query);
    const order = sortOf(ctx.query.sort);
    const after = cursorOf(ctx.query.cursor, order);
    const { devices, next } = limit === 0 ? { devices: [], next: null } : await matching(store.sql, compiled, order, after, limit);
    if (next !== null) ctx.set('X-Next-Cursor', cursorText(next, order));
    ctx.body = await listDevicesByKey(store.sql, devices, projectionOf(ctx.query.projection));
  });
  router.get('/devices/:id', async (ctx) => {
    const [id] = pathParams(ctx, ['id']);
    const device = await store.getDevice(id);
    if (!device) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${id}`);
    ctx.body = { ...device, connectionRequest: await lastConnectionRequest(store.sql, id) };
  });
  router.delete('/devices/:id', async (ctx) => {
    const [id] = pathParams(ctx, ['id']);
    if (!(await store.deleteDevice(id))) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${id}`);
    ctx.status = 204;
  });
  // Operator retry: the channel runs again at the device's next session instead of waiting for its backoff.
  router.delete('/devices/:id/faults/:channel', async (ctx) => {
    const [id, channel] = pathParams(ctx, ['id', 'channel']);
    if (!isValidChannel(channel)) {
      throw new AcsError('ACS_ERR_BAD_REQUEST', `channel must be 1 to ${CHANNEL_MAX} characters, not starting or ending with white space`);
    }
    if (!(await store.clearChannelFault(id, channel))) {
      throw new AcsError('ACS_ERR_NOT_FOUND', `no fault of channel ${channel} on device ${id}`);
    }
    ctx.status = 204;
  });
  return router;
}
