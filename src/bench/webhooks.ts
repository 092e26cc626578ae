/**
 * (w) webhook deliveries: a receiver in this process (node:http, answers 204),
 * subscriptions to device.inform, and simulated devices in periodic sessions
 * against a front end (`cwmp`) while a `worker` process delivers. Storms
 * without and with the subscriptions alternate (ROUNDS each, the same closed
 * loop as (a)): the median session rate of each says how much delivering
 * slows sessions. The receiver's count says how many deliveries per second
 * went out during the storms, and how fast the backlog drained after them.
 * Last, a storm with the delivery queue paused (sessions pay for the emission
 * alone) leaves a backlog the worker then delivers with no sessions running:
 * its capacity. Stored rows are counted, so a delivery never made shows.
 * Target: 1,000 deliveries/s, sessions slowed by at most 10 %. A warm-up
 * storm without subscriptions sets how many there are: as many as make
 * about 1,000 deliveries/s at its session rate (the target's rate, not a
 * multiple of it on a fast machine).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { openStore } from '../db';
import type { AcsProcess } from '../infra/acs-process';
import { Fleet } from '../sim/fleet';
import type { BaseModel } from '../sim/model';
import Redis from 'ioredis';
import { loadConfig } from '../config/load';
import { bullPrefix } from '../engine/queue';
import { deliveryQueue } from '../webhooks/deliver';
import { WebhookStore } from '../webhooks/store';
import { cpuMeter, peakRssMiB, pidOf } from './proc-stats';
import type { Row } from './types';

export interface WebhookBenchOptions {
  db: string;
  model: BaseModel;
  /** Sessions in flight at once (closed loop). */
  concurrency: number;
  /** device.inform subscriptions (deliveries per session); default: as many as make ~TARGET_PER_S at the warm-up's rate. */
  subscriptions?: number;
  /** Length of each storm. */
  durationS: number;
  devices: number;
}

export interface WebhookHarness {
  freshDatabase(db: string): Promise<string>;
  startAcs(databaseUrl: string, role: string, extra: NodeJS.ProcessEnv): Promise<AcsProcess & { databaseUrl: string }>;
}

/** Deliveries per second the target names. */
const TARGET_PER_S = 1000;
/** Storms of each kind, alternating: the machine is shared, its load varies; medians compare. */
const ROUNDS = 3;
/** The backlog has drained when the receiver got every delivery, or none for this long. */
const QUIET_MS = 3000;

interface Receiver {
  url: string;
  received: number;
  close(): Promise<void>;
}

function startReceiver(): Promise<Receiver> {
  const r = { received: 0 };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      r.received++;
      res.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve(Object.assign(r, {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      }));
      server.closeIdleConnections();
    });
  });
}


/** The bench's subscriptions (ids 1..count in its fresh database): created, enabled again, or disabled. */
async function webhooks(databaseUrl: string, action: 'create' | 'enable' | 'disable', url: string, count: number): Promise<void> {
  const store = await openStore(databaseUrl);
  try {
    const hooks = new WebhookStore(store.sql);
    for (let i = 0; i < count; i++) {
      if (action === 'create') await hooks.create({ url: `${url}?s=${i}`, events: ['device.inform'], secret: `bench-secret-${i}`, filter: null, parameters: null, createdBy: 'bench' });
      else if (action === 'enable') await hooks.enable(i + 1);
      else await hooks.disable(i + 1, 'bench: a storm without subscriptions');
    }
  } finally {
    await store.close();
  }
}

/** The bench's stored deliveries: how many, and how many still pending (what the receiver's count is checked against). */
async function stored(databaseUrl: string): Promise<{ rows: number; pending: number }> {
  const store = await openStore(databaseUrl);
  try {
    const [r] = await store.sql.autocommit((db) => db.select("SELECT COUNT(*) AS n, SUM(status = 'pending') AS p FROM webhook_deliveries"));
    return { rows: Number(r.n), pending: Number(r.p ?? 0) };
  } finally {
    await store.close();
  }
}

