/**
 * What a process logs while its Redis is unreachable. Every connection
 * reports each failed reconnection, and every BullMQ worker on it again:
 * measured, 6 s of a Redis outage made one `acs start` print 342 error lines
 * and 114 stack traces of "[ioredis] Unhandled error event" (2,856 lines
 * outside the JSON log). Now: one line when Redis is lost, one a minute
 * while it stays lost (with the count of errors in between), one when it is
 * back. Errors that are not about reaching Redis are logged as they come.
 */
import type { Queue, Worker } from 'bullmq';
import type Redis from 'ioredis';
import type { Logger } from '../log';
import { FailureStreak } from './failure-streak';

/** Errors of a connection that cannot reach its Redis (socket, DNS, cluster, held commands given up). */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOENT']);
const CONNECTION_MESSAGES = ['Connection is closed.', 'None of startup nodes is available', "Stream isn't writeable", 'Failed to refresh slots cache'];
const CONNECTION_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (code !== undefined && CONNECTION_CODES.has(code)) || CONNECTION_NAMES.has(err.name) || CONNECTION_MESSAGES.some((m) => err.message.startsWith(m));
}

/** The outage each connection reports to (a process's connections share one; tests run several processes' worth in one). */
const outages = new WeakMap<object, RedisOutage>();

export class RedisOutage {
  private readonly streak: FailureStreak;

  constructor(log: Logger, repeatMs?: number) {
    this.streak = new FailureStreak(log, { lost: 'Redis unreachable', still: 'Redis still unreachable', back: 'Redis reachable again' }, repeatMs);
  }

  /** Reports `r`'s errors and readiness here (its 'error' listener: without one, ioredis prints each error as a stack trace). */
  watch<R extends Redis>(r: R): R {
    outages.set(r, this);
    r.on('error', (err: Error) => this.streak.failed(err));
    r.on('ready', () => this.streak.succeeded());
    return r;
  }

  /** An error about reaching Redis from a BullMQ queue or worker on a connection this outage watches: true when it was taken. */
  static took(connection: unknown, err: Error): boolean {
    const outage = typeof connection === 'object' && connection !== null ? outages.get(connection) : undefined;
    if (!outage || !isConnectionError(err)) return false;
    outage.streak.failed(err);
    return true;
  }
}

/**
 * Listens to a BullMQ queue's or worker's errors: without a listener BullMQ
 * prints each as a stack trace. One about reaching Redis goes to the outage
 * of the connection it was given; any other is logged as it comes.
 */
export function logBullErrors(emitter: Queue | Worker, log: Logger, what: string): void {
  // Listener typed as BullMQ's own: (Queue's and Worker's event maps differ; both have 'error'.)
  (emitter as Queue).on('error', (err: Error) => {
    if (!RedisOutage.took(emitter.opts.connection, err)) log.error({ err }, `${what} error`);
  });
}
