/**
 * The worker side of emitting: reads the webhook events from their Redis
 * stream (emitter.ts), makes one delivery per event and subscription that
 * wants it, queues them in jobs of first attempts (a job carries its
 * deliveries: nothing is stored before the first attempt, see
 * first-attempt.ts), then deletes the events from the stream.
 *
 * - One worker of the cluster reads at a time (a lease in Redis, taken over
 *   within 10 s of its holder's death: infra/leased-stream.ts): it names each
 *   series of a device's deliveries the one queued before it (order.ts), so a
 *   device's deliveries are sent in the order its events came.
 * - Idempotent: a delivery's id is derived from its event's place in the
 *   stream and its subscription, and a job's id from all its deliveries': an
 *   entry read twice (a worker died between queuing and deleting, a lease
 *   changed hands mid-batch) in a read of the same entries queues nothing
 *   twice while its job waits; read with later entries, its delivery is
 *   queued again with them (never dropped with them), and a delivery sent
 *   twice carries the same id.
 * - Until their jobs are queued, the entries stay in the stream and are read again.
 */
import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { chunks } from '../db/sql';
import { jsonArrayField, readLeasedStream, type LeasedStreamReader, type StreamEntry } from '../infra/leased-stream';
import type { Logger } from '../log';
import { firstAttemptsJob, webhookKeys, type DeliverJob, type Series } from './emitter';
import { lastQueued, markQueued } from './order';
import { pairKey } from './store';
import { forSubscription, type SubscriptionView } from './subscriptions';
import type { AcsEvent, Subscription } from './types';

/** Entries per read: each holds up to the emitter's BATCH_MAX events. */
const READ_COUNT = 20;
/*
 * After a read that found fewer than READ_COUNT entries, the next waits this
 * long: a read then takes several front ends' batches at once, and their
 * deliveries go in fewer, fuller jobs (each job costs BullMQ's scripts, a
 * SELECT and an INSERT whatever its size). Webhooks are asynchronous.
 */
const GATHER_MS = 100;
/** Deliveries per job: a worker's job POSTs them together (a device's one after the other). */
const JOB_SIZE = 100;

export interface FanOutDeps {
  /** Commands (the lease, deletes): its own connection, closed with it. */
  redis: Redis;
  /** Its own connection too: the reads block. */
  reader: Redis;
  redisPrefix: string;
  view: SubscriptionView;
  queue: Queue<DeliverJob>;
  log: Logger;
}

export function startFanOut(d: FanOutDeps): LeasedStreamReader {
  const keys = webhookKeys(d.redisPrefix);
  return readLeasedStream({
    redis: d.redis, reader: d.reader, stream: keys.stream, lease: keys.lease, log: d.log, what: 'webhook fan-out', count: READ_COUNT, gatherMs: GATHER_MS,
    handle: async (entries) => void (await queueDeliveries(d, entries, await d.view.current())),
  });
}

/** Queues the deliveries of `entries`' events, in jobs of first attempts; answers their ids (exported for the idempotence test). */
export async function queueDeliveries(d: Pick<FanOutDeps, 'redis' | 'queue' | 'log' | 'redisPrefix'>, entries: StreamEntry[], subs: Subscription[]): Promise<string[]> {
  const stream = webhookKeys(d.redisPrefix).stream;
  const series = new Map<string, Series>();
  const ids: string[] = [];
  // Where each delivery's event is in the stream: the "queued" markers never go back to an earlier one (order.ts).
  const places = new Map<string, string>();
  for (const [entry, fields] of entries) {
    const events = jsonArrayField<AcsEvent>(fields, 'e');
    if (!events) {
      d.log.error({ entry }, 'webhook events unreadable: dropped');
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
        if (found) found.deliveries.push(delivery);
        else series.set(key, { webhook: s.id, device: shaped.device, after: null, deliveries: [delivery] });
        ids.push(id);
        places.set(id, `${entry}/${i}`);
      }
    });
  }
  const all = [...series.values()].flatMap(split);
  const after = await lastQueued(d.redis, d.redisPrefix, all);
  // A long series' later parts follow its earlier ones; its first follows what was queued before this read.
  all.forEach((s, i) => (s.after ??= after[i]));
  const queuedAt = Date.now();
  await d.queue.addBulk(packed(all).map((jobSeries) => firstAttemptsJob(jobSeries, queuedAt, { jobId: jobIdOf(jobSeries) })));
  await markQueued(d.redis, d.redisPrefix, all, (id) => places.get(id) ?? '');
  return ids;
}

/*
 * A job's id names all its deliveries: an entry read twice in the same read
 * makes the same job (queued once while it waits), but a read again that
 * found later entries too makes jobs of other contents, which must not be
 * taken for twins of the first read's (their later deliveries were dropped
 * with them). Its deliveries read twice are then sent twice, under their ids.
 */
function jobIdOf(jobSeries: Series[]): string {
  const h = createHash('sha256');
  for (const s of jobSeries) for (const d of s.deliveries) h.update(d.id);
  return `first-${h.digest('hex').slice(0, 32)}`;
}

/** A series of more than JOB_SIZE deliveries in parts, each after the one before. */
function split(s: Series): Series[] {
  const parts = chunks(s.deliveries, JOB_SIZE);
  return parts.map((deliveries, i) => ({ ...s, after: i === 0 ? null : parts[i - 1][parts[i - 1].length - 1].id, deliveries }));
}

/** Series into jobs of at most JOB_SIZE deliveries, a series whole (the parts of a long one in jobs of their own). */
function packed(all: Series[]): Series[][] {
  const jobs: Series[][] = [];
  let size = JOB_SIZE;
  for (const s of all) {
    if (size + s.deliveries.length > JOB_SIZE) {
      jobs.push([]);
      size = 0;
    }
    jobs[jobs.length - 1].push(s);
    size += s.deliveries.length;
  }
  return jobs;
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

