/**
 * The worker side of emitting: reads the webhook events from their Redis
 * stream (emitter.ts), makes one delivery per event and subscription that
 * wants it, and makes their first attempts (first-attempt.ts: nothing is
 * stored before), deleting each entry from the stream once its deliveries
 * are in the delivery log.
 *
 * - One worker of the cluster reads at a time (a lease in Redis, taken over
 *   within 10 s of its holder's death: infra/leased-stream.ts), so a
 *   device's deliveries are sent in the order its events came.
 * - Idempotent: a delivery's id is derived from its event's place in the
 *   stream and its subscription: an entry read again (its holder died before
 *   deleting it, the lease changed hands) makes the same deliveries, sent
 *   again under the same ids.
 * - Until their deliveries have rows, the entries stay in the stream.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { jsonArrayField, readLeasedStream, type LeasedStreamReader, type StreamEntry } from '../infra/leased-stream';
import type { Logger } from '../log';
import { webhookKeys } from './emitter';
import type { FirstAttempts, ReadSeries } from './first-attempt';
import { pairKey } from './store';
import { forSubscription, type SubscriptionView } from './subscriptions';
import type { AcsEvent, Subscription } from './types';

/** Entries per read: each holds up to the emitter's BATCH_MAX events. */
const READ_COUNT = 20;
/*
 * After a read that found fewer than READ_COUNT entries, the next waits this
 * long: a read then takes several front ends' batches at once, and costs the
 * worker and Redis less per delivery. Webhooks are asynchronous. 200 ms saved
 * the worker ~10 % of its CPU per delivery but made paced sessions no faster
 * (BENCHMARKS.md (w), sixteenth pass), for deliveries up to 100 ms later;
 * 10 ms cost the worker and Redis ~25 % more per delivery and made them no
 * faster either (nineteenth pass).
 */
const GATHER_MS = 100;

export interface FanOutDeps {
  /** Commands (the lease): its own connection, closed with it (the first attempts delete the entries, on theirs). */
  redis: Redis;
  /** Its own connection too: the reads block. */
  reader: Redis;
  redisPrefix: string;
  view: SubscriptionView;
  attempts: FirstAttempts;
  log: Logger;
}

export function startFanOut(d: FanOutDeps): LeasedStreamReader {
  const keys = webhookKeys(d.redisPrefix);
  return readLeasedStream({
    redis: d.redis, reader: d.reader, stream: keys.stream, lease: keys.lease, log: d.log, what: 'webhook fan-out', count: READ_COUNT, gatherMs: GATHER_MS,
    // The first attempts delete their entries once done with them.
    deletes: false,
    handle: (entries) => handleRead(d, entries),
  });
}

/** Starts the first attempts of a read's entries, but for those under way here (read again after the lease came back). */
export async function handleRead(d: Pick<FanOutDeps, 'redisPrefix' | 'view' | 'attempts' | 'log'>, entries: StreamEntry[]): Promise<void> {
  const fresh = entries.filter(([id]) => !d.attempts.has(id));
  if (fresh.length === 0) return;
  await d.attempts.start(fresh.map(([id]) => id), deliveriesOf(webhookKeys(d.redisPrefix).stream, fresh, await d.view.current(), d.log));
}

/** The deliveries of `entries`' events, as series of a subscription and device's in order (one alone for no device). */
export function deliveriesOf(stream: string, entries: StreamEntry[], subs: Subscription[], log: Logger): ReadSeries[] {
  const series = new Map<string, ReadSeries>();
  for (const [entry, fields] of entries) {
    const events = jsonArrayField<AcsEvent>(fields, 'e');
    if (!events) {
      log.error({ entry }, 'webhook events unreadable: dropped');
      continue;
    }
    events.forEach((event, i) => {
      for (const s of subs) {
        const shaped = forSubscription(s, event);
        if (!shaped) continue;
        const id = deliveryId(stream, entry, i, s.id);
        const delivery = { id, event: shaped.event, time: shaped.time, data: shaped.data };
        const key = shaped.device === null ? id : pairKey(s.id, shaped.device);
        const found = series.get(key);
        if (found) {
          found.deliveries.push(delivery);
          found.entries.push(entry);
        } else series.set(key, { webhook: s.id, device: shaped.device, deliveries: [delivery], entries: [entry] });
      }
    });
  }
  return [...series.values()];
}

/**
 * A UUID (version 8) of the event's place in the stream and the subscription:
 * the stream entry's milliseconds first (48 bits, as a version 7 UUID has
 * them), the rest from a hash of the place, so an entry read twice makes the
 * same id. Time-ordered, the delivery log's unique index takes each row at
 * its end; hashed whole, every row went to a random page of it (~9 µs more
 * of MariaDB's CPU per row, more once the index outgrows the buffer pool).
 */
export function deliveryId(stream: string, entry: string, index: number, webhook: number): string {
  const h = createHash('sha256').update(`${stream}/${entry}/${index}/${webhook}`).digest('hex');
  // A stream entry id is "<ms>-<seq>"; parseInt stops at the dash.
  const ms = Number.parseInt(entry, 10);
  const t = (Number.isSafeInteger(ms) && ms >= 0 ? ms : 0).toString(16).padStart(12, '0').slice(-12);
  const variant = '89ab'[parseInt(h[16], 16) & 3];
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

