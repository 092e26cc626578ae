/**
 * Webhook subscriptions (scope admin: a subscription sends device data out):
 * POST /webhooks {url, events, secret?, filter?} (a secret is made when none
 * is given, and shown in this answer only), GET /webhooks, GET / DELETE
 * /webhooks/:id, POST /webhooks/:id/enable, the delivery log GET
 * /webhooks/:id/deliveries?status=&before=&limit=, and replays: POST
 * /webhooks/:id/deliveries/:delivery/replay, POST /webhooks/:id/replay {from, to}.
 */
import { randomBytes } from 'node:crypto';
import Router from '@koa/router';
import { compileDeviceQuery } from '../db/device-query';
import { AcsError, badRequest } from '../errors';
import { jsonBody } from '../nbi/json-body';
import { tokenOf } from '../nbi/auth/guard';
import { intParam, oneOf, pathParams, timeValue } from '../nbi/params';
import type { WebhookEmitter } from './emitter';
import type { WebhookStore } from './store';
import { WEBHOOK_EVENTS, type WebhookEvent } from './types';

const URL_MAX = 2048;
const SECRET_MIN = 16;
const SECRET_MAX = 255;
const STATUSES = ['pending', 'delivered', 'skipped', 'failed'] as const;

const bad = badRequest;

function checkUrl(v: unknown): string {
  if (typeof v !== 'string' || v.length > URL_MAX) return bad(`url must be an http(s) URL of at most ${URL_MAX} characters`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return bad(`url ${JSON.stringify(v)} is not a URL`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') bad('url must be http or https');
  return v;
}

function checkEvents(v: unknown): WebhookEvent[] {
  if (!Array.isArray(v) || v.length === 0) return bad(`events must be a non-empty array of: ${WEBHOOK_EVENTS.join(', ')}`);
  const unknown = v.find((e) => !(WEBHOOK_EVENTS as readonly unknown[]).includes(e));
  if (unknown !== undefined) bad(`events: unknown event ${JSON.stringify(unknown)} (known: ${WEBHOOK_EVENTS.join(', ')})`);
  return [...new Set(v as WebhookEvent[])];
}

function checkSecret(v: unknown): string {
  if (v === undefined) return randomBytes(32).toString('base64url');
  if (typeof v !== 'string' || v.length < SECRET_MIN || v.length > SECRET_MAX) return bad(`secret must be ${SECRET_MIN} to ${SECRET_MAX} characters`);
  return v;
}

function checkFilter(v: unknown): string | null {
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') return bad('filter must be a precondition (a string)');
  const q = compileDeviceQuery({ filter: v });
  if (!q.ok) bad(`filter: ${q.message}`);
  return v;
}

const PARAMETER = /^(Device|InternetGatewayDevice)(\.[A-Za-z0-9_-]+)*\.?$/;

/** Required with parameter.changed (which parameters), refused without it. */
function checkParameters(v: unknown, events: WebhookEvent[]): string[] | null {
  const wanted = events.includes('parameter.changed');
  if (v === undefined || v === null) return wanted ? bad('parameters (the parameters whose changes to deliver) is required with parameter.changed') : null;
  if (!wanted) bad('parameters only goes with the parameter.changed event');
  if (!Array.isArray(v) || v.length === 0 || v.length > 100) return bad('parameters must be an array of 1 to 100 parameter paths');
  const badPath = v.find((p) => typeof p !== 'string' || !PARAMETER.test(p));
  if (badPath !== undefined) bad(`parameters: ${JSON.stringify(badPath)} is not a parameter path (or an object path ending in ".")`);
  return v as string[];
}

export function webhookRoutes(store: WebhookStore, emitter: WebhookEmitter): Router {
  const router = new Router();
  const found = async (ctx: { captures?: string[] } & Parameters<typeof pathParams>[0]): Promise<number> => {
    const [raw] = pathParams(ctx, ['id']);
    const id = Number(raw);
    if (!Number.isSafeInteger(id) || !(await store.get(id))) throw new AcsError('ACS_ERR_NOT_FOUND', `no webhook with id ${raw}`);
    return id;
  };
  router.post('/webhooks', async (ctx) => {
    const body = ((await jsonBody(ctx)) ?? {}) as Record<string, unknown>;
    const secret = checkSecret(body.secret);
    const events = checkEvents(body.events);
    const parameters = checkParameters(body.parameters, events);
    const created = await store.create({ url: checkUrl(body.url), events, secret, filter: checkFilter(body.filter), parameters, createdBy: tokenOf(ctx)?.name ?? 'unknown' });
    emitter.refresh();
    ctx.status = 201;
    ctx.body = { ...created, secret };
  });
  router.get('/webhooks', async (ctx) => {
    ctx.body = await store.list();
  });
  router.get('/webhooks/:id', async (ctx) => {
    ctx.body = await store.get(await found(ctx));
  });
  router.delete('/webhooks/:id', async (ctx) => {
    await store.remove(await found(ctx));
    emitter.refresh();
    ctx.status = 204;
  });
  router.post('/webhooks/:id/enable', async (ctx) => {
    const id = await found(ctx);
    await store.enable(id);
    emitter.refresh();
    ctx.body = await store.get(id);
  });
  router.get('/webhooks/:id/deliveries', async (ctx) => {
    const id = await found(ctx);
    const status = oneOf(ctx.query.status, 'status', STATUSES);
    const before = ctx.query.before === undefined ? undefined : intParam(ctx.query.before, 'before', 0, Number.MAX_SAFE_INTEGER, 1);
    ctx.body = await store.log(id, { status, before, limit: intParam(ctx.query.limit, 'limit', 100, 1000, 1) });
  });
  router.post('/webhooks/:id/deliveries/:delivery/replay', async (ctx) => {
    const id = await found(ctx);
    const [, delivery] = pathParams(ctx, ['id', 'delivery']);
    if (!(await store.reopen(delivery, id))) throw new AcsError('ACS_ERR_NOT_FOUND', `no delivery ${delivery} of webhook ${id}`);
    await emitter.requeue([delivery]);
    ctx.status = 202;
    ctx.body = { replayed: 1 };
  });
  router.post('/webhooks/:id/replay', async (ctx) => {
    const id = await found(ctx);
    const body = ((await jsonBody(ctx)) ?? {}) as Record<string, unknown>;
    const from = timeValue(body.from, 'from');
    const to = body.to === undefined ? Date.now() + 1 : timeValue(body.to, 'to');
    const ids = await store.between(id, from, to);
    for (const d of ids) await store.reopen(d, id);
    await emitter.requeue(ids);
    ctx.status = 202;
    ctx.body = { replayed: ids.length };
  });
  return router;
}
