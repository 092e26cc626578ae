/**
 * Delivering stored deliveries. A job carries a batch of them (the emitter's)
 * or one alone under its own id (a retry, a replay, a rescue). For each:
 * 1. nothing to do if it is no longer pending (delivered, skipped, failed: a
 *    duplicate or replayed job does nothing twice);
 * 2. it waits while an earlier delivery of the same subscription and device
 *    is pending: a device's events arrive in order (within a batch, a
 *    device's go one after the other);
 * 3. a device outside the subscription's filter: skipped;
 * 4. POST, signed; a subscription that has failed for WEBHOOK_DISABLE_AFTER_MS
 *    is disabled (with a log line saying so) and its deliveries fail.
 * What a batch could not deliver (a failure, a wait) becomes a job of its own,
 * under the delivery's id, which BullMQ retries with a capped exponential
 * backoff until it gets a 2xx: a delivery has one such job at most.
 */
import http from 'node:http';
import https from 'node:https';
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { coalescerOf } from '../db/coalesce';
import { every } from '../roles/closers';
import { compileDeviceQuery, deviceMatches } from '../db/device-query';
import { placeholders } from '../db/sql';
import type { SqlAccess } from '../db/types';
import type { Logger } from '../log';
import { metrics } from '../metrics/registry';
import { signature } from './sign';
import type { PendingDelivery, WebhookStore } from './store';
import { jobOf, WEBHOOK_QUEUE, type DeliverJob } from './emitter';
import { startFanOut } from './fan-out';
import type { SubscriptionView } from './subscriptions';

export interface DeliveryOptions {
  timeoutMs: number;
  /** First retry after this, doubling up to maxRetryMs. */
  retryBaseMs: number;
  maxRetryMs: number;
  /** A subscription failing for this long is disabled. */
  disableAfterMs: number;
  /** How often, and from what age, pending deliveries get their jobs again (Redis may have restarted empty); defaults 60 s, 60 s. */
  rescueEveryMs?: number;
  rescueAfterMs?: number;
  /** Settled deliveries older than this are deleted (checked with the rescue). */
  retentionMs: number;
}

/** How often a delivery waiting for an earlier one of its device looks again. */
const ORDER_WAIT_MS = 250;
/** Attempts are bounded by the disable rule, not by a count. */
export const DELIVERY_JOB_OPTIONS = { attempts: 1_000_000, backoff: { type: 'webhook' }, removeOnComplete: true, removeOnFail: 1000 };

class DeliveryFailed extends Error {
  constructor(message: string, readonly attempts: number) {
    super(message);
  }
}

export function deliveryQueue(connection: Redis, prefix: string): Queue<DeliverJob> {
  return new Queue<DeliverJob>(WEBHOOK_QUEUE, { connection, prefix, defaultJobOptions: DELIVERY_JOB_OPTIONS });
}

const RESCUE_MS = 60_000;
const RESCUE_BATCH = 1000;
const PURGE_BATCH = 5000;

export interface DeliveryWorker {
  close(): Promise<void>;
}

export interface DeliveryWorkerDeps {
  connect: () => Redis;
  /** BullMQ's prefix. */
  prefix: string;
  /** The emitters' (for the events' stream). */
  redisPrefix: string;
  view: SubscriptionView;
  store: WebhookStore;
  log: Logger;
  options: DeliveryOptions;
  concurrency?: number;
}

/** Delivers the queued deliveries and, through the fan-out, makes them of the emitted events. */
export function startDeliveryWorker(o: DeliveryWorkerDeps): DeliveryWorker {
  const backoff = (attempts: number) => Math.min(o.options.retryBaseMs * 2 ** Math.max(0, attempts - 1), o.options.maxRetryMs);
  const queue = deliveryQueue(o.connect(), o.prefix);
  const fanOut = startFanOut({ redis: o.connect(), reader: o.connect(), redisPrefix: o.redisPrefix, view: o.view, store: o.store, queue, log: o.log });
  const ctx: Context = { store: o.store, log: o.log, options: o.options, queue, backoff };
  const worker = new Worker<DeliverJob>(WEBHOOK_QUEUE, (job, token) => runJob(ctx, job, token), {
    connection: o.connect(),
    prefix: o.prefix,
    concurrency: o.concurrency ?? 50,
    // A failed delivery's wait follows its own attempts (its first may have been in a batch), not its job's.
    settings: { backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => backoff(err instanceof DeliveryFailed ? err.attempts : attemptsMade) },
  });
  // A job per pending delivery, under its own id: BullMQ adds nothing for a job it still holds (waiting, delayed, active).
  const rescue = every(o.options.rescueEveryMs ?? RESCUE_MS, o.log, 'rescue of pending webhook deliveries', async () => {
    const ids = await o.store.stale(Date.now() - (o.options.rescueAfterMs ?? RESCUE_MS), RESCUE_BATCH);
    await queue.addBulk(ids.map((id) => jobOf([id])));
    // Every worker purges: deleting what another already deleted does nothing.
    const purged = await o.store.purge(Date.now() - o.options.retentionMs, PURGE_BATCH);
    if (purged > 0) o.log.info({ purged }, 'webhook deliveries past their retention deleted');
  });
  rescue.unref();
  return {
    close: async () => {
      clearInterval(rescue);
      await fanOut.close();
      await worker.close();
      await queue.close();
    },
  };
}

