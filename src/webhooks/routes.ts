/**
 * Webhook subscriptions (scope admin: a subscription sends device data out):
 * POST /webhooks {url, events, secret?, filter?} (a secret is made when none
 * is given, and shown in this answer only), GET /webhooks, GET / DELETE
 * /webhooks/:id, POST /webhooks/:id/enable, the delivery log GET
 * /webhooks/:id/deliveries?status=&before=&limit=, and replays: POST
 * /webhooks/:id/deliveries/:delivery/replay, POST /webhooks/:id/replay {from, to}.
 */
import { randomBytes } from 'node:crypto';
import type Router from '@koa/router';
import { z } from 'zod';
import { compileDeviceQuery } from '../db/device-query';
import { AcsError, badRequest } from '../errors';
import { apiRouter, defineRoute } from '../nbi/api/route';
import { enumQuery, intQuery, serialId, timeText } from '../nbi/api/schemas';
import { tokenOf } from '../nbi/auth/guard';
import type { WebhookEmitter } from './emitter';
import type { WebhookStore } from './store';
import { WEBHOOK_EVENTS } from './types';

const URL_MAX = 2048;
const SECRET_MIN = 16;
const SECRET_MAX = 255;
const STATUSES = ['pending', 'delivered', 'skipped', 'failed'] as const;
/** A range replay's page: deliveries set back to pending and queued at a time (and the largest `limit` a client may ask for). */
const REPLAY_MAX = 10_000;
const PARAMETER = /^(Device|InternetGatewayDevice)(\.[A-Za-z0-9_-]+)*\.?$/;

const urlError = `must be an http(s) URL of at most ${URL_MAX} characters`;
const url = z.string({ error: urlError }).max(URL_MAX, { error: urlError }).meta({ description: 'where deliveries are POSTed: an http or https URL' }).superRefine((v, ctx) => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return void ctx.addIssue({ code: 'custom', message: `${JSON.stringify(v)} is not a URL` });
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must be http or https' });
});

const eventsError = `must be a non-empty array of: ${WEBHOOK_EVENTS.join(', ')}`;
const events = z.array(
  z.enum(WEBHOOK_EVENTS, { error: (issue) => `is an unknown event ${JSON.stringify(issue.input)} (known: ${WEBHOOK_EVENTS.join(', ')})` }),
  { error: eventsError },
).min(1, { error: eventsError });

const parameters = z
  .array(z.string().regex(PARAMETER, { error: (issue) => `${JSON.stringify(issue.input)} is not a parameter path (or an object path ending in ".")` }), { error: 'must be an array of 1 to 100 parameter paths' })
  .min(1, { error: 'must be an array of 1 to 100 parameter paths' })
  .max(100, { error: 'must be an array of 1 to 100 parameter paths' });

const secretError = `must be ${SECRET_MIN} to ${SECRET_MAX} characters`;
const subscription = z
  .object({
    url,
    events,
    secret: z.string().min(SECRET_MIN, { error: secretError }).max(SECRET_MAX, { error: secretError }).optional()
      .meta({ description: 'the signing key; made when none is given, and shown in the answer only' }),
    filter: z.string({ error: 'must be a precondition (a string)' }).nullable().optional().meta({ description: 'a precondition: only devices it matches' }),
    parameters: parameters.nullable().optional().meta({ description: 'with parameter.changed: the parameters whose changes to deliver' }),
  })
  .superRefine((b, ctx) => {
    // Required with parameter.changed (which parameters), refused without it.
    const wanted = b.events.includes('parameter.changed');
    const given = b.parameters !== undefined && b.parameters !== null;
    if (wanted && !given) ctx.addIssue({ code: 'custom', path: ['parameters'], message: '(the parameters whose changes to deliver) is required with parameter.changed' });
    if (!wanted && given) ctx.addIssue({ code: 'custom', path: ['parameters'], message: 'only goes with the parameter.changed event' });
  })
  .meta({ example: { url: 'https://hooks.example.net/acs', events: ['device.boot', 'task.done'] } });

function checkFilter(v: string | null | undefined): string | null {
  if (v === undefined || v === null || v === '') return null;
  const q = compileDeviceQuery({ filter: v });
  if (!q.ok) badRequest(`filter: ${q.message}`);
  return v;
}

const webhook = z.object({ id: serialId });

