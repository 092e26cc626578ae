/**
 * The delivery worker: the fan-out, whose lease holder makes the first
 * attempts (fan-out.ts, first-attempt.ts), and the jobs of stored
 * deliveries (retries, replays, rescues, and those stored behind a pending
 * one). A job carries a batch of them or one alone under its own id. For each:
 * 1. nothing to do if it is no longer pending (delivered, skipped, failed: a
 *    duplicate or replayed job does nothing twice);
 * 2. it waits while an earlier delivery of the same subscription and device
 *    is pending: a device's events arrive in order (within a batch, a
 *    device's go one after the other). It looks again once that one can have
 *    moved: after that one's next retry (backoff of its attempts so far),
 *    within [ORDER_WAIT_MS, ORDER_WAIT_MAX_MS]. Every 250 ms made
 *    a receiver's outage cost two SELECTs and a job 4 times a second per
 *    waiting delivery;
 * 3. one attempt (attempt.ts: the filter, the signed POST, the disable rule).
 * What a batch could not deliver (a failure, a wait) becomes a job of its own,
 * under the delivery's id, which BullMQ retries with a capped exponential
 * backoff until it gets a 2xx: a delivery has one such job at most.
 */
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { coalescerOf } from '../db/coalesce';
import { disconnectNow } from '../infra/redis-disconnect';
import { every } from '../roles/closers';
import { placeholders } from '../db/sql';
import type { SqlAccess } from '../db/types';
import type { Logger } from '../log';
import { attempt } from './attempt';
import { pairKey, type PendingDelivery, type WebhookStore } from './store';
import { jobOf, WEBHOOK_QUEUE, webhookKeys, type DeliverJob, type Series } from './emitter';
import { startFanOut } from './fan-out';
import { FirstAttempts, stored, type FirstAttemptContext } from './first-attempt';
import { PendingView } from './pending-view';
import type { SubscriptionView } from './subscriptions';
import { closeWorker } from '../infra/bull-worker';
import { logBullErrors } from '../infra/redis-outage';

export interface DeliveryOptions {
  timeoutMs: number;
  /** POSTs a connection to a fast receiver carries at once (post.ts); default PIPELINE. */
  pipeline?: number;
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

/** The first wait of a delivery for an earlier one of its device, and the longest. */
export const ORDER_WAIT_MS = 250;
const ORDER_WAIT_MAX_MS = 30_000;

/** `ms` within [floor, ORDER_WAIT_MAX_MS]. */
function orderWait(ms: number, floor = ORDER_WAIT_MS): number {
  return Math.min(Math.max(ms, floor), Math.max(floor, ORDER_WAIT_MAX_MS));
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
  const commands = o.connect();
  const queue = deliveryQueue(commands, o.prefix);
  logBullErrors(queue, o.log, 'webhook delivery queue');
  // The fan-out is started below, before any row is stored: `holds` asks it only then.
  const pending = new PendingView({ redis: commands, key: webhookKeys(o.redisPrefix).pending, store: o.store, holds: () => fanOut.holds() });
  const ctx: Context = { store: o.store, log: o.log, options: o.options, queue, backoff, orderWaitMs: ORDER_WAIT_MS, pending };
  const attempts = new FirstAttempts(ctx, { redis: commands, stream: webhookKeys(o.redisPrefix).stream, log: o.log });
  const fanOut = startFanOut({ redis: o.connect(), reader: o.connect(), redisPrefix: o.redisPrefix, view: o.view, attempts, log: o.log });
  const worker = new Worker<DeliverJob>(WEBHOOK_QUEUE, (job, token) => runJob(ctx, job, token), {
    connection: o.connect(),
    prefix: o.prefix,
    concurrency: o.concurrency ?? 50,
    /*
     * A job whose worker died is run again however often that happens: a
     * stored delivery's own job, once failed, keeps the rescue from queuing
     * it again (same id). BullMQ's default fails a job at its second stall.
     */
    maxStalledCount: DELIVERY_JOB_OPTIONS.attempts,
    // A failed delivery's wait follows its own attempts (its first may have been in a batch), not its job's.
    settings: { backoffStrategy: (attemptsMade: number, _type?: string, err?: Error) => backoff(err instanceof DeliveryFailed ? err.attempts : attemptsMade) },
  });
  logBullErrors(worker, o.log, 'webhook delivery worker');
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
      attempts.hurry();
      await fanOut.close();
      await attempts.close();
      await closeWorker(worker);
      await queue.close();
      // BullMQ leaves a connection it was given open.
      disconnectNow(commands);
    },
  };
}