interface Context {
  store: WebhookStore;
  log: Logger;
  options: DeliveryOptions;
  queue: Queue<DeliverJob>;
  backoff: (attempts: number) => number;
}

/** A delivery not made by this attempt: it waits for an earlier one of its device, or failed (its `attempts` so far). */
type Left = { id: string; wait: true } | { id: string; wait: false; error: string; attempts: number };

/** Subscriptions as read at most this long ago: a burst of deliveries reads each one once. */
const SUBSCRIPTION_CACHE_MS = 1000;
const subscriptions = new WeakMap<WebhookStore, Map<number, { at: number; entry: Awaited<ReturnType<WebhookStore['withSecret']>> }>>();

async function subscription(store: WebhookStore, id: number): ReturnType<WebhookStore['withSecret']> {
  let cache = subscriptions.get(store);
  if (!cache) subscriptions.set(store, (cache = new Map()));
  const hit = cache.get(id);
  if (hit && Date.now() - hit.at < SUBSCRIPTION_CACHE_MS) return hit.entry;
  const entry = await store.withSecret(id);
  cache.set(id, { at: Date.now(), entry });
  return entry;
}

async function runJob(ctx: Context, job: Job<DeliverJob>, token?: string): Promise<void> {
  // A job queued by a version that named one `delivery` has no list: the rescue queues its delivery again.
  const ids = job.data.deliveries ?? [];
  const pending = await ctx.store.pending(ids);
  const left = (await Promise.all(byDevice(pending).map((group) => deliverInOrder(ctx, group)))).flat();
  if (left.length === 0) return;
  if (ids.length === 1 && job.id === ids[0]) {
    // The delivery's own job: BullMQ waits and runs it again.
    const [l] = left;
    if (l.wait) {
      await job.moveToDelayed(Date.now() + ORDER_WAIT_MS, token);
      throw new DelayedError();
    }
    throw new DeliveryFailed(l.error, l.attempts);
  }
  await ctx.queue.addBulk(left.map((l) => jobOf([l.id], { delay: l.wait ? ORDER_WAIT_MS : ctx.backoff(l.attempts) })));
}