export function webhookRoutes(store: WebhookStore, emitter: WebhookEmitter): Router {
  const found = async (id: number): Promise<number> => {
    if (!(await store.get(id))) throw new AcsError('ACS_ERR_NOT_FOUND', `no webhook with id ${id}`);
    return id;
  };
  return apiRouter([
    defineRoute({
      method: 'post',
      path: '/webhooks',
      summary: 'Subscribe to events',
      body: subscription,
      responses: { 201: 'the subscription, with its secret (shown in this answer only)' },
      handle: async (ctx, { body }) => {
        const secret = body.secret ?? randomBytes(32).toString('base64url');
        const filter = checkFilter(body.filter);
        const created = await store.create({ url: body.url, events: [...new Set(body.events)], secret, filter, parameters: body.parameters ?? null, createdBy: tokenOf(ctx)?.name ?? 'unknown' });
        emitter.refresh();
        ctx.status = 201;
        ctx.body = { ...created, secret };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/webhooks',
      summary: 'The subscriptions',
      responses: { 200: 'the subscriptions (without their secrets)' },
      handle: async (ctx) => {
        ctx.body = await store.list();
      },
    }),
    defineRoute({
      method: 'get',
      path: '/webhooks/:id',
      summary: 'One subscription',
      params: webhook,
      responses: { 200: 'the subscription', 404: 'no such subscription' },
      handle: async (ctx, { params }) => {
        ctx.body = await store.get(await found(params.id));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/webhooks/:id',
      summary: 'Unsubscribe',
      params: webhook,
      responses: { 204: 'removed', 404: 'no such subscription' },
      handle: async (ctx, { params }) => {
        await store.remove(await found(params.id));
        emitter.refresh();
        ctx.status = 204;
      },
    }),
    defineRoute({
      method: 'post',
      path: '/webhooks/:id/enable',
      summary: 'Enable a subscription disabled after failing deliveries',
      params: webhook,
      responses: { 200: 'the subscription', 404: 'no such subscription' },
      handle: async (ctx, { params }) => {
        await store.enable(await found(params.id));
        emitter.refresh();
        ctx.body = await store.get(params.id);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/webhooks/:id/deliveries',
      summary: 'The delivery log, newest first',
      params: webhook,
      query: z.object({ status: enumQuery(STATUSES), before: intQuery(1, Number.MAX_SAFE_INTEGER), limit: intQuery(1, 1000, 100) }),
      responses: { 200: 'the deliveries', 404: 'no such subscription' },
      handle: async (ctx, { params, query }) => {
        ctx.body = await store.log(await found(params.id), query);
      },
    }),
    defineRoute({
      method: 'post',
      path: '/webhooks/:id/deliveries/:delivery/replay',
      summary: 'Deliver one delivery again',
      params: z.object({ id: serialId, delivery: z.string() }),
      responses: { 202: '{replayed: 1}', 404: 'no such subscription or delivery' },
      handle: async (ctx, { params }) => {
        const id = await found(params.id);
        if (!(await store.reopen(params.delivery, id))) throw new AcsError('ACS_ERR_NOT_FOUND', `no delivery ${params.delivery} of webhook ${id}`);
        await emitter.requeue([params.delivery]);
        ctx.status = 202;
        ctx.body = { replayed: 1 };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/webhooks/:id/replay',
      summary: 'Deliver again the deliveries made from one time to another, oldest first: all of them, or with limit that many at most, next being the from of the rest',
      params: webhook,
      body: z.object({
        from: timeText,
        to: timeText.optional().meta({ description: 'now when absent' }),
        limit: z.number().int().min(1).max(REPLAY_MAX).optional().meta({ description: `deliveries replayed by this request at most (up to ${REPLAY_MAX}); absent: all of the range, ${REPLAY_MAX} at a time` }),
      }).meta({ example: { from: '2026-01-01T00:00:00Z' } }),
      responses: { 202: '{replayed: n, next: ms since the epoch, or null when none is left}', 404: 'no such subscription' },
      handle: async (ctx, { params, body }) => {
        const id = await found(params.id);
        const to = body.to ?? Date.now() + 1;
        let [from, replayed, next] = [body.from, 0, null as number | null];
        do {
          const page = await store.reopenBetween(id, from, to, body.limit ?? REPLAY_MAX);
          await emitter.requeue(page.ids);
          [replayed, next] = [replayed + page.ids.length, page.next];
          from = next ?? to;
        } while (body.limit === undefined && next !== null);
        ctx.status = 202;
        ctx.body = { replayed, next };
      },
    }),
  ]);
}
