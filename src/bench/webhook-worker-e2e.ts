/**
 * The delivery worker's CPU per delivery, end to end (not part of `acs
 * bench`): a fresh MariaDB database with one device.inform subscription, a
 * receiver process (bench (w)'s), a worker process (startDeliveryWorker, as
 * `--role webhooks` runs it), and this process emitting `rate` events/s for
 * `seconds` through the WebhookEmitter, as sessions do. CPU of the worker
 * (process.cpuUsage, from the first emit until the receiver has them all),
 * of the receiver, MariaDB and Redis (/proc; both shared with whatever else
 * runs), per delivery.
 *
 *   node --import tsx src/bench/webhook-worker-e2e.ts [--rate 1500] [--seconds 12] [--runs 2] [--prefill 0] name=<src dir> ...
 *
 * Each `name=<src dir>` is a tree of this project's src/ (e.g. an older
 * commit's, `git archive <commit> src | tar -x -C /tmp/x`, its node_modules
 * linked) whose worker runs, on a database its own migrations made; the
 * trees run interleaved. `--prefill N`: the log starts with N delivered rows.
 * `--filter EXPR`: the subscription has that filter, over devices dev-0 to
 * dev-4999 (and warm-up) stored, each tagged `bench` (`--filter Tags.bench`
 * matches them all).
 */
import { fork, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import mysql from 'mysql2/promise';
import { openStore } from '../db';
import { bullPrefix } from '../engine/queue';
import { createLogger } from '../log';
import { deliveryQueue, SubscriptionView, WebhookEmitter, WebhookStore, type AcsEvent } from '../webhooks';
import { cpuSeconds, pidOf, wakeupsOf } from './proc-stats';

const REDIS_URL = 'redis://127.0.0.1:6379';
const DB_NAME = 'acs_wpost_e2e';
const DB_URL = `mysql://root@127.0.0.1:3306/${DB_NAME}`;

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const filterAt = process.argv.indexOf('--filter');
const filter = filterAt >= 0 ? (process.argv[filterAt + 1] ?? null) : null;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** In the worker process: a delivery worker from the tree `srcDir`; answers 'cpu' with its process.cpuUsage(). */
async function worker(srcDir: string, redisPrefix: string): Promise<void> {
  // require: the tree is chosen at run time (its own copies of the modules, not this one's).
  const db = require(path.join(srcDir, 'db')) as typeof import('../db');
  const hooks = require(path.join(srcDir, 'webhooks')) as typeof import('../webhooks');
  const logs = require(path.join(srcDir, 'log')) as typeof import('../log');
  const store = await db.openStore(DB_URL);
  const webhooks = new hooks.WebhookStore(store.sql);
  const options = { timeoutMs: 10_000, retryBaseMs: 1000, maxRetryMs: 60_000, disableAfterMs: 3600_000, retentionMs: 7 * 24 * 3600_000 };
  const connect = () => new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const w = hooks.startDeliveryWorker({ connect, prefix: bullPrefix(redisPrefix), redisPrefix, view: new hooks.SubscriptionView(webhooks), store: webhooks, log: logs.createLogger('warn'), options });
  process.on('message', (m: string) => {
    if (m === 'cpu') process.send?.({ cpu: process.cpuUsage() });
    if (m === 'stop') void w.close().then(() => store.close()).then(() => process.exit(0));
  });
  process.send?.({ ready: true });
}

function fresh(child: ChildProcess, key: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
  });
}

async function freshDatabase(): Promise<void> {
  const conn = await mysql.createConnection('mysql://root@127.0.0.1:3306/');
  await conn.query(`DROP DATABASE IF EXISTS ${DB_NAME}`);
  await conn.end();
}

interface E2e {
  deliveries: number;
  workerMs: number;
  workerSysMs: number;
  receiverMs: number;
  mariadbMs: number;
  redisMs: number;
  seconds: number;
  /** Voluntary context switches (sleeps ended by a wakeup) per process over the run. */
  wakeups: Record<string, number>;
}

/** `rows` delivered rows of a subscription that is not the run's, as a log holds after days of deliveries (MariaDB's sequence engine makes them). */
async function prefill(rows: number): Promise<void> {
  if (rows <= 0) return;
  const conn = await mysql.createConnection(DB_URL);
  await conn.query(`INSERT INTO webhook_deliveries (uuid, webhook_id, event, device, time, body, status, attempts, last_status, delivered_at)
    SELECT CONCAT(LPAD(HEX(seq), 8, '0'), '-0000-8', SUBSTR(MD5(seq), 1, 3), '-8', SUBSTR(MD5(seq), 4, 3), '-', SUBSTR(MD5(seq), 7, 12)), 999, 'device.inform',
      CONCAT('old-', seq % 5000), 0, REPEAT('x', 200), 'delivered', 1, 204, 0 FROM seq_1_to_${Math.floor(rows)}`);
  await conn.end();
}

/** The devices the events name, for a filter to look at: each tagged `bench`. */
async function devices(): Promise<void> {
  const conn = await mysql.createConnection(DB_URL);
  await conn.query(`INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number)
    SELECT CONCAT('dev-', seq), 'Acme', '00D09E', 'PC', CONCAT('SN', seq) FROM seq_0_to_4999`);
  await conn.query(`INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number) VALUES ('warm-up', 'Acme', '00D09E', 'PC', 'SNW')`);
  await conn.query(`INSERT INTO device_tags (device_id, tag) SELECT id, 'bench' FROM devices`);
  await conn.end();
}

