/**
 * The webhooks role: the fan-out of emitted events into deliveries, and their
 * delivery. Run by workers (unless WORKER_DELIVERS_WEBHOOKS=false) and by
 * `--role webhooks` processes, which run at the idle CPU policy
 * (WEBHOOK_SCHEDULING) or on hosts of their own, away from the front ends.
 */
import { bullPrefix } from '../engine/queue';
import type { Config } from '../config/schema';
import { scheduleWhenIdle } from '../infra/cpu-scheduling';
import { startDeliveryWorker, type DeliveryOptions } from '../webhooks';
import type { Shared } from './shared';

/** The delivery settings (WEBHOOK_*) as the delivery worker takes them. */
export function deliveryOptions(config: Config): DeliveryOptions {
  return {
    timeoutMs: config.webhookTimeoutMs,
    retryBaseMs: config.webhookRetryBaseMs,
    maxRetryMs: config.webhookRetryMaxMs,
    disableAfterMs: config.webhookDisableAfterMs,
    retentionMs: config.webhookRetentionMs,
    pipeline: config.webhookPipeline,
  };
}

export function startWebhooksRole(s: Shared): void {
  const { config } = s;
  const options = deliveryOptions(config);
  const deliveries = startDeliveryWorker({
    connect: s.bullConnection, prefix: bullPrefix(config.redisPrefix, s.redis), redisPrefix: config.redisPrefix, view: s.webhookView, store: s.webhookStore, log: s.log, options,
  });
  s.opened.push(() => deliveries.close());
  // Only a process that does nothing else: a worker's engine steps and a front end's sessions must not wait for idle CPU.
  if (s.role === 'webhooks' && config.webhookScheduling === 'idle') void idle(s);
}

/**
 * Sessions on the same host take the CPU first (paced at 1,000 deliveries/s,
 * BENCHMARKS.md (w) twenty-second pass); at full load the deliveries wait
 * instead, their events kept in the stream.
 */
async function idle(s: Shared): Promise<void> {
  const refused = await scheduleWhenIdle();
  if (refused === null) s.log.info('webhook deliveries run at the idle CPU policy (WEBHOOK_SCHEDULING=idle)');
  else s.log.warn({ reason: refused }, 'WEBHOOK_SCHEDULING=idle not applied: deliveries take CPU from sessions on this host');
}
