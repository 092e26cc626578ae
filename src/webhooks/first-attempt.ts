/**
 * First attempts, made by the fan-out's lease holder as it reads the events
 * (fan-out.ts): nothing is stored or queued before a delivery's first
 * attempt. A device's deliveries to a subscription (a pair) go one after the
 * other, in the order of their events, as one chain of series; different
 * pairs go side by side. For each series, once the pair's previous one is
 * handled:
 * - the pair has a stored delivery pending (a retry, a replay), or the
 *   subscription already has SUBSCRIPTION_ATTEMPTS_MAX series under way (a
 *   slow receiver: it must not hold up the others): the series is stored
 *   pending, to be sent by the stored deliveries' path (deliver.ts) in order
 *   behind the pending ones of its pair;
 * - otherwise its deliveries are attempted one after the other; the first
 *   that fails is stored pending with its attempt and gets a retry job, and
 *   those after it are stored pending behind it.
 * Every delivery attempted becomes a row of the delivery log (delivered,
 * skipped, failed or pending), written with the rows of the series handled
 * beside it (coalesce.ts). A series that leaves one pending has its rows
 * written before the pair's next series starts (pending-view.ts: that one
 * goes behind them); one that leaves none lets the next start at once, and
 * its rows gather for SETTLED_LOG_DELAY_MS. A stream entry whose deliveries
 * all have rows is deleted. A holder that dies leaves its entries in the
 * stream: the next holder reads them again and sends their deliveries again
 * (at least once, under the same ids), never lost. Without BullMQ's job per
 * batch and the order markers a job needed in Redis, a delivery costs ~60 µs
 * of CPU less across the worker, Redis and MariaDB (bench (w), tenth pass).
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Coalescer } from '../db/coalesce';
import { attempt, filterMatches, type AttemptContext, type Outcome } from './attempt';
import { jobOf, type DeliverJob, type FirstDelivery, type Series } from './emitter';
import type { PendingView } from './pending-view';
import { bodyOf, pairKey, type LogRow } from './store';

/**
 * Series under way (attempted, stored, waiting for their pair's previous one
 * or for their rows) beyond which the reader waits: a settled series' rows
 * wait a second, so at the worker's capacity (2,000-8,000 deliveries/s) up to
 * ~10,000 series are under way that way alone.
 */
const UNDER_WAY_MAX = 30_000;
/** Series of one subscription attempted at once; more are stored for the stored deliveries' path. */
const SUBSCRIPTION_ATTEMPTS_MAX = 256;
/*
 * A series' rows wait this long for those of the series answered after it,
 * to go in one INSERT: series finish one by one, as their receivers answer,
 * and written as they came an INSERT carried ~3 rows (bench (w)). A series
 * that leaves a delivery pending holds up its pair's next one until its rows
 * are written: 25 ms. One that leaves none holds up nothing, and a second's
 * rows (~1,000 at 1,000 deliveries/s) cost MariaDB 12-16 µs a row where
 * 25 ms' cost 27-29 (BENCHMARKS.md (w) thirteenth and nineteenth passes).
 */
const LOG_DELAY_MS = 25;
const SETTLED_LOG_DELAY_MS = 1000;
/** Rows per write of settled series: a second's at the worker's delivery capacity (2,000-8,000/s, BENCHMARKS.md (w)). */
const SETTLED_LOG_MAX = 10_000;
/** Done entries wait this long to be deleted with those done after them (one XDEL). */
const DELETE_DELAY_MS = 50;
/** How long a series whose handling failed (the database) waits before it is tried again. */
const RETRY_MS = 1000;

export interface FirstAttemptContext extends AttemptContext {
  queue: Queue<DeliverJob>;
  /** Which pairs have a delivery pending; told of the pending ones stored. */
  pending: PendingView;
  backoff: (attempts: number) => number;
  /** How long a delivery stored behind a failed one waits at least before it looks again (deliver.ts). */
  orderWaitMs: number;
}

