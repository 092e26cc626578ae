/**
 * One attempt at one delivery, whatever carries it (a job's first attempts,
 * a stored delivery's retry): the subscription (read at most a second ago),
 * its filter, the signed POST, and the subscription's health: a failure
 * starts its failure clock, and one failing for `disableAfterMs` is disabled
 * (with a log line saying so). The caller records the outcome.
 */
import { compileDeviceQuery, deviceMatches, devicesMatching } from '../db/device-query';
import type { Logger } from '../log';
import { metrics } from '../metrics/registry';
import { post } from './post';
import type { WebhookStore } from './store';
import type { WebhookEvent } from './types';

export interface AttemptContext {
  store: WebhookStore;
  log: Logger;
  options: { timeoutMs: number; disableAfterMs: number; pipeline?: number };
}

/** What is attempted: enough of a delivery to POST it. */
export interface Attempted {
  id: string;
  webhook: number;
  device: string | null;
  event: WebhookEvent;
  body: string;
  /** Whether the device matches the subscription's filter, when already known (filterMatches); absent: checked here. */
  matches?: boolean;
}

export type Outcome =
  | { kind: 'delivered'; httpStatus: number }
  /** Its device is outside the subscription's filter. */
  | { kind: 'skipped' }
  /** Its subscription is disabled (or, `gone`, removed with its log): not attempted. */
  | { kind: 'dropped'; gone: boolean }
  /** `disabled`: this failure disabled the subscription (the delivery fails with it). */
  | { kind: 'failed'; httpStatus: number | null; error: string; disabled: boolean };

/** Subscriptions as read at most this long ago: a burst of deliveries reads each one once. */
const SUBSCRIPTION_CACHE_MS = 1000;
type Found = Awaited<ReturnType<WebhookStore['withSecret']>>;
interface Cached {
  at: number;
  entry: Found;
  /** The subscription's filter as compiled, once per read (not per delivery); null: no filter. */
  query: CompiledFilter | null;
}
type CompiledFilter = ReturnType<typeof compileDeviceQuery>;
const subscriptions = new WeakMap<WebhookStore, Map<number, Cached>>();
/*
 * Reads under way: the deliveries that find the cache expired together (a
 * job attempts its series side by side, 50 jobs at a time) wait for one
 * read. Each read its own: 75 SELECTs a second at 1,400 deliveries/s.
 */
const reading = new WeakMap<WebhookStore, Map<number, Promise<Cached>>>();

/** The subscription as cached, with no promise when it is (most deliveries); undefined when it must be read. */
function cached(store: WebhookStore, id: number): Cached | undefined {
  const hit = subscriptions.get(store)?.get(id);
  return hit && Date.now() - hit.at < SUBSCRIPTION_CACHE_MS ? hit : undefined;
}

function read(store: WebhookStore, id: number): Promise<Cached> {
  let pending = reading.get(store);
  if (!pending) reading.set(store, (pending = new Map()));
  const under = pending.get(id);
  if (under) return under;
  const started = readOnce(store, id).finally(() => pending.delete(id));
  pending.set(id, started);
  return started;
}

async function readOnce(store: WebhookStore, id: number): Promise<Cached> {
  let cache = subscriptions.get(store);
  if (!cache) subscriptions.set(store, (cache = new Map()));
  const entry = await store.withSecret(id);
  const filter = entry?.subscription?.filter ?? null;
  const fresh: Cached = { at: Date.now(), entry, query: filter === null ? null : compileDeviceQuery({ filter }) };
  cache.set(id, fresh);
  return fresh;
}

/**
 * Which of `devices` match the subscription's filter, in one query for them
 * all (a read's first attempts); null when it has none (or one that does not
 * compile, which filters nothing), or is gone.
 */
export async function filterMatches(store: WebhookStore, webhook: number, devices: string[]): Promise<Set<string> | null> {
  const { entry, query: q } = cached(store, webhook) ?? (await read(store, webhook));
  if (!entry?.subscription || q === null || !q.ok) return null;
  return devicesMatching(store.sql, q.compiled, devices);
}

export async function attempt(ctx: AttemptContext, d: Attempted): Promise<Outcome> {
  const { store } = ctx;
  const { entry: found, query: q } = cached(store, d.webhook) ?? (await read(store, d.webhook));
  const sub = found?.subscription;
  if (!found || !sub || sub.disabledAt !== null) return counted({ kind: 'dropped', gone: !sub });
  if (q !== null && q.ok && d.device !== null) {
    if (!(d.matches ?? (await deviceMatches(store.sql, q.compiled, d.device)))) return counted({ kind: 'skipped' });
  }
  const outcome = await post(sub.url, d.id, d.event, d.body, found.secret, ctx.options.timeoutMs, ctx.options.pipeline);
  metrics.webhookDeliveries.inc({ outcome: outcome.ok ? 'delivered' : 'failed' });
  if (outcome.ok) {
    // Healthy as far as this worker knows: no write (its cached view is at most a second old).
    if (sub.failingSince !== null) await store.health(sub.id, false);
    return { kind: 'delivered', httpStatus: outcome.status };
  }
  await store.health(sub.id, true);
  // The next success here must see the failure clock running, to stop it.
  subscriptions.get(store)?.delete(sub.id);
  const since = (await store.get(sub.id))?.failingSince ?? Date.now();
  const failed = { kind: 'failed' as const, httpStatus: outcome.status, error: outcome.error };
  if (Date.now() - since < ctx.options.disableAfterMs) return { ...failed, disabled: false };
  const reason = `failing since ${new Date(since).toISOString()}: ${outcome.error}`;
  // The notice: a log line and a counter to alert on, from the one worker whose write disabled it.
  if (await store.disable(sub.id, reason)) {
    metrics.webhooksDisabled.inc();
    ctx.log.warn({ webhook: sub.id, url: sub.url, reason }, 'webhook disabled');
  }
  return { ...failed, disabled: true };
}

function counted(o: Outcome & { kind: 'skipped' | 'dropped' }): Outcome {
  metrics.webhookDeliveries.inc({ outcome: o.kind });
  return o;
}
