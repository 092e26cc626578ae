/**
 * BullMQ job schedulers that come back after Redis lost its data. A scheduler
 * lives only in Redis: a Redis restarted empty (no AOF, or a failover to an
 * empty replica) or flushed stops every repeating job without an error
 * anywhere (scheduled presets, the task sweep, the campaign sweep). The
 * process keeps the schedulers it wants in memory and upserts the missing
 * ones when its connection is ready again (a restart) and every `checkMs`
 * (a loss without a reconnection). Several processes may restore the same
 * scheduler at once: an upsert of the same id is idempotent.
 */
import type { Queue, RepeatOptions, JobSchedulerTemplateOptions } from 'bullmq';
import type { Logger } from '../log';

/** What an upsert takes: when the job repeats, and the job it adds each time. */
export interface SchedulerSpec {
  repeat: Omit<RepeatOptions, 'key'>;
  template: { name: string; data?: object; opts?: JobSchedulerTemplateOptions };
}

/** The queue's connection (ioredis Redis or Cluster): 'ready' after each (re)connection. */
export interface ReadyEmitter {
  on(event: 'ready', listener: () => void): unknown;
  off(event: 'ready', listener: () => void): unknown;
}

/**
 * Queue option for queues whose events nobody reads (no QueueEvents in the
 * ACS): BullMQ keeps about 10,000 events per queue by default, ~1 MiB of
 * Redis that a scheduler firing every second fills within the hour.
 */
export const UNREAD_EVENTS = { events: { maxLen: 100 } };

/** Often enough that a scheduler lost without a reconnection is back within a minute; one HGETALL per scheduler. */
export const SCHEDULER_CHECK_MS = 30_000;

export class KeptSchedulers {
  private readonly wanted = new Map<string, SchedulerSpec>();
  private readonly timer: NodeJS.Timeout;
  private readonly onReady = (): void => void this.restore();

  constructor(
    private readonly queue: Queue,
    private readonly connection: ReadyEmitter,
    private readonly log: Logger,
    checkMs = SCHEDULER_CHECK_MS,
  ) {
    connection.on('ready', this.onReady);
    this.timer = setInterval(this.onReady, checkMs).unref();
  }

  /** Upserts the scheduler now and keeps it from then on. */
  async set(id: string, spec: SchedulerSpec): Promise<void> {
    this.wanted.set(id, spec);
    await this.upsert(id, spec);
  }

  /** Removes the scheduler and stops keeping it. */
  async remove(id: string): Promise<void> {
    this.wanted.delete(id);
    await this.queue.removeJobScheduler(id);
  }

  /** The ids kept, so that a caller can tell which of them it no longer wants. */
  ids(): string[] {
    return [...this.wanted.keys()];
  }

  /** Upserts every kept scheduler that Redis no longer has. Never throws: a Redis still away is tried again later. */
  async restore(): Promise<void> {
    for (const [id, spec] of this.wanted) {
      try {
        if (await this.queue.getJobScheduler(id)) continue;
        // Removed or changed while we looked: that call wrote what is wanted.
        if (this.wanted.get(id) !== spec) continue;
        await this.upsert(id, spec);
        this.log.warn({ queue: this.queue.name, scheduler: id }, 'job scheduler was missing from Redis (Redis lost its data?): re-created');
      } catch (err) {
        this.log.warn({ err, queue: this.queue.name, scheduler: id }, 'job scheduler not checked');
      }
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.connection.off('ready', this.onReady);
  }

  private async upsert(id: string, spec: SchedulerSpec): Promise<void> {
    await this.queue.upsertJobScheduler(id, spec.repeat, spec.template);
  }
}
