/**
 * The worker side of emitting: reads the webhook events from their Redis
 * stream (emitter.ts), stores one delivery per event and subscription that
 * wants it, queues their jobs, then deletes the events from the stream.
 *
 * - One worker of the cluster reads at a time (a lease in Redis, taken over
 *   within LEASE_MS of its holder's death): the deliveries of a device are
 *   stored, and so sent, in the order its events came.
 * - Idempotent: a delivery's id is derived from its event's place in the
 *   stream and its subscription, and a stored id is not stored again. An
 *   entry read twice (a worker died between storing and deleting, a lease
 *   changed hands mid-batch) makes no second delivery.
 * - Until its deliveries are stored (the database is down), an entry stays in
 *   the stream and is read again.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { chunks } from '../db/sql';
import type { Logger } from '../log';
import { jobOf, webhookKeys, type DeliverJob } from './emitter';
import type { NewDelivery, WebhookStore } from './store';
import { forSubscription, type SubscriptionView } from './subscriptions';
import type { AcsEvent, Subscription } from './types';

const LEASE_MS = 10_000;
/** How often a worker without the lease tries to take it. */
const LEASE_RETRY_MS = 2_000;
/** How long a read waits for new events (and so how often the lease is renewed when there are none). */
const BLOCK_MS = 1_000;
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

// Renews the lease if `ARGV[1]` holds it, takes it if nobody does: 1 when held.
const HOLD = `local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

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

export interface FanOut {
  close(): Promise<void>;
}

type StreamEntry = [id: string, fields: string[]];

export function startFanOut(d: FanOutDeps): FanOut {
  const keys = webhookKeys(d.redisPrefix);
  const token = randomBytes(12).toString('hex');
  let closed = false;
  const hold = async () => Number(await d.redis.eval(HOLD, 1, keys.lease, token, LEASE_MS)) === 1;

  async function loop(): Promise<void> {
    // Entries before `last` were stored and deleted; a new holder starts from the oldest left.
    let last = '0-0';
    while (!closed) {
      try {
        if (!(await hold())) {
          last = '0-0';
          await sleep(LEASE_RETRY_MS);
          continue;
        }
        const read = (await d.reader.xread('COUNT', READ_COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', keys.stream, last)) as [string, StreamEntry[]][] | null;
        const entries = read?.[0]?.[1] ?? [];
        if (entries.length === 0) continue;
        await storeDeliveries(d, entries, await d.view.current());
        await d.redis.xdel(keys.stream, ...entries.map(([id]) => id));
        last = entries[entries.length - 1][0];
        if (entries.length < READ_COUNT) await sleep(GATHER_MS);
      } catch (err) {
        if (closed) break;
        d.log.error({ err }, 'webhook fan-out failed; its events stay in the stream');
        await sleep(BLOCK_MS);
      }
    }
  }

  const running = loop();
  return {
    close: async () => {
      closed = true;
      // Ends a blocked read at once.
      d.reader.disconnect();
      await running;
      await d.redis.eval(RELEASE, 1, keys.lease, token).catch(() => undefined);
      d.redis.disconnect();
    },
  };
}

/** Stores the deliveries of `entries`' events and queues their jobs (exported for the idempotence test). */
export async function storeDeliveries(d: Pick<FanOutDeps, 'store' | 'queue' | 'log' | 'redisPrefix'>, entries: StreamEntry[], subs: Subscription[]): Promise<string[]> {
  const stream = webhookKeys(d.redisPrefix).stream;
  const deliveries: (NewDelivery & { id: string })[] = [];
  for (const [entry, fields] of entries) {
    const events = eventsOf(fields);
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

function eventsOf(fields: string[]): AcsEvent[] | null {
  const at = fields.indexOf('e');
  try {
    const events: unknown = at >= 0 ? JSON.parse(fields[at + 1]) : null;
    return Array.isArray(events) ? (events as AcsEvent[]) : null;
  } catch {
    return null;
  }
}

/** A UUID (version 8: made of a hash) of the event's place in the stream and the subscription. */
export function deliveryId(stream: string, entry: string, index: number, webhook: number): string {
  const h = createHash('sha256').update(`${stream}/${entry}/${index}/${webhook}`).digest('hex');
  const variant = '89ab'[parseInt(h[16], 16) & 3];
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
