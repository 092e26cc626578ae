/**
 * Provisioning channels' faults across devices: GET /faults?device=&channel=&code=
 * (newest first; limit, offset), and DELETE /faults/<device>:<channel>,
 * GenieACS's id of a fault (the same as DELETE /devices/:id/faults/:channel:
 * the channel runs again at the device's next session).
 */
import Router from '@koa/router';
import { isValidChannel, listChannelFaults, type DeviceStore } from '../../db';
import { AcsError } from '../../errors';
import { intParam, pathParams } from '../params';

const text = (v: unknown, name: string): string | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new AcsError('ACS_ERR_BAD_REQUEST', `query parameter ${name} must be given once, not empty`);
  return v;
};

export function faultRoutes(store: DeviceStore): Router {
  const router = new Router();
  router.get('/faults', async (ctx) => {
    const filter = {
      device: text(ctx.query.device, 'device'),
      channel: text(ctx.query.channel, 'channel'),
      code: text(ctx.query.code, 'code'),
      limit: intParam(ctx.query.limit, 'limit', 100, 1000),
      offset: intParam(ctx.query.offset, 'offset', 0, Number.MAX_SAFE_INTEGER),
    };
    ctx.body = await store.sql.autocommit((db) => listChannelFaults(db, filter));
  });
  router.delete('/faults/:id', async (ctx) => {
    const [id] = pathParams(ctx, ['id']);
    // Device ids hold no ":" (percent-encoded), channel names may: the first one splits.
    const colon = id.indexOf(':');
    const [device, channel] = colon < 0 ? [id, ''] : [id.slice(0, colon), id.slice(colon + 1)];
    if (!isValidChannel(channel)) throw new AcsError('ACS_ERR_BAD_REQUEST', 'a fault id is <device id>:<channel>');
    if (!(await store.clearChannelFault(device, channel))) throw new AcsError('ACS_ERR_NOT_FOUND', `no fault of channel ${channel} on device ${device}`);
    ctx.status = 204;
  });
  return router;
}
