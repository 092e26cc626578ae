/**
 * The front end's side of the hand-off: a session step goes to the workers
 * as a BullMQ job, and the answer comes back on this process's pub/sub
 * channel. A step with no answer in time (its worker died, or none runs) is
 * asked again under a new job id; after the last try the session ends its
 * provisioning for now and the next session starts it again.
 */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { SessionState } from '../cwmp/session/state';
import { createLogger, type Logger } from '../log';
import { overheadSummary, recordOverhead } from './stats';
import { metrics } from '../metrics/registry';
import { eventsMatch } from '../presets/events';
import type { PresetRegistry } from '../presets/registry';
import { bullPrefix, replyChannel, STEP_QUEUE, type StepJob, type StepReply } from './queue';
import type { StepOutput } from './step';
import { openSchedules } from './schedules';
import { logBullErrors } from '../infra/redis-outage';

const SCHEDULE_REFRESH_MS = 1_000;

export interface ClientOptions {
  redisPrefix: string;
  /** Command connection for the queue, and a connection this client subscribes with. */
  connection: Redis;
  subscriber: Redis;
  timeoutMs: number;
  /** Tries per step (default 3). */
  attempts?: number;
  log: Logger;
}

interface Waiter {
  resolve: (reply: StepReply | null) => void;
  timer: NodeJS.Timeout;
  sentAt: number;
}

export class EngineClient {
  private readonly queue: Queue;
  private readonly channel: string;
  private readonly waiting = new Map<string, Waiter>();
  /** Scheduled presets whose window the cluster's scheduler opened, refreshed every second. */
  private open = new Set<string>();
  private refresher: NodeJS.Timeout | null = null;

  constructor(private readonly presets: PresetRegistry, private readonly options: ClientOptions) {
    this.queue = new Queue(STEP_QUEUE, { connection: options.connection, prefix: bullPrefix(options.redisPrefix, options.connection) });
    logBullErrors(this.queue, options.log, 'engine step queue');
    this.channel = replyChannel(options.redisPrefix, randomBytes(8).toString('hex'));
    options.subscriber.on('message', (_channel: string, message: string) => this.onReply(message));
  }

  async start(): Promise<void> {
    await this.options.subscriber.subscribe(this.channel);
    await this.queue.waitUntilReady();
    await this.refreshSchedules();
    this.refresher = setInterval(() => void this.refreshSchedules(), SCHEDULE_REFRESH_MS);
    this.refresher.unref();
  }

  private async refreshSchedules(): Promise<void> {
    try {
      this.open = await openSchedules(this.options.connection, this.options.redisPrefix);
    } catch (err) {
      this.options.log.warn({ err }, 'could not read the open preset schedules');
    }
  }

  /**
   * Whether a session with these events needs the engine at all: some preset
   * listens to them and, if scheduled, has its window open (preconditions are
   * the worker's to judge). A periodic Inform no preset wants costs nothing here.
   */
  wants(events: readonly string[]): boolean {
    return this.presets.list().some((p) => eventsMatch(p.events, [...events]) && (!p.schedule || this.open.has(p.name)));
  }

  /** The next step of a session whose provisioning state is current in Redis; null when no worker answered. */
  async step(state: SessionState): Promise<StepOutput | null> {
    const step = state.provision?.steps ?? 0;
    const attempts = this.options.attempts ?? 3;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const reply = await this.ask({ sid: state.id, step, replyTo: this.channel }, attempt);
      if (reply?.output) return reply.output;
      if (reply?.error) {
        this.options.log.warn({ deviceId: state.deviceKey, sessionId: state.id, error: reply.error }, 'engine step failed');
        return null;
      }
      this.options.log.warn({ deviceId: state.deviceKey, sessionId: state.id, attempt }, 'no engine worker answered in time; asking again');
    }
    return null;
  }

  private ask(job: StepJob, attempt: number): Promise<StepReply | null> {
    const key = `${job.sid}:${job.step}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiting.delete(key);
        resolve(null);
      }, this.options.timeoutMs);
      this.waiting.set(key, { resolve, timer, sentAt: performance.now() });
      this.queue.add('step', job, { jobId: `${key}:${attempt}`, removeOnComplete: true, removeOnFail: 1000 }).catch((err) => {
        this.options.log.error({ err, sessionId: job.sid }, 'could not queue an engine step');
        clearTimeout(timer);
        this.waiting.delete(key);
        resolve(null);
      });
    });
  }

  private onReply(message: string): void {
    let reply: StepReply;
    try {
      reply = JSON.parse(message) as StepReply;
    } catch {
      return;
    }
    const key = `${reply.sid}:${reply.step}`;
    const waiter = this.waiting.get(key);
    if (!waiter) return; // late: a retry already answered, or the session moved on
    this.waiting.delete(key);
    clearTimeout(waiter.timer);
    recordOverhead(performance.now() - waiter.sentAt - (reply.ms ?? 0));
    metrics.stepSeconds.observe((performance.now() - waiter.sentAt) / 1000);
    waiter.resolve(reply);
  }

  async close(): Promise<void> {
    if (this.refresher) clearInterval(this.refresher);
    const overhead = overheadSummary();
    if (overhead) (this.options.log.isLevelEnabled('info') || this.options.log.level === 'silent' ? this.options.log : createLogger('info')).info({ overhead }, 'engine hand-off');
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.resolve(null);
    }
    this.waiting.clear();
    await this.queue.close();
  }
}
