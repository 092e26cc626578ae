import Router from '@koa/router';
import type { DeviceStore } from '../../db/types';
import { AcsError } from '../../errors';

function intParam(raw: unknown, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new AcsError('ACS_ERR_BAD_REQUEST', `query parameter ${name} must be an integer from 0 to ${max}`);
  }
  return n;
}

/** Read-only device resources: the list, and one device with its cached data model. */
export function deviceRoutes(store: DeviceStore): Router {
  const router = new Router();
  router.get('/devices', async (ctx) => {
    const limit = intParam(ctx.query.limit, 'limit', 100, 1000);
    const offset = intParam(ctx.query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    ctx.body = await store.listDevices({ limit, offset });
  });
  router.get('/devices/:id', async (ctx) => {
    const device = await store.getDevice(ctx.params.id);
    if (!device) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${ctx.params.id}`);
    ctx.body = device;
  });
  return router;
}
