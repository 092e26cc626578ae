import Router from '@koa/router';
import { CHANNEL_MAX, isValidChannel, type DeviceStore } from '../../db';
import { lastConnectionRequest } from '../../connreq';
import { AcsError } from '../../errors';
import { intParam, pathParams } from '../params';

/** Device resources: the list, one device with its cached data model, clearing a channel's fault. */
export function deviceRoutes(store: DeviceStore): Router {
  const router = new Router();
  router.get('/devices', async (ctx) => {
    const limit = intParam(ctx.query.limit, 'limit', 100, 1000);
    const offset = intParam(ctx.query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER);
    ctx.body = await store.listDevices({ limit, offset });
  });
  router.get('/devices/:id', async (ctx) => {
    const [id] = pathParams(ctx, ['id']);
    const device = await store.getDevice(id);
    if (!device) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${id}`);
    ctx.body = { ...device, connectionRequest: await lastConnectionRequest(store.sql, id) };
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