/** A series as read: the stream entry of each of its deliveries. */
export interface ReadSeries extends Series {
  entries: string[];
  /** The devices of the read its subscription's filter matches (null: no filter, or not known: each attempt checks). */
  matching?: Promise<Set<string> | null>;
}

/** What handling a series leaves: log rows, and jobs for the stored deliveries still pending. */
interface Handled {
  rows: LogRow[];
  jobs: ReturnType<typeof jobOf>[];
}

/** Whether the pair has a delivery pending after a series, and when the series' rows are written (or given up). */
interface SeriesEnd {
  pending: boolean;
  logged: Promise<unknown>;
}

export class FirstAttempts {
  /** Per pair (a delivery of no device: alone), the handling of its last series: whether it left one pending. */
  private readonly tails = new Map<string, Promise<boolean>>();
  /** Per stream entry under way, its deliveries without a row yet. */
  private readonly left = new Map<string, number>();
  private readonly attempting = new Map<number, number>();
  /** Rows being written (idle() waits for them). */
  private readonly logging = new Set<Promise<boolean | null>>();
  private underWay = 0;
  private closed = false;
  private roomWaiters: (() => void)[] = [];
  private readonly deletes: Coalescer<string>;
  /** The rows of series that leave a delivery pending (LOG_DELAY_MS), and of those that leave none (SETTLED_LOG_DELAY_MS). */
  private readonly pendingLog: Coalescer<LogRow>;
  private readonly settledLog: Coalescer<LogRow>;

  constructor(
    private readonly ctx: FirstAttemptContext,
    /** `attemptsPerSubscription`: SUBSCRIPTION_ATTEMPTS_MAX unless told (tests). */
    private readonly o: { redis: Redis; stream: string; log: AttemptContext['log']; attemptsPerSubscription?: number },
  ) {
    this.deletes = new Coalescer((ids) => o.redis.xdel(o.stream, ...ids).then(() => undefined), { delayMs: DELETE_DELAY_MS, max: 5000 });
    this.pendingLog = new Coalescer((rows) => ctx.store.writeLog(rows), { delayMs: LOG_DELAY_MS });
    this.settledLog = new Coalescer((rows) => ctx.store.writeLog(rows), { delayMs: SETTLED_LOG_DELAY_MS, max: SETTLED_LOG_MAX });
  }

  /** Whether the entry's deliveries are under way here (an entry read again after the lease came back is left to its first read). */
  has(entry: string): boolean {
    return this.left.has(entry);
  }

  /**
   * Starts the series read in `entries` (none of them under way here);
   * answers once they are started and fewer than UNDER_WAY_MAX are under
   * way. Throws, nothing started, when the pending pairs cannot be read.
   */
  async start(entries: string[], series: ReadSeries[]): Promise<void> {
    const prevs = series.map((s) => this.tails.get(keyOf(s)));
    const asking = series.filter((s, i): s is ReadSeries & { device: string } => prevs[i] === undefined && s.device !== null);
    const behind = await this.ctx.pending.behind(asking.map((s) => ({ webhook: s.webhook, device: s.device })));
    this.filter(series);
    for (const s of series) for (const e of s.entries) this.left.set(e, (this.left.get(e) ?? 0) + 1);
    const empty = entries.filter((e) => !this.left.has(e));
    if (empty.length > 0) this.deleted(empty);
    series.forEach((s, i) => this.chain(s, prevs[i] ?? Promise.resolve(s.device !== null && behind.has(pairKey(s.webhook, s.device)))));
    while (this.underWay >= UNDER_WAY_MAX && !this.closed) await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
  }

