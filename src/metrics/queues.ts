/**
 * BullMQ queue depths and the age of each queue's oldest waiting job, read
 * when Prometheus scrapes (a few Redis commands per queue, never on a
 * request's path). The queues are the cluster's, so every process reports
 * the same values: dashboards take max() over instances. The webhook events
 * waiting for their first attempts are in a Redis stream, not a queue
 * (webhooks/fan-out.ts): sampled as the queue EVENTS_STREAM_LABEL, state waiting.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { Gauge } from 'prom-client';
import { CAMPAIGN_QUEUE } from '../campaigns/engine';
import { disconnectNow } from '../infra/redis-disconnect';
import { STEP_QUEUE, bullPrefix } from '../engine/queue';
import { SESSION_COMMITTED_QUEUE } from '../tasks/committed';
import { TASK_SWEEP_QUEUE } from '../tasks/sweep';
import { WEBHOOK_QUEUE, webhookKeys } from '../webhooks/emitter';
import { WORKFLOW_QUEUE } from '../workflows/jobs';
import { registry } from './registry';

const QUEUES = [STEP_QUEUE, SESSION_COMMITTED_QUEUE, TASK_SWEEP_QUEUE, WORKFLOW_QUEUE, CAMPAIGN_QUEUE, WEBHOOK_QUEUE];
const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed'] as const;
/** The label under which the webhook events' stream is sampled. */
const EVENTS_STREAM_LABEL = 'webhook-events';
/** A scrape must answer even while Redis does not: the gauges are left out then. */
const SAMPLE_TIMEOUT_MS = 2_000;

interface QueueSample {
  queue: string;
  counts: Record<string, number>;
  /** Seconds the oldest waiting job has waited; 0 when none waits. */
  oldestS: number;
}

/** The queues of one deployment (its REDIS_PREFIX), over one shared non-blocking connection. */
export class QueueSampler {
  private readonly queues: Queue[];
  private readonly webhookEvents: string;

  constructor(private readonly connection: Redis, redisPrefix: string) {
    this.webhookEvents = webhookKeys(redisPrefix).stream;
    this.queues = QUEUES.map((name) => new Queue(name, { connection, prefix: bullPrefix(redisPrefix, connection) }));
    // A lost connection shows as gauges missing from the scrape (and in acs_redis_errors_total); BullMQ would print each error.
    for (const q of this.queues) q.on('error', () => undefined);
  }

  private async one(queue: Queue, now: number): Promise<QueueSample> {
    const [counts, oldest] = await Promise.all([queue.getJobCounts(...STATES), queue.getJobs(['wait'], 0, 0, true)]);
    const since = oldest[0]?.timestamp;
    return { queue: queue.name, counts, oldestS: since === undefined ? 0 : Math.max(0, (now - since) / 1000) };
  }

  /** An entry's id starts with the milliseconds it was added at. */
  private async events(now: number): Promise<QueueSample> {
    const [waiting, oldest] = await Promise.all([this.connection.xlen(this.webhookEvents), this.connection.xrange(this.webhookEvents, '-', '+', 'COUNT', 1)]);
    const since = oldest.length > 0 ? Number.parseInt(oldest[0][0], 10) : now;
    return { queue: EVENTS_STREAM_LABEL, counts: { waiting }, oldestS: Math.max(0, (now - since) / 1000) };
  }

  async sample(): Promise<QueueSample[]> {
    const now = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('queue sample timed out')), SAMPLE_TIMEOUT_MS)));
    const all = Promise.all([...this.queues.map((q) => this.one(q, now)), this.events(now)]);
    all.catch(() => undefined);
    return Promise.race([all, late]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
    disconnectNow(this.connection);
  }
}

/** The sampler of the deployment this process serves (one per process; tests starting several keep the last). */
const current: { sampler: QueueSampler | null } = { sampler: null };

export function sampleQueues(sampler: QueueSampler): void {
  current.sampler = sampler;
}

export function stopSampling(sampler: QueueSampler): void {
  if (current.sampler === sampler) current.sampler = null;
}

/**
 * One sample per scrape for both gauges: the registry collects each metric
 * in turn, starting them in registration order, so the first starts the
 * sample and the second reads the same one.
 */
let lastSample: Promise<QueueSample[]> = Promise.resolve([]);

new Gauge({
  name: 'acs_queue_jobs', help: 'BullMQ jobs by queue and state, sampled at scrape', labelNames: ['queue', 'state'] as const, registers: [registry],
  async collect() {
    this.reset();
    lastSample = current.sampler ? current.sampler.sample().catch(() => []) : Promise.resolve([]);
    for (const s of await lastSample) {
      for (const [state, n] of Object.entries(s.counts)) this.set({ queue: s.queue, state }, n);
    }
  },
});

new Gauge({
  name: 'acs_queue_oldest_waiting_seconds', help: 'Age of the oldest waiting job of each BullMQ queue, sampled at scrape', labelNames: ['queue'] as const, registers: [registry],
  async collect() {
    this.reset();
    for (const s of await lastSample) this.set({ queue: s.queue }, s.oldestS);
  },
});
