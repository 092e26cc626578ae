/**
 * Puts the ACS's events on their way to the subscriptions that want them.
 * Every process emits (the front ends for device and task events, the
 * workers for workflows and campaigns), and emitting is cheap: the events of
 * BATCH_MS go to a Redis stream in one XADD, and a worker's fan-out
 * (fan-out.ts) makes one delivery per event and subscription and attempts it. Storing them here cost a CWMP front end ~0.17 ms of CPU per delivery,
 * a fifth of a whole quiet session (bench (w)).
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Coalescer } from '../db/coalesce';
import { chunks } from '../db/sql';
import type { Logger } from '../log';
import { pendingChanged } from './pending-view';
import { namesParameter, type SubscriptionView } from './subscriptions';
import type { EpochMs } from '../db/types';
import type { AcsEvent, Subscription, WebhookEvent } from './types';
import { logBullErrors } from '../infra/redis-outage';

export const WEBHOOK_QUEUE = 'webhook-deliveries';

/*
 * How long a batch gathers: a storm's sessions share an XADD (a Redis
 * command costs more in system calls than the JSON of a few events).
 */
const BATCH_MS = 20;
const BATCH_MAX = 1000;
/*
 * A safety cap on the stream while no worker reads it (a deployment without
 * one): at BATCH_MS, hours of a storm's batches. Trimmed approximately (~),
 * which costs nothing; the fan-out deletes what it stored, so a running
 * worker keeps the stream near empty.
 */
const STREAM_MAX = 200_000;

/** The Redis keys of the webhook events: the stream, the fan-out's lease, the generation of pending deliveries (pending-view.ts). */
export function webhookKeys(redisPrefix: string): { stream: string; lease: string; pending: string } {
  return { stream: `${redisPrefix}webhooks:events`, lease: `${redisPrefix}webhooks:fan-out`, pending: `${redisPrefix}webhooks:pending` };
}

/** A delivery on its way to its first attempt (first-attempt.ts): it is stored once attempted. */
export interface FirstDelivery {
  id: string;
  event: WebhookEvent;
  time: EpochMs;
  data: Record<string, unknown>;
}

/** A subscription and device's deliveries, in order; of no device: one alone. */
export interface Series {
  webhook: number;
  device: string | null;
  deliveries: FirstDelivery[];
}

/**
 * A job: stored deliveries (in the order they were stored: retries, replays,
 * rescues), or series of first attempts that a version before 2026-12-05
 * queued (its fan-out queued first attempts in jobs; deliver.ts stores them).
 */
export type DeliverJob = { deliveries: string[] } | { series: Series[] };

type JobSpec = { name: string; data: DeliverJob; opts: { jobId?: string; delay?: number } };

/** Jobs per addBulk of a replay. */
const REQUEUE_CHUNK = 1000;

/** A job's options: one stored delivery alone is its job under its own id (see deliver.ts: it retries itself, and the rescue adds no twin). */
export function jobOf(ids: string[], opts: { jobId?: string; delay?: number } = {}): JobSpec {
  return { name: 'deliver', data: { deliveries: ids }, opts: ids.length === 1 ? { jobId: ids[0], ...opts } : opts };
}

const DONE = Promise.resolve();

export class WebhookEmitter {
  private readonly batches = new Coalescer<AcsEvent>((events) => this.append(events), { delayMs: BATCH_MS, max: BATCH_MAX });
  private readonly stream: string;

  constructor(
    private readonly o: { view: SubscriptionView; redis: Redis; redisPrefix: string; queue: Queue<DeliverJob>; log: Logger },
  ) {
    this.stream = webhookKeys(o.redisPrefix).stream;
    logBullErrors(o.queue, o.log, 'webhook delivery queue');
  }

  /** Forgets the cached subscriptions (one was created, changed or removed in this process). */
  refresh(): void {
    this.o.view.refresh();
  }

