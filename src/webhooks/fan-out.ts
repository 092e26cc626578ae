/**
 * The worker side of emitting: reads the webhook events from their Redis
 * stream (emitter.ts), stores one delivery per event and subscription that
 * wants it, queues their jobs, then deletes the events from the stream.
 *
 * - One worker of the cluster reads at a time (a lease in Redis, taken over
 *   within 10 s of its holder's death: infra/leased-stream.ts): the deliveries of a device are
 *   stored, and so sent, in the order its events came.
 * - Idempotent: a delivery's id is derived from its event's place in the
 *   stream and its subscription, and a stored id is not stored again. An
 *   entry read twice (a worker died between storing and deleting, a lease
 *   changed hands mid-batch) makes no second delivery.
 * - Until its deliveries are stored (the database is down), an entry stays in
 *   the stream and is read again.
 */
import { createHash } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { chunks } from '../db/sql';
import { jsonArrayField, readLeasedStream, type LeasedStreamReader, type StreamEntry } from '../infra/leased-stream';
import type { Logger } from '../log';
import { jobOf, webhookKeys, type DeliverJob } from './emitter';
import type { NewDelivery, WebhookStore } from './store';
import { forSubscription, type SubscriptionView } from './subscriptions';
import type { AcsEvent, Subscription } from './types';

/** Entries per read: each holds up to the emitter's BATCH_MAX events. */
const READ_COUNT = 20;
/*
 * After a read that found fewer than READ_COUNT entries, the next waits this
 * long: a read then takes several front ends' batches at once, and their
 * deliveries go in fewer, fuller INSERTs and jobs (each job costs BullMQ's
 * scripts and two SELECTs whatever its size). Webhooks are asynchronous.
 */
const GATHER_MS = 100;
/** Deliveries per INSERT. */
const INSERT_MAX = 1_000;
/** Deliveries per job: a worker's job POSTs them together (a device's one after the other). */
const JOB_SIZE = 100;

export interface FanOutDeps {
  /** Commands (the lease, deletes): its own connection, closed with it. */
  redis: Redis;
  /** Its own connection too: the reads block. */
  reader: Redis;
  redisPrefix: string;
  view: SubscriptionView;
  store: WebhookStore;
  queue: Queue<DeliverJob>;
  log: Logger;
}

export function startFanOut(d: FanOutDeps): LeasedStreamReader {
  const keys = webhookKeys(d.redisPrefix);
  return readLeasedStream({
    redis: d.redis, reader: d.reader, stream: keys.stream, lease: keys.lease, log: d.log, what: 'webhook fan-out', count: READ_COUNT, gatherMs: GATHER_MS,
    handle: async (entries) => void (await storeDeliveries(d, entries, await d.view.current())),
  });
}

/** Stores the deliveries of `entries`' events and queues their jobs (exported for the idempotence test). */
export async function storeDeliveries(d: Pick<FanOutDeps, 'store' | 'queue' | 'log' | 'redisPrefix'>, entries: StreamEntry[], subs: Subscription[]): Promise<string[]> {
  const stream = webhookKeys(d.redisPrefix).stream;
  const deliveries: (NewDelivery & { id: string })[] = [];
  for (const [entry, fields] of entries) {
    const events = jsonArrayField<AcsEvent>(fields, 'e');
    if (!events) {
      d.log.error({ entry }, 'webhook events unreadable: dropped');
      continue;
    }
    events.forEach((event, i) => {
      for (const s of subs) {
        const shaped = forSubscription(s, event);
        if (shaped) deliveries.push({ id: deliveryId(stream, entry, i, s.id), webhook: s.id, event: shaped });
      }
    });
  }
  for (const part of chunks(deliveries, INSERT_MAX)) {
    await d.store.addDeliveries(part);
    await d.queue.addBulk(chunks(part.map((p) => p.id), JOB_SIZE).map((ids) => jobOf(ids)));
  }
  return deliveries.map((p) => p.id);
}

/** A UUID (version 8: made of a hash) of the event's place in the stream and the subscription. */
export function deliveryId(stream: string, entry: string, index: number, webhook: number): string {
  const h = createHash('sha256').update(`${stream}/${entry}/${index}/${webhook}`).digest('hex');
  const variant = '89ab'[parseInt(h[16], 16) & 3];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