  /** Each subscription's filter over the read's devices, one query each (asked now, awaited by the attempts). */
  private filter(series: ReadSeries[]): void {
    const bySubscription = new Map<number, ReadSeries[]>();
    for (const s of series) {
      if (s.device === null) continue;
      const same = bySubscription.get(s.webhook);
      if (same) same.push(s);
      else bySubscription.set(s.webhook, [s]);
    }
    for (const [webhook, same] of bySubscription) {
      // The query failed: each attempt checks its own device, as a retry does.
      const matching = filterMatches(this.ctx.store, webhook, same.map((s) => s.device as string)).catch(() => null);
      for (const s of same) s.matching = matching;
    }
  }

  /** Settles once nothing is under way and the done entries are deleted. */
  async idle(): Promise<void> {
    while (this.tails.size > 0 || this.logging.size > 0) await Promise.all([...this.tails.values(), ...this.logging]);
    await this.deletes.idle();
  }

  /**
   * The settled series' rows go at once from now on: a closing worker calls
   * it before it releases the lease, so the next holder does not find their
   * entries and send them again.
   */
  hurry(): void {
    this.settledLog.hurry();
  }

  /** Lets what is under way finish (a handling the database refuses is given up: its entries stay in the stream). */
  async close(): Promise<void> {
    this.closed = true;
    this.roomWaiters.splice(0).forEach((wake) => wake());
    this.hurry();
    await this.idle();
  }

  private chain(s: ReadSeries, prev: Promise<boolean>): void {
    const key = keyOf(s);
    this.underWay++;
    const outcome = prev.then((pending) => this.handle(s, pending));
    const tail = outcome.then((o) => o.pending);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    // A series is under way until its rows are written: a database refusing them stops the reads.
    void outcome.then((o) => o.logged).then(() => {
      this.underWay--;
      this.roomWaiters.shift()?.();
    });
  }

  /** Whether the pair has a delivery pending after `s`, and when its rows are written (never rejects). */
  private async handle(s: ReadSeries, pending: boolean): Promise<SeriesEnd> {
    const given = { pending, logged: Promise.resolve() };
    // Closing: what waited behind a series is left in the stream for the next holder.
    if (this.closed) return given;
    const busy = () => (this.attempting.get(s.webhook) ?? 0) >= (this.o.attemptsPerSubscription ?? SUBSCRIPTION_ATTEMPTS_MAX);
    const handled = await this.retrying(s, () => (pending || busy() ? Promise.resolve(stored(s, s.deliveries)) : this.attempted(s)));
    if (!handled) return given;
    const leftPending = handled.rows.some((r) => r.status === 'pending');
    const logged = this.logged(s, handled, leftPending);
    if (!leftPending) return { pending: false, logged };
    this.ctx.pending.storing(s.webhook, logged);
    // Given up (closing): the entries stay in the stream for the next holder.
    return (await logged) ? { pending: true, logged } : given;
  }

  /** Writes the series' rows, queues its jobs, deletes its entries once all their rows are written: whether it did. */
  private async logged(s: ReadSeries, handled: Handled, leftPending: boolean): Promise<boolean> {
    const log = leftPending ? this.pendingLog : this.settledLog;
    const write = this.retrying(s, () => log.add(handled.rows).then(() => true));
    this.logging.add(write);
    // Only the rows are written again while the database refuses them: the receiver got its deliveries once.
    const written = await write;
    this.logging.delete(write);
    if (!written) return false;
    // A job lost here is queued again by the rescue (its delivery stays pending).
    if (handled.jobs.length > 0) await this.ctx.queue.addBulk(handled.jobs).catch((err: unknown) => this.o.log.error({ err, webhook: s.webhook }, 'webhook retry jobs not queued; the rescue will'));
    const done = s.entries.filter((e) => this.written(e));
    if (done.length > 0) this.deleted(done);
    return true;
  }