async function runOnce(srcDir: string, rate: number, seconds: number, prefilled: number): Promise<E2e> {
  await freshDatabase();
  // Migrated by the tree's own code: a tree runs on the schema it knows.
  const tree = require(path.join(srcDir, 'db')) as typeof import('../db');
  const migrating = await tree.openStore(DB_URL);
  await migrating.migrate();
  await migrating.close();
  await prefill(prefilled);
  if (filter !== null) await devices();
  const store = await openStore(DB_URL);
  const webhooks = new WebhookStore(store.sql);
  const receiver = fork(path.join(__dirname, 'webhook-receiver.ts'), [], { execArgv: ['--import', 'tsx'] });
  let received = 0;
  receiver.on('message', (m: { received?: number }) => m.received !== undefined && (received = m.received));
  const { port } = (await fresh(receiver, 'port')) as { port: number };
  await webhooks.create({ url: `http://127.0.0.1:${port}/hook`, events: ['device.inform'], secret: 'bench-secret-0', filter, parameters: null, createdBy: 'bench' });
  const redisPrefix = `wpost-e2e-${Date.now()}:`;
  const w = fork(__filename, ['--worker', srcDir, redisPrefix], { execArgv: ['--import', 'tsx', ...(process.env.BENCH_WORKER_FLAGS?.split(' ').filter(Boolean) ?? []), ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])] });
  await fresh(w, 'ready');
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  // The queue's own connection: BullMQ's close leaves a connection it was given open.
  const queueRedis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const emitter = new WebhookEmitter({ view: new SubscriptionView(webhooks), redis, redisPrefix, queue: deliveryQueue(queueRedis, bullPrefix(redisPrefix)), log: createLogger('warn') });
  // Emitting starts the fan-out's and the worker's first jobs: a short warm-up, then the measured storm.
  await emitter.emit([{ event: 'device.inform', device: 'warm-up', time: Date.now(), data: {} }]);
  while (received < 1) await sleep(20);
  const pids = { mariadb: pidOf('mariadbd') ?? pidOf('mysqld'), redis: pidOf('redis-server'), receiver: receiver.pid ?? null };
  const proc0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? cpuSeconds(pid) : NaN]));
  const woken = { worker: w.pid ?? null, ...pids };
  const switches = () => Object.fromEntries(Object.entries(woken).map(([k, pid]) => [k, pid ? wakeupsOf(pid) : NaN]));
  const switches0 = switches();
  const cpu0 = ((await (w.send('cpu'), fresh(w, 'cpu'))) as { cpu: NodeJS.CpuUsage }).cpu;
  const start = Date.now();
  const per10ms = rate / 100;
  let emitted = 0;
  for (let tick = 0; Date.now() - start < seconds * 1000; tick++) {
    const due = Math.round(((Date.now() - start) / 1000) * rate);
    const events: AcsEvent[] = [];
    for (; emitted < due; emitted++) events.push({ event: 'device.inform', device: `dev-${emitted % 5000}`, time: Date.now(), data: { sessionId: `s-${emitted}`, events: ['2 PERIODIC'], softwareVersion: 'V1.2.3' } });
    void emitter.emit(events);
    await sleep(10 - ((Date.now() - start) % 10) || per10ms);
  }
  const total = emitted + 1;
  let last = received;
  let quietSince = Date.now();
  while (received < total && Date.now() - quietSince < 5000) {
    await sleep(50);
    if (received !== last) [last, quietSince] = [received, Date.now()];
  }
  const cpu = ((await (w.send('cpu'), fresh(w, 'cpu'))) as { cpu: NodeJS.CpuUsage }).cpu;
  const switched = switches();
  const wakeups = Object.fromEntries(Object.keys(woken).map((k) => [k, switched[k] - switches0[k]]));
  const proc = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, pid ? cpuSeconds(pid) - proc0[k] : NaN]));
  const wall = (Date.now() - start) / 1000;
  const deliveries = received - 1;
  w.send('stop');
  await new Promise((resolve) => w.once('exit', resolve));
  await emitter.close();
  redis.disconnect();
  queueRedis.disconnect();
  receiver.kill();
  await store.close();
  if (received < total) console.log(`  only ${received} of ${total} received`);
  return { deliveries, workerMs: (cpu.user + cpu.system - cpu0.user - cpu0.system) / 1000, workerSysMs: (cpu.system - cpu0.system) / 1000, receiverMs: proc.receiver * 1000, mariadbMs: proc.mariadb * 1000, redisMs: proc.redis * 1000, seconds: wall, wakeups };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--worker') return worker(process.argv[3], process.argv[4]);
  const rate = arg('rate', 1500);
  const seconds = arg('seconds', 12);
  const runs = arg('runs', 2);
  const prefilled = arg('prefill', 0);
  // A filter may hold '=' too: it is not a tree.
  const trees = process.argv.slice(2).filter((a, i) => a.includes('=') && i + 2 !== filterAt + 1).map((a) => a.split('=', 2) as [string, string]);
  if (trees.length === 0) trees.push(['this', path.resolve(__dirname, '..')]);
  console.log(`rate ${rate}/s for ${seconds} s, runs ${runs}, prefill ${prefilled}, filter ${filter ?? 'none'}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (let run = 1; run <= runs; run++) {
    for (const [name, dir] of trees) {
      const r = await runOnce(path.resolve(dir), rate, seconds, prefilled);
      const per = (ms: number) => ((ms / r.deliveries) * 1000).toFixed(1);
      console.log(
        `run ${run} ${name}: ${r.deliveries} deliveries in ${r.seconds.toFixed(1)} s; µs per delivery: worker ${per(r.workerMs)} (system ${per(r.workerSysMs)}), receiver ${per(r.receiverMs)}, mariadb ${per(r.mariadbMs)}, redis ${per(r.redisMs)}; wakeups per delivery: ${Object.entries(r.wakeups).map(([k, n]) => `${k} ${(n / r.deliveries).toFixed(2)}`).join(', ')}; load ${os.loadavg()[0].toFixed(2)}`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
