/**
 * Names shared by the front ends and the workers: the BullMQ queue of
 * engine steps and the pub/sub channel each front end hears its answers on.
 */
import type { KeyLayout } from '../infra/hash-tags';

export const STEP_QUEUE = 'engine-steps';

/**
 * BullMQ's own key prefix, under the deployment's REDIS_PREFIX. On a Redis
 * Cluster it is a hash tag (BullMQ's scripts touch many keys of a queue at
 * once, so they must share a slot): every queue on one master. On a single
 * Redis, the name of before cluster support: queued jobs survive an upgrade.
 * `layout`: the queue's connection (omitted: a single Redis, as in tests).
 */
export function bullPrefix(redisPrefix: string, layout?: KeyLayout): string {
  return layout?.isCluster ? `${redisPrefix}{bull}` : `${redisPrefix}bull`;
}

export function replyChannel(redisPrefix: string, frontEnd: string): string {
  return `${redisPrefix}engine:reply:${frontEnd}`;
}

/** Schedule windows opened by the cluster's scheduler: preset name → window end (ms). */
export function schedulesKey(redisPrefix: string): string {
  return `${redisPrefix}engine:schedules`;
}

export interface StepJob {
  sid: string;
  /** The session's step counter when the job was made: a reply for another step is stale. */
  step: number;
  replyTo: string;
}

export interface StepReply {
  sid: string;
  step: number;
  /** JSON of a StepOutput, or an error message when the step failed on a host bug. */
  output?: import('./step').StepOutput;
  error?: string;
  /** The worker's own time on the step (ms), to tell it from the hand-off. */
  ms?: number;
}