  /** `step` until it succeeds; null once closing. */
  private async retrying<T>(s: Series, step: () => Promise<T>): Promise<T | null> {
    for (;;) {
      try {
        return await step();
      } catch (err) {
        if (this.closed) return null;
        this.o.log.error({ err, webhook: s.webhook, device: s.device }, 'webhook deliveries not handled; tried again');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  private async attempted(s: ReadSeries): Promise<Handled> {
    this.attempting.set(s.webhook, (this.attempting.get(s.webhook) ?? 0) + 1);
    try {
      return await attempted(this.ctx, s);
    } finally {
      const n = (this.attempting.get(s.webhook) ?? 1) - 1;
      if (n === 0) this.attempting.delete(s.webhook);
      else this.attempting.set(s.webhook, n);
    }
  }

  /** One more of the entry's deliveries has its row: whether it was the last. */
  private written(entry: string): boolean {
    const n = (this.left.get(entry) ?? 1) - 1;
    if (n > 0) this.left.set(entry, n);
    else this.left.delete(entry);
    return n <= 0;
  }

  private deleted(entries: string[]): void {
    // Not deleted: the next holder sends them again (at least once); the stream's cap trims them in time.
    this.deletes.add(entries).catch((err: unknown) => this.o.log.warn({ err, entries: entries.length }, 'webhook events delivered but not deleted from the stream'));
  }
}

function keyOf(s: Series): string {
  return s.device === null ? s.deliveries[0].id : pairKey(s.webhook, s.device);
}

/** One after the other; the first not delivered (a failure that leaves it pending) holds back those after it. */
async function attempted(ctx: FirstAttemptContext, s: ReadSeries): Promise<Handled> {
  const rows: LogRow[] = [];
  const matches = s.device === null ? undefined : (await s.matching)?.has(s.device);
  for (let i = 0; i < s.deliveries.length; i++) {
    const d = s.deliveries[i];
    const body = bodyOfFirst(s, d);
    const outcome = await attempt(ctx, { id: d.id, webhook: s.webhook, device: s.device, event: d.event, body, matches });
    if (outcome.kind !== 'failed' || outcome.disabled) {
      const row = settledRow(s, d, body, outcome);
      if (row) rows.push(row);
      continue;
    }
    const rest = stored(s, s.deliveries.slice(i + 1));
    return {
      rows: [...rows, logRow(s, d, body, 'pending', 1, outcome.httpStatus, outcome.error), ...rest.rows],
      // Those behind it look first when it is retried.
      jobs: [jobOf([d.id], { delay: ctx.backoff(1) }), ...rest.jobs.map((j) => ({ ...j, opts: { ...j.opts, delay: Math.max(ctx.backoff(1), ctx.orderWaitMs) } }))],
    };
  }
  return { rows, jobs: [] };
}

/** The row of an attempt that leaves nothing to retry; none for a removed subscription (its log went with it). */
function settledRow(s: Series, d: FirstDelivery, body: string, o: Outcome): LogRow | null {
  switch (o.kind) {
    case 'delivered':
      return logRow(s, d, body, 'delivered', 1, o.httpStatus, null, Date.now());
    case 'skipped':
      return logRow(s, d, body, 'skipped', 0);
    case 'dropped':
      return o.gone ? null : logRow(s, d, body, 'failed', 0);
    case 'failed':
      return logRow(s, d, body, 'failed', 1, o.httpStatus, o.error);
  }
}

/** Stored pending, not attempted: the stored deliveries' path sends them, in order behind the pending ones of their pair. */
export function stored(s: Series, deliveries: FirstDelivery[]): Handled {
  return { rows: deliveries.map((d) => logRow(s, d, bodyOfFirst(s, d), 'pending', 0)), jobs: deliveries.map((d) => jobOf([d.id])) };
}

function bodyOfFirst(s: Series, d: FirstDelivery): string {
  return bodyOf(d.id, { event: d.event, device: s.device, time: d.time, data: d.data });
}

function logRow(s: Series, d: FirstDelivery, body: string, status: LogRow['status'], attempts: number, lastStatus: number | null = null, lastError: string | null = null, deliveredAt: number | null = null): LogRow {
  return { id: d.id, webhook: s.webhook, event: d.event, device: s.device, time: d.time, body, status, attempts, lastStatus, lastError, deliveredAt };
}
