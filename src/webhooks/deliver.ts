/**
 * Delivering one stored delivery (a BullMQ job per delivery, retried with a
 * capped exponential backoff until it gets a 2xx):
 * 1. nothing to do if it is no longer pending (delivered, skipped, failed: a
 *    duplicate or replayed job does nothing twice);
 * 2. it waits while an earlier delivery of the same subscription and device
 *    is pending: a device's events arrive in order;
 * 3. a device outside the subscription's filter: skipped;
 * 4. POST, signed; a subscription that has failed for WEBHOOK_DISABLE_AFTER_MS
 *    is disabled (with a log line saying so) and its deliveries fail.
 */
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { coalescerOf } from '../db/coalesce';
import { compileDeviceQuery, deviceMatches } from '../db/device-query';
import { placeholders } from '../db/sql';
import type { SqlAccess } from '../db/types';
import type { Logger } from '../log';
import { signature } from './sign';
import type { WebhookStore } from './store';
import { WEBHOOK_QUEUE, type DeliverJob } from './emitter';

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
}

/** How often a delivery waiting for an earlier one of its device looks again. */
const ORDER_WAIT_MS = 250;
/** Attempts are bounded by the disable rule, not by a count. */
export const DELIVERY_JOB_OPTIONS = { attempts: 1_000_000, backoff: { type: 'webhook' }, removeOnComplete: true, removeOnFail: 1000 };

class DeliveryFailed extends Error {}

export function deliveryQueue(connection: Redis, prefix: string): Queue<DeliverJob> {
  return new Queue<DeliverJob>(WEBHOOK_QUEUE, { connection, prefix, defaultJobOptions: DELIVERY_JOB_OPTIONS });
}

const RESCUE_MS = 60_000;
const RESCUE_BATCH = 1000;

export interface DeliveryWorker {
  close(): Promise<void>;
}

export function startDeliveryWorker(o: { connect: () => Redis; prefix: string; store: WebhookStore; log: Logger; options: DeliveryOptions; concurrency?: number }): DeliveryWorker {
  const backoff = (attemptsMade: number) => Math.min(o.options.retryBaseMs * 2 ** Math.max(0, attemptsMade - 1), o.options.maxRetryMs);
  const worker = new Worker<DeliverJob>(WEBHOOK_QUEUE, (job, token) => deliver(o.store, o.log, o.options, job, token), {
    connection: o.connect(),
    prefix: o.prefix,
    concurrency: o.concurrency ?? 50,
    settings: { backoffStrategy: backoff },
  });
  const queue = deliveryQueue(o.connect(), o.prefix);
  // A job per pending delivery, under its own id: BullMQ adds nothing for a job it still holds (waiting, delayed, active).
  const rescue = setInterval(() => {
    void o.store.stale(Date.now() - (o.options.rescueAfterMs ?? RESCUE_MS), RESCUE_BATCH)
      .then((ids) => queue.addBulk(ids.map((id) => ({ name: 'deliver', data: { delivery: id }, opts: { jobId: id } }))))
      .catch((err: unknown) => o.log.warn({ err }, 'pending webhook deliveries not looked at'));
  }, o.options.rescueEveryMs ?? RESCUE_MS);
  rescue.unref();
  return {
    close: async () => {
      clearInterval(rescue);
      await worker.close();
      await queue.close();
    },
  };
}

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

async function deliver(store: WebhookStore, log: Logger, options: DeliveryOptions, job: Job<DeliverJob>, token?: string): Promise<void> {
  const d = await store.delivery(job.data.delivery);
  if (!d || d.status !== 'pending') return;
  const found = await subscription(store, d.webhook);
  const sub = found?.subscription;
  if (!found || !sub || sub.disabledAt !== null) return void (await store.settle(d.id, 'failed'));
  if (await store.earlierPending(d)) {
    await job.moveToDelayed(Date.now() + ORDER_WAIT_MS, token);
    throw new DelayedError();
  }
  if (sub.filter !== null && d.device !== null) {
    const q = compileDeviceQuery({ filter: sub.filter });
    if (q.ok && !(await deviceMatches(store.sql, q.compiled, d.device))) return void (await store.settle(d.id, 'skipped'));
  }
  const outcome = await post(sub.url, d.id, d.event, d.body, found.secret, options.timeoutMs);
  if (outcome.ok) {
    await coalescerOf<Delivered>(store.sql, 'webhook-delivered', (items) => writeDelivered(store.sql, items)).add([{ id: d.id, httpStatus: outcome.status }]);
    // Healthy as far as this worker knows: no write (its cached view is at most a second old).
    if (sub.failingSince !== null) await store.health(sub.id, false);
    return;
  }
  await store.attempted(d.id, { status: 'pending', httpStatus: outcome.status, error: outcome.error });
  await store.health(sub.id, true);
  // The next success here must see the failure clock running, to stop it.
  subscriptions.get(store)?.delete(sub.id);
  const since = (await store.get(sub.id))?.failingSince ?? Date.now();
  if (Date.now() - since >= options.disableAfterMs) {
    const reason = `failing since ${new Date(since).toISOString()}: ${outcome.error}`;
    await store.disable(sub.id, reason);
    await store.settle(d.id, 'failed');
    log.warn({ webhook: sub.id, url: sub.url, reason }, 'webhook disabled');
    return;
  }
  throw new DeliveryFailed(outcome.error);
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

async function post(url: string, id: string, event: string, body: string, secret: string, timeoutMs: number): Promise<PostOutcome> {
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': 'acs-webhooks',
    'X-ACS-Delivery': id,
    'X-ACS-Event': event,
    'X-ACS-Signature': signature(secret, body, Math.floor(Date.now() / 1000)),
  };
  try {
    const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    await res.arrayBuffer().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, status: res.status, error: `receiver answered ${res.status}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, status: null, error: e.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : `${e.message}${e.cause?.code ? ` (${e.cause.code})` : ''}` };
  }
}
