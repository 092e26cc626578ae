/**
 * The webhooks role: the fan-out of emitted events into deliveries, and their
 * delivery. Run by workers (unless WORKER_DELIVERS_WEBHOOKS=false) and by
 * `--role webhooks` processes, which can run on hosts of their own, away
 * from the front ends (a lower CPU priority on a shared host made sessions
 * slower still: BENCHMARKS.md (w), run G).
 */
import { bullPrefix } from '../engine/queue';
import type { Config } from '../config/schema';
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
}
