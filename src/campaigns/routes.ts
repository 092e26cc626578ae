/**
 * Campaign resources of the northbound API:
 *
 *   POST /campaigns                      create (201; 400 naming the field)
 *   GET  /campaigns?status=&limit=       list, newest first
 *   GET  /campaigns/:id                  one, with counters per stage
 *   GET  /campaigns/:id/devices?status=&after=&limit=   per-device outcomes
 *   POST /campaigns/:id/pause | resume | cancel
 */
import Router from '@koa/router';
import type { Context } from 'koa';
import { AcsError } from '../errors';
import { jsonBody } from '../nbi/json-body';
import type { CampaignService } from './service';

function limitOf(raw: unknown, max = 1000): number {
  if (raw === undefined) return 100;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new AcsError('ACS_ERR_BAD_REQUEST', `query parameter limit must be an integer from 1 to ${max}`);
  return n;
}

function single(raw: unknown, name: string): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string') throw new AcsError('ACS_ERR_BAD_REQUEST', `query parameter ${name} must be given once`);
  return raw;
}

function idOf(ctx: Context): string {
  return String((ctx.params as Record<string, string>).id);
}

async function mustGet(service: CampaignService, id: string) {
  const c = await service.get(id);
  if (!c) throw new AcsError('ACS_ERR_NOT_FOUND', `no campaign with id ${id}`);
  return c;
}

export function campaignRoutes(service: CampaignService): Router {
  const router = new Router();
  router.post('/campaigns', async (ctx) => {
    ctx.body = await service.create(await jsonBody(ctx));
    ctx.status = 201;
  });
  router.get('/campaigns', async (ctx) => {
    ctx.body = await service.list({ status: single(ctx.query.status, 'status'), limit: limitOf(ctx.query.limit) });
  });
  router.get('/campaigns/:id', async (ctx) => {
    ctx.body = await mustGet(service, idOf(ctx));
  });
  router.get('/campaigns/:id/devices', async (ctx) => {
    ctx.body = await service.devices(idOf(ctx), {
      status: single(ctx.query.status, 'status'),
      after: single(ctx.query.after, 'after'),
      limit: limitOf(ctx.query.limit, 10_000),
    });
  });
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    router.post(`/campaigns/:id/${action}`, async (ctx) => {
      ctx.body = await service[action](idOf(ctx));
    });
  }
  return router;
}
