import Router from '@koa/router';
import type { Context } from 'koa';
import { CHANNEL_MAX, isValidChannel, type DeviceStore } from '../../db';
import { AcsError } from '../../errors';
import { parseDeviceKey } from '../../db/device-row';
import { jsonBody } from '../json-body';
import { taskRequest } from '../tasks';

function intParam(raw: unknown, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new AcsError('ACS_ERR_BAD_REQUEST', `query parameter ${name} must be an integer from 0 to ${max}`);
  }
  return n;
}

/**
 * The route's path parameters, percent-decoded once. Decoded here from the
 * raw captures, not taken from ctx.params: the router leaves a value it cannot
 * decode as it is, which would silently name another device or channel.
 */
function pathParams(ctx: Context & { captures?: string[] }, names: string[]): string[] {
  const raw = ctx.captures ?? [];
  return names.map((name, i) => {
    try {
      return decodeURIComponent(raw[i] ?? '');
    } catch {
      throw new AcsError('ACS_ERR_BAD_REQUEST', `path parameter ${name} is not valid percent-encoding`);
    }
  });
}

/** Device resources: the list, one device with its cached data model, clearing a channel's fault, and tasks. */
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
    ctx.body = device;
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
  // A task: one CWMP request queued for the device's next session (also for a device not seen yet: zero touch).
  router.post('/devices/:id/tasks', async (ctx) => {
    const [id] = pathParams(ctx, ['id']);
    checkDeviceId(id);
    const request = taskRequest(await jsonBody(ctx));
    const taskId = await store.enqueueRequest(id, request);
    ctx.status = 202;
    ctx.body = { id: taskId, device: id, request };
  });
  router.get('/devices/:id/tasks', async (ctx) => {
    const [id] = pathParams(ctx, ['id']);
    ctx.body = (await store.pendingRequests(id)).map((p) => ({ id: p.id, device: p.deviceKey, request: p.request, createdAt: p.createdAt }));
  });
  return router;
}

/** A device id as the ACS makes them ("OUI-ProductClass-SerialNumber", parts percent-encoded). */
function checkDeviceId(id: string): void {
  try {
    parseDeviceKey(id);
  } catch (err) {
    throw new AcsError('ACS_ERR_BAD_REQUEST', (err as Error).message);
  }
}
