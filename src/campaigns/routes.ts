/**
 * Campaign resources of the northbound API:
 *
 *   POST /campaigns                      create (201; 400 naming the field)
 *   GET  /campaigns?status=&limit=&counts   list, newest first (with counts: each one's devices by outcome)
 *   GET  /campaigns/:id                  one, with counters and the failure ratio per stage
 *   GET  /campaigns/:id/devices?status=&after=&limit=   per-device outcomes
 *   POST /campaigns/:id/pause | resume | cancel
 *
 * The body's schema gives its shape; validate.ts checks the rest (the query
 * compiles, the task is one the device model takes, the window's times).
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AcsError } from '../errors';
import { apiRouter, defineRoute, type ApiRoute } from '../nbi/api/route';
import { enumQuery, flagQuery, intQuery, textQuery } from '../nbi/api/schemas';
import type { CampaignService } from './service';
import { DEVICE_OUTCOMES, type CampaignStatus, type DeviceOutcome } from './types';

const STATUSES = ['draft', 'running', 'paused', 'stopped', 'cancelled', 'done'] as const satisfies readonly CampaignStatus[];

const int = (min: number, max: number) => z.number().int().min(min).max(max).optional();
const time = z.union([z.string(), z.number().int().min(0)]).meta({ description: 'an ISO 8601 time or epoch ms' });

const campaign = z
  .strictObject({
    name: z.string().min(1).max(255),
    query: z.union([z.string(), z.strictObject({ filter: z.string().optional(), lastInformBefore: time.optional(), lastInformAfter: time.optional() })])
      .meta({ description: 'the devices: a precondition ("Tags.lab"), or { filter, lastInformBefore, lastInformAfter }' }),
    action: z.strictObject({
      task: z.record(z.string(), z.unknown()).optional().meta({ description: 'a task, as POST /devices/:id/tasks takes it' }),
      provision: z.string().optional(),
      workflow: z.string().optional(),
      args: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional(),
    }).meta({ description: 'exactly one of task, provision (with args, a list) or workflow (with args, an object)' }),
    connectionRequest: z.boolean().optional(),
    stages: z.array(z.strictObject({ percent: z.number().gt(0).max(100).optional(), count: int(1, 10_000_000), waitMinutes: int(0, 60 * 24 * 30) })).min(1).max(20).optional()
      .meta({ description: 'percent or count of the devices per stage (the last may take "the rest"); one stage of 100 % when absent' }),
    ratePerMinute: int(1, 1_000_000),
    maxInFlight: int(1, 1_000_000),
    failureThreshold: z.number().gt(0).max(1).optional().meta({ description: 'the share of failures that stops the campaign (0.2 = 20 %)' }),
    minSample: int(1, 10_000_000),
    window: z.strictObject({ start: z.string(), end: z.string(), timezone: z.string().optional(), deviceTimezone: z.boolean().optional() }).nullable().optional()
      .meta({ description: 'the hours devices may be changed: "HH:MM" to "HH:MM", in a IANA time zone or each device\'s own' }),
    draft: z.boolean().optional(),
  })
  .meta({ example: { name: 'reboot the lab', query: 'Tags.lab', action: { task: { name: 'reboot' } }, stages: [{ percent: 10, waitMinutes: 5 }, {}], draft: true } });

const campaignParams = z.object({ id: z.string() });

export function campaignRoutes(service: CampaignService): Router {
  const mustGet = async (id: string) => {
    const c = await service.get(id);
    if (!c) throw new AcsError('ACS_ERR_NOT_FOUND', `no campaign with id ${id}`);
    return c;
  };
  const actions = (['pause', 'resume', 'cancel'] as const).map((action): ApiRoute => defineRoute({
    method: 'post',
    path: `/campaigns/:id/${action}`,
    summary: `${action[0].toUpperCase()}${action.slice(1)} a campaign`,
    params: campaignParams,
    responses: { 200: 'the campaign', 404: 'no such campaign', 409: `the campaign cannot ${action} from its status` },
    handle: async (ctx, { params }) => {
      ctx.body = await service[action](params.id);
    },
  }));
  return apiRouter([
    defineRoute({
      method: 'post',
      path: '/campaigns',
      summary: 'Create a campaign',
      body: campaign,
      responses: { 201: 'the campaign (running, or a draft)' },
      handle: async (ctx, { body }) => {
        ctx.body = await service.create(body);
        ctx.status = 201;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/campaigns',
      summary: 'Campaigns, newest first',
      query: z.object({ status: enumQuery(STATUSES), limit: intQuery(1, 1000, 100), counts: flagQuery.meta({ description: 'each campaign with `counts`: its devices by outcome' }) }),
      responses: { 200: 'the campaigns' },
      handle: async (ctx, { query }) => {
        ctx.body = await service.list(query);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/campaigns/:id',
      summary: 'One campaign, with counters per stage',
      description: 'Each stage of `progress` has its counts, `failureRatio` (failed / finished; null before one finished) and `sampled` (enough finished for the ratio to stop the campaign at failureThreshold).',
      params: campaignParams,
      responses: { 200: 'the campaign', 404: 'no such campaign' },
      handle: async (ctx, { params }) => {
        ctx.body = await mustGet(params.id);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/campaigns/:id/devices',
      summary: 'A campaign\'s devices and their outcomes',
      params: campaignParams,
      query: z.object({
        status: enumQuery(DEVICE_OUTCOMES as [DeviceOutcome, ...DeviceOutcome[]]),
        after: textQuery.meta({ description: 'the last device id of the previous page' }),
        limit: intQuery(1, 10_000, 100),
      }),
      responses: { 200: 'the devices', 404: 'no such campaign' },
      handle: async (ctx, { params, query }) => {
        ctx.body = await service.devices(params.id, query);
      },
    }),
    ...actions,
  ]);
}
