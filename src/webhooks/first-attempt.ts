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
 * beside it (coalesce.ts); only then does the pair's next series start, and
 * a stream entry whose deliveries all have rows is deleted. A holder that
 * dies leaves its entries in the stream: the next holder reads them again
 * and sends their deliveries again (at least once, under the same ids), never
 * lost. Without BullMQ's job per batch and the order markers a job needed
 * in Redis, a delivery costs ~60 µs of CPU less across the worker, Redis
 * and MariaDB (bench (w), tenth pass).
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Coalescer, coalescerOf } from '../db/coalesce';
import { chunks } from '../db/sql';
import { attempt, filterMatches, type AttemptContext, type Outcome } from './attempt';
import { jobOf, type DeliverJob, type FirstDelivery, type Series } from './emitter';
import { bodyOf, pairKey, type LogRow } from './store';

/** Series under way (attempted, stored, waiting for their pair's previous one) beyond which the reader waits. */
const UNDER_WAY_MAX = 10_000;
/** Series of one subscription attempted at once; more are stored for the stored deliveries' path. */
const SUBSCRIPTION_ATTEMPTS_MAX = 256;
/*
 * A series' rows wait this long for those of the series answered after it,
 * to go in one INSERT: series finish one by one, as their receivers answer,
 * and written as they came an INSERT carried ~3 rows (bench (w)); at 25 ms
 * ~26 rows at 1,000 deliveries/s. 100 ms (a read's rows together) cost
 * MariaDB less per row (18-19 µs against 27-29) but left paced sessions
 * slower (BENCHMARKS.md (w) thirteenth pass): longer bursts of database
 * work. It delays only a pair's next series (one device's burst).
 */
const LOG_DELAY_MS = 25;
/** Done entries wait this long to be deleted with those done after them (one XDEL). */
const DELETE_DELAY_MS = 50;
/** Pairs per SELECT of the pending ones. */
const PAIRS_PER_READ = 500;
/** How long a series whose handling failed (the database) waits before it is tried again. */
const RETRY_MS = 1000;

export interface FirstAttemptContext extends AttemptContext {
  queue: Queue<DeliverJob>;
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

export class FirstAttempts {
  /** Per pair (a delivery of no device: alone), the handling of its last series: whether it left one pending. */
  private readonly tails = new Map<string, Promise<boolean>>();
  /** Per stream entry under way, its deliveries without a row yet. */
  private readonly left = new Map<string, number>();
  private readonly attempting = new Map<number, number>();
  private underWay = 0;
  private closed = false;
  private roomWaiters: (() => void)[] = [];
  private readonly deletes: Coalescer<string>;

  constructor(
    private readonly ctx: FirstAttemptContext,
    /** `attemptsPerSubscription`: SUBSCRIPTION_ATTEMPTS_MAX unless told (tests). */
    private readonly o: { redis: Redis; stream: string; log: AttemptContext['log']; attemptsPerSubscription?: number },
  ) {
    this.deletes = new Coalescer((ids) => o.redis.xdel(o.stream, ...ids).then(() => undefined), { delayMs: DELETE_DELAY_MS, max: 5000 });
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
    const behind = new Set<string>();
    for (const part of chunks(asking, PAIRS_PER_READ)) for (const p of await this.ctx.store.pendingPairs(part.map((s) => ({ webhook: s.webhook, device: s.device })))) behind.add(p);
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
    while (this.tails.size > 0) await Promise.all(this.tails.values());
    await this.deletes.idle();
  }

  /** Lets what is under way finish (a handling the database refuses is given up: its entries stay in the stream). */
  async close(): Promise<void> {
    this.closed = true;
    this.roomWaiters.splice(0).forEach((wake) => wake());
    await this.idle();
  }

  private chain(s: ReadSeries, prev: Promise<boolean>): void {
    const key = keyOf(s);
    this.underWay++;
    const tail = prev.then((pending) => this.handle(s, pending));
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      this.underWay--;
      this.roomWaiters.shift()?.();
    });
  }

  /** Whether the pair has a delivery pending after `s` (never rejects). */
  private async handle(s: ReadSeries, pending: boolean): Promise<boolean> {
    // Closing: what waited behind a series is left in the stream for the next holder.
    if (this.closed) return pending;
    const busy = () => (this.attempting.get(s.webhook) ?? 0) >= (this.o.attemptsPerSubscription ?? SUBSCRIPTION_ATTEMPTS_MAX);
    const handled = await this.retrying(s, () => (pending || busy() ? Promise.resolve(stored(s, s.deliveries)) : this.attempted(s)));
    // Only the rows are written again while the database refuses them: the receiver got its deliveries once.
    const written = handled && (await this.retrying(s, () => coalescerOf<LogRow>(this.ctx.store, 'webhook-log', (rows) => this.ctx.store.writeLog(rows), { delayMs: LOG_DELAY_MS }).add(handled.rows).then(() => true)));
    // Given up (closing): the entries stay in the stream for the next holder.
    if (!handled || !written) return pending;
    // A job lost here is queued again by the rescue (its delivery stays pending).
    if (handled.jobs.length > 0) await this.ctx.queue.addBulk(handled.jobs).catch((err: unknown) => this.o.log.error({ err, webhook: s.webhook }, 'webhook retry jobs not queued; the rescue will'));
    const done = s.entries.filter((e) => this.written(e));
    if (done.length > 0) this.deleted(done);
    return handled.rows.some((r) => r.status === 'pending');
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
