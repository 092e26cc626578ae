/**
 * Which (subscription, device) pairs have a stored delivery pending, as the
 * fan-out's lease holder asks before a pair's first attempts (a pair's new
 * deliveries go behind its pending ones). Most subscriptions have none at
 * all (their receivers answer): such a subscription, once probed, is known
 * clear, and its pairs need no SELECT: a read costs a Redis GET instead of
 * a SELECT of its pairs (with the log rows written a second at a time,
 * MariaDB's CPU per delivery went from ~38 µs to ~13: BENCHMARKS.md (w),
 * nineteenth pass).
 *
 * A subscription stays known clear while nothing else can have stored a
 * pending delivery of it:
 * - the holder's own first attempts: it marks the subscription as they store
 *   one (`storing`), and probes it again only once those rows are written;
 * - a replay, or a job of an older version's fan-out (pending rows stored
 *   outside the first attempts): they change the generation in Redis
 *   (`pendingChanged`) once their rows are stored, which every holder reads
 *   before it trusts what it knows;
 * - a holder that lost the lease while its pending rows were on their way:
 *   once they are written it asks Redis whether it still holds the lease
 *   (`holds`), and changes the generation if not. Still holding then, the
 *   next holder's probes come after the rows. Else the next holder may have
 *   trusted a probe for as long as that check took (a Redis round trip): a
 *   pair's new delivery could go ahead of its pending one within that time;
 * - anything else: what is known is forgotten after KNOWN_MS, shorter than
 *   the lease (LEASE_MS, 10 s).
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { chunks } from '../db/sql';
import type { WebhookStore } from './store';

/** How long a subscription probed clear stays known clear (less than the fan-out's lease, infra/leased-stream.ts). */
const KNOWN_MS = 5_000;
/** How long a subscription found with pending deliveries goes unprobed (its pairs are asked each read meanwhile). */
const REPROBE_MS = 1_000;
/** Pairs per SELECT of the pending ones. */
const PAIRS_PER_READ = 500;
/** Subscriptions per probe. */
const PROBE_MAX = 100;

export type Pair = { webhook: number; device: string };

/** Says that pending deliveries were stored outside the first attempts (after they are): holders forget what they knew clear. */
export async function pendingChanged(redis: Redis, key: string): Promise<void> {
  // A random value, not a counter: a Redis restarted empty could count back to a value a holder remembers.
  await redis.set(key, randomUUID());
}

export class PendingView {
  /** Subscriptions known clear: the generation and time of the probe. */
  private readonly clear = new Map<number, { generation: string | null; at: number }>();
  /** Subscriptions found with pending deliveries: when. */
  private readonly unclear = new Map<number, number>();
  /** Per subscription, the holder's own pending rows not yet written. */
  private readonly storingNow = new Map<number, number>();
  /** Per subscription, how often the holder has stored pending rows: a probe that saw this change knows nothing. */
  private readonly stores = new Map<number, number>();

  /** `holds`: whether this process holds the fan-out's lease now (LeasedStreamReader.holds); `now`: Date.now unless told (tests). */
  constructor(private readonly o: { redis: Redis; key: string; store: WebhookStore; holds: () => Promise<boolean>; now?: () => number }) {}

  /** Those of `pairs` with a stored delivery pending (pairKey). */
  async behind(pairs: Pair[]): Promise<Set<string>> {
    const found = new Set<string>();
    if (pairs.length === 0) return found;
    const generation = await this.o.redis.get(this.o.key);
    const now = (this.o.now ?? Date.now)();
    const asked = new Set(pairs.map((p) => p.webhook).filter((w) => !this.isClear(w, generation, now)));
    if (asked.size === 0) return found;
    const probed = await this.probe([...asked].filter((w) => this.probeable(w, now)), generation, now);
    const asking = pairs.filter((p) => asked.has(p.webhook) && !probed.has(p.webhook));
    for (const part of chunks(asking, PAIRS_PER_READ)) for (const p of await this.o.store.pendingPairs(part)) found.add(p);
    return found;
  }

  /** Says that pending deliveries were stored outside the first attempts (pendingChanged). */
  changed(): Promise<void> {
    return pendingChanged(this.o.redis, this.o.key);
  }

  /** The holder is storing pending deliveries of `webhook` in rows written once `written` settles. */
  storing(webhook: number, written: Promise<unknown>): void {
    this.clear.delete(webhook);
    this.stores.set(webhook, (this.stores.get(webhook) ?? 0) + 1);
    this.storingNow.set(webhook, (this.storingNow.get(webhook) ?? 0) + 1);
    const done = () => {
      const n = (this.storingNow.get(webhook) ?? 1) - 1;
      if (n > 0) this.storingNow.set(webhook, n);
      else this.storingNow.delete(webhook);
    };
    written.then(done, done);
    // Redis unreachable: nobody else can take the lease either; KNOWN_MS bounds the rest.
    void written.then(() => this.toldIfLost()).catch(() => undefined);
  }

  /** Changes the generation when this process no longer holds the lease: the holder's probes may have come before its rows. */
  private async toldIfLost(): Promise<void> {
    if (!(await this.o.holds())) await this.changed();
  }

  private isClear(webhook: number, generation: string | null, now: number): boolean {
    const known = this.clear.get(webhook);
    if (known && known.generation === generation && now - known.at < KNOWN_MS) return true;
    this.clear.delete(webhook);
    return false;
  }

  /** Not while its own pending rows are on their way (a probe would miss them), nor again soon after it found some. */
  private probeable(webhook: number, now: number): boolean {
    if (this.storingNow.has(webhook)) return false;
    const at = this.unclear.get(webhook);
    return at === undefined || now - at >= REPROBE_MS;
  }

  /** Probes `webhooks`: answers those found clear, now known so. */
  private async probe(webhooks: number[], generation: string | null, now: number): Promise<Set<number>> {
    const clear = new Set<number>();
    // Counted before the first probe: one stored and written while an earlier chunk was asked would escape a later chunk's count.
    const before = new Map(webhooks.map((w) => [w, this.stores.get(w) ?? 0]));
    for (const part of chunks(webhooks, PROBE_MAX)) {
      const pending = await this.o.store.pendingSubscriptions(part);
      part.forEach((w) => {
        if (pending.has(w)) this.unclear.set(w, now);
        else if ((this.stores.get(w) ?? 0) === before.get(w) && !this.storingNow.has(w)) {
          this.unclear.delete(w);
          this.clear.set(w, { generation, at: now });
          clear.add(w);
        }
      });
    }
    return clear;
  }
}
