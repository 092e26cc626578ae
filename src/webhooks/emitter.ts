/**
 * Fans the ACS's events out to the subscriptions that want them: one stored
 * delivery per event and subscription, and a BullMQ job to deliver it. The
 * subscriptions are read every few seconds (every process emits: the front
 * ends for device and task events, the workers for workflows and campaigns),
 * so an event nobody subscribed to costs no database read. The deliveries of
 * the events emitted within BATCH_MS go together: one INSERT and one BullMQ
 * round trip per batch, a job per JOB_SIZE deliveries.
 */
import type { Queue } from 'bullmq';
import { Coalescer } from '../db/coalesce';
import { chunks } from '../db/sql';
import type { Logger } from '../log';
import type { WebhookStore } from './store';
import type { AcsEvent, Subscription, WebhookEvent } from './types';

export const WEBHOOK_QUEUE = 'webhook-deliveries';
/** How stale a process's view of the subscriptions may be. */
const REFRESH_MS = 5_000;

/** Deliveries per job: a worker's job POSTs them together (a device's one after the other). */
const JOB_SIZE = 100;
/*
 * How long a batch gathers. Without it a batch held what arrived during the
 * previous INSERT, 1–4 deliveries in a storm: each paid a statement, a BullMQ
 * call and, in the worker, a job's two SELECTs and completion, which made
 * delivering cost sessions ~50 % of their rate (bench (w)). Webhooks are
 * asynchronous; 50 ms more before the POST is nothing to a receiver.
 */
const BATCH_MS = 50;
const BATCH_MAX = 1000;

export interface DeliverJob {
  /** In the order they were stored. */
  deliveries: string[];
}

interface Item {
  webhook: number;
  event: AcsEvent;
}

/** A job's options: one delivery alone is its job under its own id (see deliver.ts: it retries itself, and the rescue adds no twin). */
export function jobOf(ids: string[], opts: { jobId?: string; delay?: number } = {}): { name: string; data: DeliverJob; opts: { jobId?: string; delay?: number } } {
  return { name: 'deliver', data: { deliveries: ids }, opts: ids.length === 1 ? { jobId: ids[0], ...opts } : opts };
}

/** The event as `s` gets it: a parameter.changed event carries only the changes of the parameters `s` names (none: no delivery). */
function forSubscription(s: Subscription, event: AcsEvent): AcsEvent | null {
  if (event.event !== 'parameter.changed') return event;
  const names = s.parameters ?? [];
  const changes = (event.data.changes as { path: string }[]).filter((c) => names.some((n) => (n.endsWith('.') ? c.path.startsWith(n) : c.path === n)));
  return changes.length > 0 ? { ...event, data: { ...event.data, changes } } : null;
}

export class WebhookEmitter {
  private subscriptions: Subscription[] = [];
  private readAt = 0;
  private reading: Promise<void> | null = null;
  private readonly batches = new Coalescer<Item>((items) => this.queueDeliveries(items), { delayMs: BATCH_MS, max: BATCH_MAX });
  /*
   * Read on a timer, not when an event finds the view stale: wants() answers
   * at once from the view it has, so after a quiet spell the first events
   * were judged by a view older than REFRESH_MS (bench (w): a storm's first
   * sessions made no deliveries for a subscription enabled seconds before).
   */
  private readonly timer = setInterval(() => void this.read().catch(() => undefined), REFRESH_MS);

  constructor(
    private readonly store: WebhookStore,
    private readonly queue: Queue<DeliverJob>,
    private readonly log: Logger,
  ) {
    this.timer.unref();
    void this.read().catch(() => undefined);
  }

  /** Forgets the cached subscriptions (one was created, changed or removed in this process). */
  refresh(): void {
    this.readAt = 0;
  }

  /**
   * Whether some subscription may want `event`, from this process's view of
   * them (read again in the background if refresh() dropped it). For the hottest path, a
   * quiet session: with nobody subscribed, it builds no event at all.
   */
  wants(event: WebhookEvent): boolean {
    if (Date.now() - this.readAt > REFRESH_MS) void this.current().catch(() => undefined);
    return this.subscriptions.some((s) => s.disabledAt === null && s.events.includes(event));
  }

  /**
   * Stores and queues the deliveries of `events`, settling when they are
   * (BATCH_MS or more: a session does not wait for it); failures are logged
   * (an event source never fails for its webhooks).
   */
  async emit(events: AcsEvent[]): Promise<void> {
    if (events.length === 0) return;
    try {
      const subs = await this.current();
      const items = events.flatMap((event) =>
        subs.filter((s) => s.disabledAt === null && s.events.includes(event.event)).flatMap((s) => {
          const shaped = forSubscription(s, event);
          return shaped ? [{ webhook: s.id, event: shaped }] : [];
        }),
      );
      if (items.length > 0) await this.batches.add(items);
    } catch (err) {
      this.log.error({ err, events: events.map((e) => e.event) }, 'webhook deliveries not queued');
    }
  }

  /** Queues a stored delivery again (replay). */
  async requeue(ids: string[]): Promise<void> {
    // A new job id per replay: the first delivery's job may still be kept by BullMQ.
    const at = Date.now();
    await this.queue.addBulk(ids.map((id) => jobOf([id], { jobId: `${id}-r${at}` })));
  }

  /** The batch being gathered is stored and queued first. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.batches.idle();
    await this.queue.close();
  }

  private async queueDeliveries(items: Item[]): Promise<void> {
    const ids = await this.store.addDeliveries(items);
    await this.queue.addBulk(chunks(ids, JOB_SIZE).map((batch) => jobOf(batch)));
  }

  private async current(): Promise<Subscription[]> {
    if (Date.now() - this.readAt > REFRESH_MS) await this.read();
    return this.subscriptions;
  }

  private read(): Promise<void> {
    this.reading ??= this.store.list().then((subs) => {
      this.subscriptions = subs;
      this.readAt = Date.now();
    }).finally(() => (this.reading = null));
    return this.reading;
  }
}
