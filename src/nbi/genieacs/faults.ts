/**
 * GenieACS's fault routes over our channel faults (db/channel-faults.ts):
 * GET /faults/?query= lists them as GenieACS's documents (`_id`
 * "<device>:<channel>", device, channel, code, message, detail, timestamp,
 * expiry: the next retry, retries); DELETE /faults/:id clears one, and its
 * channel runs again at the device's next session.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { listChannelFaults, type DeviceStore } from '../../db';
import type { ChannelFault, DeviceKey } from '../../db/types';
import { apiRouter, defineRoute } from '../api/route';
import { clearFault } from '../routes/faults';
import { docListQuery, pageOf } from './doc-page';
import { docQueryOf, equalityOf, type Doc } from './doc-query';

/** Faults read per statement, and at most in all: a fleet's faults, not a history. */
const PAGE = 1000;
const MAX_READ = 10_000;

export function faultDocument(f: ChannelFault & { device: DeviceKey }): Doc {
  const detail: Doc = {};
  for (const k of ['preset', 'script', 'line', 'column'] as const) if (f[k] !== undefined) detail[k] = f[k];
  return {
    _id: `${f.device}:${f.channel}`,
    device: f.device,
    channel: f.channel,
    code: f.code,
    message: f.message,
    detail,
    timestamp: new Date(f.time).toISOString(),
    expiry: new Date(f.nextRetry).toISOString(),
    retries: f.retries - 1,
  };
}

async function faultsOf(store: DeviceStore, query: Doc): Promise<Doc[]> {
  const filter = { device: equalityOf(query, 'device'), channel: equalityOf(query, 'channel'), code: equalityOf(query, 'code') };
  const out: Doc[] = [];
  for (let offset = 0; offset < MAX_READ; offset += PAGE) {
    const page = await store.sql.autocommit((db) => listChannelFaults(db, { ...filter, limit: PAGE, offset }));
    out.push(...page.map(faultDocument));
    if (page.length < PAGE) break;
  }
  return out;
}

export function faultRoutes(store: DeviceStore): Router {
  return apiRouter([
    defineRoute({
      method: 'get',
      path: '/faults',
      summary: 'Channel faults as GenieACS documents',
      query: docListQuery(MAX_READ),
      responses: { 200: 'the faults' },
      handle: async (ctx, { query }) => {
        const q = docQueryOf(query.query);
        ctx.body = pageOf((await faultsOf(store, q.query)).filter(q.matches), query);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/faults/:id',
      summary: 'Clear a fault',
      params: z.object({ id: z.string() }),
      responses: { 200: 'cleared', 404: 'no such fault' },
      handle: async (ctx, { params }) => {
        await clearFault(store, params.id);
        ctx.status = 200;
      },
    }),
  ], 'ignored');
}
