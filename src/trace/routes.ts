/**
 * The per-device SOAP trace switch on the REST API: PUT turns it on for a
 * time, DELETE turns it off, GET downloads what was kept (a JSON document
 * of the exchanged messages, oldest first). For debugging one CPE model
 * without raising the log level of the whole fleet.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { apiRouter, defineRoute } from '../nbi/api/route';
import { deviceId } from '../nbi/api/schemas';
import type { TraceStore } from './store';

/** Longest trace asked at once: a day (renewed by another PUT). */
export const MAX_TRACE_S = 86_400;

const oneDevice = z.object({ id: deviceId });
const switchOn = z
  .object({ durationS: z.int({ error: `must be an integer number of seconds from 1 to ${MAX_TRACE_S}` }).min(1).max(MAX_TRACE_S).meta({ description: 'how long to trace, in seconds' }) })
  .meta({ example: { durationS: 600 } });

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function traceRoutes(traces: TraceStore): Router {
  return apiRouter([
    defineRoute({
      method: 'put',
      path: '/devices/:id/trace',
      summary: 'Trace the SOAP messages of a device\'s sessions for a time',
      description: 'Every CWMP message the device sends and the ACS answers is kept, both directions, with its time and session id (TRACE_MAX_MESSAGES, TRACE_KEEP_MS). Front ends see the switch within a second. The device need not exist yet.',
      params: oneDevice,
      body: switchOn,
      responses: { 200: '{"device": id, "until": ISO 8601}' },
      handle: async (ctx, { params, body }) => {
        ctx.body = { device: params.id, until: iso(await traces.switchOn(params.id, body.durationS)) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/devices/:id/trace',
      summary: 'Stop tracing a device (what was traced stays downloadable until it expires)',
      params: oneDevice,
      responses: { 204: 'tracing is off' },
      handle: async (ctx, { params }) => {
        await traces.switchOff(params.id);
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/devices/:id/trace',
      summary: 'Download a device\'s SOAP trace',
      params: oneDevice,
      responses: { 200: '{"device", "until" (null when off), "messages": [{"time", "sessionId", "from": "cpe"|"acs", "status", "body", "truncated"}]}' },
      handle: async (ctx, { params }) => {
        const [until, messages] = await Promise.all([traces.until(params.id), traces.read(params.id)]);
        ctx.set('Content-Disposition', `attachment; filename="trace-${params.id.replace(/[^\w.-]/g, '_')}.json"`);
        ctx.body = { device: params.id, until: iso(until), messages };
      },
    }),
  ]);
}