/** The deliveries of each subscription and device (a device's in their order); those of no device each alone. */
function byDevice(pending: PendingDelivery[]): PendingDelivery[][] {
  const groups = new Map<string, PendingDelivery[]>();
  for (const d of pending) {
    const key = d.device === null ? d.id : `${d.webhook} ${d.device}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return [...groups.values()];
}

/** One after the other; the first not made holds back those after it. */
async function deliverInOrder(ctx: Context, group: PendingDelivery[]): Promise<Left[]> {
  for (const [i, d] of group.entries()) {
    const left = await deliverOne(ctx, d);
    if (left) return [left, ...group.slice(i + 1).map((later): Left => ({ id: later.id, wait: true }))];
  }
  return [];
}

async function settled(store: WebhookStore, d: PendingDelivery, status: 'failed' | 'skipped'): Promise<null> {
  await store.settle(d.id, status);
  metrics.webhookDeliveries.inc({ outcome: status === 'failed' ? 'dropped' : status });
  return null;
}

async function deliverOne(ctx: Context, d: PendingDelivery): Promise<Left | null> {
  const { store } = ctx;
  if (d.waits) return { id: d.id, wait: true };
  const found = await subscription(store, d.webhook);
  const sub = found?.subscription;
  if (!found || !sub || sub.disabledAt !== null) return settled(store, d, 'failed');
  if (sub.filter !== null && d.device !== null) {
    const q = compileDeviceQuery({ filter: sub.filter });
    if (q.ok && !(await deviceMatches(store.sql, q.compiled, d.device))) return settled(store, d, 'skipped');
  }
  const outcome = await post(sub.url, d.id, d.event, d.body, found.secret, ctx.options.timeoutMs);
  metrics.webhookDeliveries.inc({ outcome: outcome.ok ? 'delivered' : 'failed' });
  if (outcome.ok) {
    await coalescerOf<Delivered>(store.sql, 'webhook-delivered', (items) => writeDelivered(store.sql, items)).add([{ id: d.id, httpStatus: outcome.status }]);
    // Healthy as far as this worker knows: no write (its cached view is at most a second old).
    if (sub.failingSince !== null) await store.health(sub.id, false);
    return null;
  }
  await store.attempted(d.id, { status: 'pending', httpStatus: outcome.status, error: outcome.error });
  await store.health(sub.id, true);
  // The next success here must see the failure clock running, to stop it.
  subscriptions.get(store)?.delete(sub.id);
  const since = (await store.get(sub.id))?.failingSince ?? Date.now();
  if (Date.now() - since >= ctx.options.disableAfterMs) {
    const reason = `failing since ${new Date(since).toISOString()}: ${outcome.error}`;
    await store.disable(sub.id, reason);
    await store.settle(d.id, 'failed');
    ctx.log.warn({ webhook: sub.id, url: sub.url, reason }, 'webhook disabled');
    return null;
  }
  return { id: d.id, wait: false, error: outcome.error, attempts: d.attempts + 1 };
}

interface Delivered {
  id: string;
  httpStatus: number;
}

/**
 * The successful attempts of this worker, written together: one UPDATE (one
 * commit) per HTTP status for all that arrived while the previous batch was
 * written, where one per delivery made the database's commits the ceiling
 * of the delivery rate (bench (w)). Same effect as store.attempted with
 * status 'delivered'.
 */
async function writeDelivered(sql: SqlAccess, items: Delivered[]): Promise<void> {
  const now = Date.now();
  for (const status of new Set(items.map((i) => i.httpStatus))) {
    const ids = items.filter((i) => i.httpStatus === status).map((i) => i.id);
    const update = `UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_status = ?, last_error = NULL, delivered_at = ?
      WHERE uuid IN ${placeholders(ids.length)}`;
    await sql.autocommit((db) => db.run(update, [status, now, ...ids]));
  }
}

type PostOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/*
 * node:http with keep-alive rather than fetch: in bench (w) fetch's
 * machinery (undici, web streams, AbortSignal.timeout) and its garbage were
 * most of the worker's CPU per delivery. Redirects are not followed (a 3xx
 * is a failed attempt), as with fetch's redirect: 'manual' before.
 */
/* At most this many connections per receiver: a job's deliveries to different devices go at once, and 50 jobs run together. */
const agentOptions = { keepAlive: true, maxSockets: 64 };
const agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };

function post(url: string, id: string, event: string, body: string, secret: string, timeoutMs: number): Promise<PostOutcome> {
  const target = new URL(url);
  const headers = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'User-Agent': 'acs-webhooks',
    'X-ACS-Delivery': id,
    'X-ACS-Event': event,
    'X-ACS-Signature': signature(secret, body, Math.floor(Date.now() / 1000)),
  };
  return new Promise((resolve) => {
    let timedOut = false;
    const failed = (err: Error & { code?: string }) => {
      clearTimeout(timer);
      const error = timedOut ? `no answer within ${timeoutMs} ms` : `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;
      resolve({ ok: false, status: null, error });
    };
    const secure = target.protocol === 'https:';
    const req = (secure ? https : http).request(target, { method: 'POST', headers, agent: secure ? agents.https : agents.http }, (res) => {
      const status = res.statusCode ?? 0;
      res.on('error', failed);
      // A connection cut mid-answer (or by the timeout) may end the answer without an 'error'.
      res.on('close', () => !res.complete && failed(new Error('the answer was cut short')));
      res.on('end', () => {
        clearTimeout(timer);
        resolve(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `receiver answered ${status}` });
      });
      res.resume();
    });
    req.on('error', failed);
    const timer = setTimeout(() => {
      timedOut = true;
      req.destroy(new Error('timeout'));
    }, timeoutMs);
    req.end(body);
  });
}
