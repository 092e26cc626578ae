/**
 * Provisioning channels' faults across devices: GET /faults?device=&channel=&code=
 * (newest first; limit, offset), and DELETE /faults/<device>:<channel>,
 * GenieACS's id of a fault (the same as DELETE /devices/:id/faults/:channel:
 * the channel runs again at the device's next session).
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { isValidChannel, listChannelFaults, type DeviceStore } from '../../db';
import { AcsError } from '../../errors';
import { apiRouter, defineRoute } from '../api/route';
import { intQuery, textQuery } from '../api/schemas';

/**
 * Clears the fault GenieACS's id names, `<device id>:<channel>` (400 for
 * another shape, 404 for no such fault): its channel runs again at the
 * device's next session. For both APIs' DELETE /faults/:id.
 */
export async function clearFault(store: DeviceStore, id: string): Promise<void> {
  // Device ids hold no ":" (percent-encoded), channel names may: the first one splits.
  const colon = id.indexOf(':');
  const [device, channel] = colon < 0 ? [id, ''] : [id.slice(0, colon), id.slice(colon + 1)];
  if (!isValidChannel(channel)) throw new AcsError('ACS_ERR_BAD_REQUEST', 'path parameter id must be <device id>:<channel> (a fault\'s id)');
  if (!(await store.clearChannelFault(device, channel))) throw new AcsError('ACS_ERR_NOT_FOUND', `no fault of channel ${channel} on device ${device}`);
}

export function faultRoutes(store: DeviceStore): Router {
  return apiRouter([
    defineRoute({
      method: 'get',
      path: '/faults',
      summary: 'Channel faults across devices, newest first',
      query: z.object({
        device: textQuery,
        channel: textQuery,
        code: textQuery,
        limit: intQuery(0, 1000, 100),
        offset: intQuery(0, Number.MAX_SAFE_INTEGER, 0),
      }),
      responses: { 200: 'the faults' },
      handle: async (ctx, { query }) => {
        ctx.body = await store.sql.autocommit((db) => listChannelFaults(db, query));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/faults/:id',
      summary: 'Clear a fault: its channel runs again at the device\'s next session',
      params: z.object({ id: z.string().meta({ description: '<device id>:<channel>', example: '00A0C9-Router-SN0001:default' }) }),
      responses: { 204: 'cleared', 404: 'no such fault' },
      handle: async (ctx, { params }) => {
        await clearFault(store, params.id);
        ctx.status = 204;
      },
    }),
  ]);
}