/** Waits until the receiver has `expected` deliveries or none came for QUIET_MS; answers the ms until the last one. */
async function drained(receiver: Receiver, expected: number): Promise<number> {
  const t0 = performance.now();
  let [seen, lastAt] = [receiver.received, t0];
  while (receiver.received < expected && performance.now() - lastAt < QUIET_MS) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (receiver.received !== seen) [seen, lastAt] = [receiver.received, performance.now()];
  }
  return lastAt - t0;
}

interface Storm {
  sessionsPerS: number;
  completed: number;
  p50: number;
  p99: number;
  errors: number;
  cpu: Record<string, number>;
  /** Deliveries the receiver got during the storm. */
  received: number;
  seconds: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The storm of the median session rate among `storms`. */
function medianStorm(storms: Storm[]): Storm {
  const sorted = [...storms].sort((a, b) => a.sessionsPerS - b.sessionsPerS);
  return sorted[Math.floor(sorted.length / 2)];
}

/** (w): a front end and a delivery worker on one fresh database; storms without and with the subscriptions, alternating. */
export async function webhookRows(o: WebhookBenchOptions, h: WebhookHarness): Promise<Row[]> {
  const env = { REDIS_PREFIX: `bench-wh-${Date.now()}:` };
  const front = await h.startAcs(await h.freshDatabase(o.db), 'cwmp', env);
  const worker = await h.startAcs(front.databaseUrl, 'worker', env);
  const receiver = await startReceiver();
  const fleet = await Fleet.create({ acsUrl: `http://127.0.0.1:${front.cwmpPort}/`, devices: o.devices, model: o.model, concurrency: o.concurrency });
  const pids = { acs: front.pid, worker: worker.pid, redis: pidOf('redis-server'), mariadb: pidOf('mariadbd') };
  const storm = async (): Promise<Storm> => {
    fleet.stats.reset();
    const [meter, sim, before, t0] = [cpuMeter(pids), process.cpuUsage(), receiver.received, performance.now()];
    await fleet.storm(o.durationS * 1000);
    const seconds = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(sim);
    const s = fleet.stats;
    const cpu = { ...Object.fromEntries(Object.entries(meter()).map(([k, v]) => [k, v / seconds])), sim: (used.user + used.system) / 1e6 / seconds };
    return { sessionsPerS: s.completed / seconds, completed: s.completed, p50: s.rttMs(50), p99: s.rttMs(99), errors: s.failed + s.refused, cpu, received: receiver.received - before, seconds };
  };
  try {
    await fleet.connectAll();
    await fleet.connectAll('2 PERIODIC');
    const warmUp = await storm();
    const subscriptions = o.subscriptions ?? Math.max(1, Math.round(TARGET_PER_S / warmUp.sessionsPerS));
    const without: Storm[] = [];
    const withSubs: Storm[] = [];
    const drains: { backlog: number; ms: number }[] = [];
    let [expected, delivered] = [0, 0];
    const pendingAfterDrain: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await webhooks(front.databaseUrl, round === 0 ? 'create' : 'enable', receiver.url, subscriptions);
      // The front end reads the subscriptions every 5 s (src/webhooks/emitter.ts): let it see them.
      await new Promise((resolve) => setTimeout(resolve, 6000));
      const before = receiver.received;
      const w = await storm();
      withSubs.push(w);
      expected += w.completed * subscriptions;
      const ms = await drained(receiver, before + w.completed * subscriptions);
      drains.push({ backlog: receiver.received - before - w.received, ms });
      delivered += receiver.received - before;
      pendingAfterDrain.push((await stored(front.databaseUrl)).pending);
      await webhooks(front.databaseUrl, 'disable', receiver.url, subscriptions);
      await new Promise((resolve) => setTimeout(resolve, 6000));
      without.push(await storm());
    }
    // Capacity: a backlog made while the queue is paused (the worker idle: that storm pays only for the emission), then delivered with no sessions running.
    await webhooks(front.databaseUrl, 'enable', receiver.url, subscriptions);
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const redis = new Redis(loadConfig().redisUrl, { maxRetriesPerRequest: null });
    const queue = deliveryQueue(redis, bullPrefix(env.REDIS_PREFIX));
    await queue.pause();
    const paused = await storm();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const [before, backlog] = [receiver.received, (await stored(front.databaseUrl)).pending];
    await queue.resume();
    const ms = await drained(receiver, before + backlog);
    const capacity = { backlog, ms, received: receiver.received - before, perS: (receiver.received - before) / Math.max(ms / 1000, 0.001) };
    delivered += receiver.received - before;
    // BullMQ leaves a connection it was given open: it would keep the bench from exiting.
    await queue.close();
    redis.disconnect();
    const [a, b] = [medianStorm(without), medianStorm(withSubs)];
    const slower = 1 - b.sessionsPerS / a.sessionsPerS;
    const duringPerS = median(withSubs.map((s) => s.received / s.seconds));
    const drainPerS = median(drains.map((d) => d.backlog / Math.max(d.ms / 1000, 0.001)));
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    const rows = (await stored(front.databaseUrl)).rows;
    const rss = Math.max(peakRssMiB(front.pid), peakRssMiB(worker.pid));
    const rates = (xs: Storm[]) => xs.map((s) => s.sessionsPerS.toFixed(0)).join(', ');
    const row = (label: string, s: Storm, note: string): Row => ({
      scenario: `(w) ${o.devices} devices, ${o.concurrency} in flight, ${label}`, target: 'sessions slowed <= 10 %',
      sessionsPerS: s.sessionsPerS, p50: s.p50, p99: s.p99, max: NaN, errors: s.errors, rssMiB: rss, cpu: s.cpu, note,
    });
    return [
      row('no subscription (median of rounds)', a, `rounds ${rates(without)}/s (warm-up ${warmUp.sessionsPerS.toFixed(0)}/s: ${subscriptions} subscription(s) for ~${TARGET_PER_S} deliveries/s); load average ${load} at the end`),
      row(`${subscriptions} device.inform subscriptions (median of rounds)`, b, `rounds ${rates(withSubs)}/s; ${(slower * 100).toFixed(1)} % slower than without (target <= 10 %)`),
      row(`${subscriptions} device.inform subscriptions, delivery queue paused`, paused, `${((1 - paused.sessionsPerS / a.sessionsPerS) * 100).toFixed(1)} % slower than without: the emission's cost alone`),
      {
        scenario: `(w) webhook deliveries to a local receiver, ${subscriptions} per session`, target: '>= 1000 deliveries/s',
        sessionsPerS: duringPerS, p50: NaN, p99: NaN, max: NaN, errors: rows - delivered, rssMiB: peakRssMiB(worker.pid), cpu: b.cpu,
        note: `deliveries/s in the sessions/s column (median during the storms with subscriptions); backlogs after them drained at ${drainPerS.toFixed(0)}/s (median of ${drains.map((d) => `${d.backlog} in ${(d.ms / 1000).toFixed(1)} s`).join(', ')}); ${delivered} received of ${rows} stored (${expected} sessions x subscriptions), pending after each drain ${pendingAfterDrain.join(', ')}; CPU s/s front end ${b.cpu.acs.toFixed(2)}, worker ${b.cpu.worker.toFixed(2)}`,
      },
      {
        scenario: `(w) delivery capacity: a backlog delivered with no sessions running`, target: '>= 1000 deliveries/s',
        sessionsPerS: capacity.perS, p50: NaN, p99: NaN, max: NaN, errors: capacity.backlog - capacity.received, rssMiB: peakRssMiB(worker.pid), cpu: {},
        note: `deliveries/s in the sessions/s column: ${capacity.received} of a backlog of ${capacity.backlog} in ${(capacity.ms / 1000).toFixed(1)} s`,
      },
    ];
  } finally {
    await fleet.close();
    await receiver.close();
    await Promise.all([front.stop(), worker.stop()]);
  }
}
