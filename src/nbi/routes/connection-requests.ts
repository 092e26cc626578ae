/**
 * Connection requests on the REST API: ask a device to connect now, and keep
 * the credentials it checks (a CPE never reveals its ConnectionRequestPassword
 * on a read, so the ACS must be told it).
 */
import Router from '@koa/router';
import { setConnectionRequestCredentials, type ConnectionRequester } from '../../connreq';
import type { DeviceStore } from '../../db/types';
import { AcsError } from '../../errors';
import { jsonBody } from '../json-body';
import { checkDeviceId, pathParams } from '../params';

export function connectionRequestRoutes(store: DeviceStore, requester: ConnectionRequester): Router {
  const router = new Router();
  router.post('/devices/:id/connection-request', async (ctx) => {
    const [device] = pathParams(ctx, ['id']);
    await known(store, device);
    ctx.body = await requester.request(device);
  });
  router.put('/devices/:id/connection-request-credentials', async (ctx) => {
    const [device] = pathParams(ctx, ['id']);
    checkDeviceId(device);
    const body = (await jsonBody(ctx)) as { username?: unknown; password?: unknown } | null;
    await setConnectionRequestCredentials(store.sql, device, { username: body?.username, password: body?.password } as { username: string; password: string });
    ctx.status = 204;
  });
  router.delete('/devices/:id/connection-request-credentials', async (ctx) => {
    const [device] = pathParams(ctx, ['id']);
    await setConnectionRequestCredentials(store.sql, device, null);
    ctx.status = 204;
  });
  return router;
}

async function known(store: DeviceStore, device: string): Promise<void> {
  checkDeviceId(device);
  if (!(await store.getDevice(device))) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${device}`);
}