type Context = FirstAttemptContext;

/** A delivery not made by this attempt: it waits (`waitMs`) for an earlier one of its device, or failed (its `attempts` so far). */
type Left = { id: string; wait: true; waitMs: number } | { id: string; wait: false; error: string; attempts: number };

async function runJob(ctx: Context, job: Job<DeliverJob>, token?: string): Promise<void> {
  if ('series' in job.data) return storeQueuedSeries(ctx, job.data.series);
  // A job queued by a version that named one `delivery` has no list: the rescue queues its delivery again.
  const ids = job.data.deliveries ?? [];
  const pending = await ctx.store.pending(ids);
  const left = (await Promise.all(byDevice(pending).map((group) => deliverInOrder(ctx, group)))).flat();
  if (left.length === 0) return;
  if (ids.length === 1 && job.id === ids[0]) {
    // The delivery's own job: BullMQ waits and runs it again.
    const [l] = left;
    if (l.wait) {
      await job.moveToDelayed(Date.now() + l.waitMs, token);
      throw new DelayedError();
    }
    throw new DeliveryFailed(l.error, l.attempts);
  }
  await ctx.queue.addBulk(left.map((l) => jobOf([l.id], { delay: l.wait ? l.waitMs : ctx.backoff(l.attempts) })));
}

/**
 * A job of first attempts that an older version's fan-out queued, found
 * after an upgrade: its deliveries are stored pending (a row already there,
 * e.g. delivered, is kept as it is) and sent by the stored deliveries' path.
 */
async function storeQueuedSeries(ctx: Context, series: Series[]): Promise<void> {
  const handled = series.map((s) => stored(s, s.deliveries));
  await ctx.store.writeLog(handled.flatMap((h) => h.rows));
  await ctx.pending.changed();
  await ctx.queue.addBulk(handled.flatMap((h) => h.jobs));
}

/** The deliveries of each subscription and device (a device's in their order); those of no device each alone. */
function byDevice(pending: PendingDelivery[]): PendingDelivery[][] {
  const groups = new Map<string, PendingDelivery[]>();
  for (const d of pending) {
    const key = d.device === null ? d.id : pairKey(d.webhook, d.device);
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return [...groups.values()];
}

/** One after the other; the first not made holds back those after it. */
async function deliverInOrder(ctx: Context, group: PendingDelivery[]): Promise<Left[]> {
  for (const [i, d] of group.entries()) {
    const left = await deliverOne(ctx, d);
    if (!left) continue;
    // Those after it look again when it can have moved: when it is retried, or when the one it waits for can have moved.
    const waitMs = left.wait ? left.waitMs : behind(ctx, left.attempts);
    return [left, ...group.slice(i + 1).map((later): Left => ({ id: later.id, wait: true, waitMs }))];
  }
  return [];
}

async function deliverOne(ctx: Context, d: PendingDelivery): Promise<Left | null> {
  const { store } = ctx;
  if (d.waits) return { id: d.id, wait: true, waitMs: behind(ctx, d.aheadAttempts ?? 0) };
  const outcome = await attempt(ctx, d);
  if (outcome.kind === 'delivered') {
    await coalescerOf<Delivered>(store.sql, 'webhook-delivered', (items) => writeDelivered(store.sql, items)).add([{ id: d.id, httpStatus: outcome.httpStatus }]);
    return null;
  }
  if (outcome.kind !== 'failed') {
    await store.settle(d.id, outcome.kind === 'skipped' ? 'skipped' : 'failed');
    return null;
  }
  await store.attempted(d.id, { status: outcome.disabled ? 'failed' : 'pending', httpStatus: outcome.httpStatus, error: outcome.error });
  return outcome.disabled ? null : { id: d.id, wait: false, error: outcome.error, attempts: d.attempts + 1 };
}

/**
 * How long a delivery waits behind a pending one of `attempts` attempts: that
 * one is retried at most its backoff after now (its job waits that long after
 * its last attempt); one never attempted is about to be (its job is queued).
 */
function behind(ctx: Context, attempts: number): number {
  return attempts === 0 ? ctx.orderWaitMs : orderWait(ctx.backoff(attempts), ctx.orderWaitMs);
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

