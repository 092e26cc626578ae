/**
 * A job of first attempts: series of deliveries nothing has stored yet (the
 * fan-out's). For each series whose predecessor is handled (order.ts):
 * - its pair has a stored delivery pending (a retry, a replay): the series is
 *   stored behind it, to be sent by the stored deliveries' path (deliver.ts);
 * - otherwise its deliveries are attempted one after the other; the first
 *   that fails is stored pending with its attempt and gets a retry job, and
 *   those after it are stored pending behind it.
 * Every delivery attempted becomes a row of the delivery log (delivered,
 * skipped, failed or pending), all the job's rows, and those of the jobs
 * running beside it, in one write (coalesce.ts); only then is the series
 * marked handled and the job done. A worker that dies before that leaves the job to BullMQ,
 * which runs it again: its deliveries are sent again (at least once, under
 * the same ids), never lost. Series whose predecessor is not handled yet wait
 * in a job of their own, looking again less and less often (order.ts:
 * seriesWait), as long as the order markers live.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { coalescerOf } from '../db/coalesce';
import { attempt, type AttemptContext, type Outcome } from './attempt';
import { firstAttemptsJob, jobOf, type DeliverJob, type FirstDelivery, type Series } from './emitter';
import { markHandled, mayGo, orderWait, seriesWait } from './order';
import { bodyOf, pairKey, type LogRow } from './store';

export interface FirstAttemptContext extends AttemptContext {
  queue: Queue<DeliverJob>;
  /** Commands (the order markers). */
  redis: Redis;
  redisPrefix: string;
  backoff: (attempts: number) => number;
  /** How long a delivery waiting for an earlier one of its device waits at least before it looks again (more as it waits: order.ts). */
  orderWaitMs: number;
}

/** What handling a series leaves: log rows, and jobs for the stored deliveries still pending. */
interface Handled {
  rows: LogRow[];
  jobs: ReturnType<typeof jobOf>[];
}

/** `waitingSince`: when the series were first found waiting (a job of waiting series carries it). */
export async function runFirstAttempts(ctx: FirstAttemptContext, series: Series[], queuedAt: number, waitingSince?: number): Promise<void> {
  const go = await mayGo(ctx.redis, ctx.redisPrefix, series, queuedAt, waitingSince, (ids) => ctx.store.logged(ids));
  const ready = series.filter((_s, i) => go[i] !== 'wait');
  const waiting = series.filter((_s, i) => go[i] === 'wait');
  const keyed = ready.filter((s): s is Series & { device: string } => s.device !== null);
  const behind = await ctx.store.pendingPairs(keyed.map((s) => ({ webhook: s.webhook, device: s.device })));
  const handled = await Promise.all(ready.map((s) => (s.device !== null && behind.has(pairKey(s.webhook, s.device)) ? stored(s, s.deliveries) : attempted(ctx, s))));
  await coalescerOf<LogRow>(ctx.store, 'webhook-log', (rows) => ctx.store.writeLog(rows)).add(handled.flatMap((h) => h.rows));
  const since = waitingSince ?? Date.now();
  const later = waiting.length === 0 ? [] : [firstAttemptsJob(waiting, queuedAt, { delay: seriesWait(since, ctx.orderWaitMs) }, since)];
  await ctx.queue.addBulk([...handled.flatMap((h) => h.jobs), ...later]);
  await markHandled(ctx.redis, ctx.redisPrefix, series.filter((_s, i) => go[i] === 'go'));
}

/** One after the other; the first not delivered (a failure that leaves it pending) holds back those after it. */
async function attempted(ctx: FirstAttemptContext, s: Series): Promise<Handled> {
  const rows: LogRow[] = [];
  for (let i = 0; i < s.deliveries.length; i++) {
    const d = s.deliveries[i];
    const body = bodyOfFirst(s, d);
    const outcome = await attempt(ctx, { id: d.id, webhook: s.webhook, device: s.device, event: d.event, body });
    if (outcome.kind !== 'failed' || outcome.disabled) {
      const row = settledRow(s, d, body, outcome);
      if (row) rows.push(row);
      continue;
    }
    const rest = stored(s, s.deliveries.slice(i + 1));
    return {
      rows: [...rows, logRow(s, d, body, 'pending', 1, outcome.httpStatus, outcome.error), ...rest.rows],
      // Those behind it look first when it is retried.
      jobs: [jobOf([d.id], { delay: ctx.backoff(1) }), ...rest.jobs.map((j) => ({ ...j, opts: { ...j.opts, delay: orderWait(ctx.backoff(1), ctx.orderWaitMs) } }))],
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
function stored(s: Series, deliveries: FirstDelivery[]): Handled {
  return { rows: deliveries.map((d) => logRow(s, d, bodyOfFirst(s, d), 'pending', 0)), jobs: deliveries.map((d) => jobOf([d.id])) };
}

function bodyOfFirst(s: Series, d: FirstDelivery): string {
  return bodyOf(d.id, { event: d.event, device: s.device, time: d.time, data: d.data });
}

function logRow(s: Series, d: FirstDelivery, body: string, status: LogRow['status'], attempts: number, lastStatus: number | null = null, lastError: string | null = null, deliveredAt: number | null = null): LogRow {
  return { id: d.id, webhook: s.webhook, event: d.event, device: s.device, time: d.time, body, status, attempts, lastStatus, lastError, deliveredAt };
}
