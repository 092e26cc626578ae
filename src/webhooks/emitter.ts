/**
 * Fans the ACS's events out to the subscriptions that want them: one stored
 * delivery per event and subscription, and a BullMQ job to deliver it. The
 * subscriptions are read at most every few seconds (every process emits: the
 * front ends for device and task events, the workers for workflows and
 * campaigns), so an event nobody subscribed to costs no database read.
 */
import type { Queue } from 'bullmq';
import type { Logger } from '../log';
import type { WebhookStore } from './store';
import type { AcsEvent, Subscription, WebhookEvent } from './types';

export const WEBHOOK_QUEUE = 'webhook-deliveries';
/** How stale a process's view of the subscriptions may be. */
const REFRESH_MS = 5_000;

export interface DeliverJob {
  delivery: string;
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

  constructor(
    private readonly store: WebhookStore,
    private readonly queue: Queue<DeliverJob>,
    private readonly log: Logger,
  ) {}

  /** Forgets the cached subscriptions (one was created, changed or removed in this process). */
  refresh(): void {
    this.readAt = 0;
  }

  /**
   * Whether some subscription may want `event`, from this process's view of
   * them (refreshed in the background when stale). For the hottest path, a
   * quiet session: with nobody subscribed, it builds no event at all.
   */
  wants(event: WebhookEvent): boolean {
    if (Date.now() - this.readAt > REFRESH_MS) void this.current().catch(() => undefined);
    return this.subscriptions.some((s) => s.disabledAt === null && s.events.includes(event));
  }

  /** Stores and queues the deliveries of `events`; failures are logged (an event source never fails for its webhooks). */
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
      if (items.length === 0) return;
      const ids = await this.store.addDeliveries(items);
      await this.queue.addBulk(ids.map((id) => ({ name: 'deliver', data: { delivery: id }, opts: { jobId: id } })));
    } catch (err) {
      this.log.error({ err, events: events.map((e) => e.event) }, 'webhook deliveries not queued');
    }
  }

  /** Queues a stored delivery again (replay). */
  async requeue(ids: string[]): Promise<void> {
    // A new job id per replay: the first delivery's job may still be kept by BullMQ.
    const at = Date.now();
    await this.queue.addBulk(ids.map((id) => ({ name: 'deliver', data: { delivery: id }, opts: { jobId: `${id}-r${at}` } })));
  }

  close(): Promise<void> {
    return this.queue.close();
  }

  private async current(): Promise<Subscription[]> {
    if (Date.now() - this.readAt > REFRESH_MS) {
      this.reading ??= this.store.list().then((subs) => {
        this.subscriptions = subs;
        this.readAt = Date.now();
      }).finally(() => (this.reading = null));
      await this.reading;
    }
    return this.subscriptions;
  }
}