  /** Whether some subscription may want `event`: a quiet session builds no event when nobody does. */
  wants(event: WebhookEvent): boolean {
    return this.o.view.wants(event);
  }

  /**
   * Sends those of `events` some subscription wants to the fan-out, settling
   * once they are in Redis (BATCH_MS or more: a session does not wait for
   * it); failures are logged (an event source never fails for its webhooks).
   * Not async: with a fresh view an event costs the front end's event loop
   * one push and two promises, ~6 µs where the async version took ~12
   * (BENCHMARKS.md, (w) seventeenth pass).
   */
  emit(events: AcsEvent[]): Promise<void> {
    if (events.length === 0) return DONE;
    let sent: Promise<void>;
    try {
      const subs = this.o.view.fresh();
      sent = subs ? this.send(events, subs) : this.o.view.current().then((s) => this.send(events, s));
    } catch (err) {
      // Never thrown at the caller: a session's end does not fail for its webhooks.
      sent = Promise.reject(err);
    }
    return sent.catch((err: unknown) => this.o.log.error({ err, events: events.map((e) => e.event) }, 'webhook events not sent'));
  }

  /**
   * `emit(build())` once the I/O under way is done (setImmediate): a CWMP
   * session's events are built and batched after its last answer is written,
   * not before it. Measured: emitting on that path made paced sessions ~6 %
   * slower (BENCHMARKS.md, (w) twenty-first pass).
   */
  emitSoon(build: () => AcsEvent[]): void {
    setImmediate(() => {
      let events: AcsEvent[];
      try {
        events = build();
      } catch (err) {
        // Never thrown: an event source never fails for its webhooks, and here nothing would catch it.
        this.o.log.error({ err }, 'webhook events not built');
        return;
      }
      void this.emit(events);
    });
  }

  /** Queues stored deliveries again (replay), set back to pending: the first attempts of their pairs go behind them. */
  async requeue(ids: string[]): Promise<void> {
    await pendingChanged(this.o.redis, webhookKeys(this.o.redisPrefix).pending);
    // A new job id per replay: the first delivery's job may still be kept by BullMQ.
    const at = Date.now();
    for (const chunk of chunks(ids, REQUEUE_CHUNK)) await this.o.queue.addBulk(chunk.map((id) => jobOf([id], { jobId: `${id}-r${at}` })));
  }

  /** The batch being gathered is sent first. */
  async close(): Promise<void> {
    this.o.view.close();
    await this.batches.idle();
    await this.o.queue.close();
  }

  private send(events: AcsEvent[], subscriptions: Subscription[]): Promise<void> {
    const subs = subscriptions.filter((s) => s.disabledAt === null);
    const wanted = events.flatMap((e) => (subs.some((s) => s.events.includes(e.event)) ? subscribed(e, subs) : []));
    return wanted.length > 0 ? this.batches.add(wanted) : DONE;
  }

  private async append(events: AcsEvent[]): Promise<void> {
    await this.o.redis.xadd(this.stream, 'MAXLEN', '~', STREAM_MAX, '*', 'e', JSON.stringify(events));
  }
}

/** Changes one parameter.changed event carries at most: a refresh of a whole model may change thousands. */
const MAX_CHANGES = 1000;

/**
 * The event as the stream keeps it: a parameter.changed event only with the
 * changes some subscription names (none: no event), then at most
 * MAX_CHANGES of them. Capped before that filter, a refresh's thousands of
 * changes could push out the one a subscription asked for.
 */
function subscribed(e: AcsEvent, subs: Subscription[]): AcsEvent[] {
  if (e.event !== 'parameter.changed') return [e];
  const lists = subs.filter((s) => s.events.includes('parameter.changed')).map((s) => s.parameters ?? []);
  const changes = (e.data.changes as { path: string }[]).filter((c) => lists.some((l) => namesParameter(l, c.path)));
  return changes.length === 0 ? [] : [{ ...e, data: { ...e.data, changes: changes.slice(0, MAX_CHANGES) } }];
}
