/**
 * A process's view of the webhook subscriptions, read every second: the
 * emitters ask it whether anybody wants an event before building it, the
 * fan-out which subscriptions get a delivery of it. An event nobody
 * subscribed to costs no database read.
 */
import type { WebhookStore } from './store';
import type { AcsEvent, Subscription, WebhookEvent } from './types';

/**
 * How stale a process's view of the subscriptions may be: a subscription made
 * through one process's API takes effect on the others within it (an event
 * meanwhile is not delivered to it). One small SELECT a second per process.
 */
export const REFRESH_MS = 1_000;

export class SubscriptionView {
  private subscriptions: Subscription[] = [];
  private readAt = 0;
  private reading: Promise<void> | null = null;
  /*
   * Read on a timer, not when an event finds the view stale: wants() answers
   * at once from the view it has, so after a quiet spell the first events
   * were judged by a view older than REFRESH_MS (bench (w): a storm's first
   * sessions made no deliveries for a subscription enabled seconds before).
   */
  private readonly timer = setInterval(() => void this.read().catch(() => undefined), REFRESH_MS);

  constructor(private readonly store: WebhookStore) {
    this.timer.unref();
    void this.read().catch(() => undefined);
  }

  /** Forgets the view (a subscription was created, changed or removed in this process). */
  refresh(): void {
    this.readAt = 0;
  }

  /** Whether some enabled subscription wants `event`, from the view at hand (read again in the background if refresh() dropped it). */
  wants(event: WebhookEvent): boolean {
    if (Date.now() - this.readAt > REFRESH_MS) void this.current().catch(() => undefined);
    return this.subscriptions.some((s) => s.disabledAt === null && s.events.includes(event));
  }

  /** The subscriptions, read first if the view is stale. */
  async current(): Promise<Subscription[]> {
    return this.fresh() ?? (await this.read(), this.subscriptions);
  }

  /** The subscriptions if the view is not stale, else null: an emitter's synchronous path (emitter.ts). */
  fresh(): Subscription[] | null {
    return Date.now() - this.readAt > REFRESH_MS ? null : this.subscriptions;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private read(): Promise<void> {
    this.reading ??= this.store.list().then((subs) => {
      this.subscriptions = subs;
      this.readAt = Date.now();
    }).finally(() => (this.reading = null));
    return this.reading;
  }
}

/** The event as `s` gets it: a parameter.changed event carries only the changes of the parameters `s` names (none: no delivery). */
export function forSubscription(s: Subscription, event: AcsEvent): AcsEvent | null {
  if (s.disabledAt !== null || !s.events.includes(event.event)) return null;
  if (event.event !== 'parameter.changed') return event;
  const changes = (event.data.changes as { path: string }[]).filter((c) => namesParameter(s.parameters ?? [], c.path));
  return changes.length > 0 ? { ...event, data: { ...event.data, changes } } : null;
}

/** Whether a subscription's parameter list names `path`: itself, or an object above it ("Device.WiFi."). */
export function namesParameter(parameters: readonly string[], path: string): boolean {
  return parameters.some((n) => (n.endsWith('.') ? path.startsWith(n) : path === n));
}
