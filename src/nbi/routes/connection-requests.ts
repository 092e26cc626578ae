/**
 * Connection requests on the REST API: ask a device to connect now, and keep
 * the credentials it checks (a CPE never reveals its ConnectionRequestPassword
 * on a read, so the ACS must be told it).
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { CREDENTIAL_MAX, setConnectionRequestCredentials, type ConnectionRequester } from '../../connreq';
import type { DeviceStore } from '../../db/types';
import { AcsError } from '../../errors';
import { apiRouter, defineRoute } from '../api/route';
import { deviceId } from '../api/schemas';

const device = z.object({ id: deviceId });

export function connectionRequestRoutes(store: DeviceStore, requester: ConnectionRequester): Router {
  return apiRouter([
    defineRoute({
      method: 'post',
      path: '/devices/:id/connection-request',
      summary: 'Ask the device to connect now',
      params: device,
      responses: { 200: 'how the request went', 404: 'no such device' },
      handle: async (ctx, { params }) => {
        if (!(await store.getDevice(params.id))) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${params.id}`);
        ctx.body = await requester.request(params.id);
      },
    }),
    defineRoute({
      method: 'put',
      path: '/devices/:id/connection-request-credentials',
      summary: 'Set the credentials the device checks on a connection request',
      params: device,
      body: z
        .object({ username: z.string().min(1).max(CREDENTIAL_MAX), password: z.string().max(CREDENTIAL_MAX) })
        .meta({ example: { username: 'acs', password: 'secret' } }),
      responses: { 204: 'stored' },
      handle: async (ctx, { params, body }) => {
        await setConnectionRequestCredentials(store.sql, params.id, body);
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/devices/:id/connection-request-credentials',
      summary: 'Forget the device\'s connection request credentials',
      params: device,
      responses: { 204: 'forgotten' },
      handle: async (ctx, { params }) => {
        await setConnectionRequestCredentials(store.sql, params.id, null);
        ctx.status = 204;
      },
    }),
  ]);
}
