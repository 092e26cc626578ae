/**
 * The provisioning engine as a cluster of separate processes (issue 4 §4):
 * two `--role cwmp` front ends behind a round-robin proxy and two
 * `--role worker` engine workers, on one MariaDB database and one Redis
 * (a single Redis in cluster.test.ts, a Redis Cluster in
 * cluster-redis-cluster.test.ts), driven by the simulator. Needs a current
 * dist/ (`npm test` builds it first; run `npm run build` before running
 * these files alone).
 */
import { RedisSessionStore } from '../../src/cwmp/session/redis-store';
import { SessionKeys } from '../../src/cwmp/session/session-keys';
import { strict as assert } from 'node:assert';
import path from 'node:path';
import type Redis from 'ioredis';
import type { Cluster as RedisCluster } from 'ioredis';
import type { DeviceStore } from '../../src/db/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import type { BaseModel } from '../../src/sim/model';
import type { SimDevice } from '../../src/sim/device';
import { readCookie, SESSION_COOKIE } from '../../src/cwmp/http/cookies';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { inform, ScriptedCpe } from '../helpers/cpe';
import { cpuMs, percentile, startCluster, type Cluster, type ClusterProcess, type ProxyRecord } from '../helpers/cluster';
import { sleep, until } from '../helpers/wait';

const MODELS = path.resolve(__dirname, '../../../shared/samples/device-models');
const TR181 = path.join(MODELS, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');

/** Every session (no events: any Inform) runs the provision, which takes several engine steps. */
const PRESETS = { 'cluster.yaml': 'channel: cluster\nprovisions:\n  - [cluster, SPIN]\n' };

/**
 * Discovery of Device.WiFi.SSID.* (fresh in every session), then, after
 * commit(), several values in one SetParameterValues and an instance found by
 * its alias keys (AddObject + the keys' SetParameterValues), then a value on
 * that instance. args[0]: iterations of a busy loop (≈ 5 ms per million) run
 * at each script run, to keep steps in flight on the workers.
 */
const PROVISION = `
const now = Date.now();
let x = 0;
for (let i = 0; i < args[0]; i++) x = (x + i * 7) % 1000003;
if (x < 0) log(x);
const serial = declare('DeviceID.SerialNumber').value[0];
declare('Device.WiFi.SSID.*.SSID', { path: now, value: now });
commit();
declare('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: 3600 });
for (const n of [1, 2, 3]) declare('Device.WiFi.SSID.' + n + '.SSID', { value: 1 }, { value: serial + '-' + n });
declare('Device.WiFi.SSID.[Alias:cluster-guest,SSID:ClusterGuest]', { path: now }, { instances: 1 });
declare('Device.WiFi.SSID.[Alias:cluster-guest,SSID:ClusterGuest].Enable', { value: 1 }, { value: false });
`;

function clusterFiles(spin: number): { presets: Record<string, string>; provisions: Record<string, string> } {
  return { presets: { 'cluster.yaml': PRESETS['cluster.yaml'].replace('SPIN', String(spin)) }, provisions: { 'cluster.js': PROVISION } };
}

let model: BaseModel | null = null;
const baseModel = (): BaseModel => (model ??= loadModel(TR181));

function serialOf(d: SimDevice): string {
  return d.deviceId().SerialNumber;
}

/** Instance numbers of Device.WiFi.SSID. on the simulated device. */
function simInstances(d: SimDevice): string[] {
  const table = d.model.lookup('Device.WiFi.SSID.');
  if (table === undefined) return [];
  return d.model.children(table).map((c) => /\.(\d+)\.$/.exec(d.model.pathOf(c))?.[1] ?? '?');
}

/** What the provision wants, on the simulated device; one line per difference. */
function notProvisioned(d: SimDevice): string[] {
  const out: string[] = [];
  const m = d.model;
  const want = (p: string, v: string): void => {
    if (m.getValue(p) !== v) out.push(`${d.key}: device ${p} = ${JSON.stringify(m.getValue(p))}, want ${JSON.stringify(v)}`);
  };
  want('Device.ManagementServer.PeriodicInformInterval', '3600');
  for (const n of [1, 2, 3]) want(`Device.WiFi.SSID.${n}.SSID`, `${serialOf(d)}-${n}`);
  const guests = simInstances(d).filter((i) => m.getValue(`Device.WiFi.SSID.${i}.Alias`) === 'cluster-guest');
  if (guests.length !== 1) out.push(`${d.key}: ${guests.length} instances with Alias cluster-guest, want 1`);
  for (const i of guests) {
    want(`Device.WiFi.SSID.${i}.SSID`, 'ClusterGuest');
    want(`Device.WiFi.SSID.${i}.Enable`, 'false');
  }
  return out;
}

/**
 * The store against the device: the same Device.WiFi.SSID instances, and
 * every value it holds for the provisioned paths equal to the device's.
 */
async function inconsistencies(store: DeviceStore, d: SimDevice): Promise<string[]> {
  const key = deviceKeyOf(d.deviceId());
  if (!(await store.getDevice(key))) return [`${d.key}: had a session, but the store has no record of the device`];
  const rows = await store.getParameters(key, 'Device.');
  const out: string[] = [];
  const stored = rows.filter((r) => r.kind === 'instance' && /^Device\.WiFi\.SSID\.\d+\.$/.test(r.path)).map((r) => r.path.split('.')[3]);
  const onDevice = simInstances(d);
  if (stored.length > 0 && [...stored].sort().join() !== [...onDevice].sort().join()) {
    out.push(`${d.key}: stored SSID instances [${stored.sort().join()}], device has [${onDevice.sort().join()}]`);
  }
  const watched = /^Device\.(WiFi\.SSID\.\d+\.(SSID|Alias|Enable)|ManagementServer\.PeriodicInformInterval)$/;
  for (const r of rows) {
    if (r.kind !== 'leaf' || !watched.test(r.path) || r.value === null) continue;
    const actual = d.model.getValue(r.path);
    const same = actual === r.value || (r.type === 'xsd:boolean' && (actual === 'true' || actual === '1') === (r.value === 'true' || r.value === '1'));
    if (!same) out.push(`${d.key}: stored ${r.path} = ${JSON.stringify(r.value)}, device has ${JSON.stringify(actual)}`);
  }
  return out;
}

async function checkAll(store: DeviceStore, devices: SimDevice[], provisioned: boolean): Promise<string[]> {
  const out: string[] = [];
  for (const d of devices) {
    out.push(...(await inconsistencies(store, d)));
    if (provisioned) out.push(...notProvisioned(d));
  }
  return out;
}

/** A device lock left in Redis: the session it names, whether that session's state and log still exist. */
interface LeftLock {
  device: string;
  sid: string;
  state: boolean;
  log: number;
  deadline: string | null;
}

/** The Redis under test: what the ACS processes are given (REDIS_URL, read when a suite starts) and a client for the checks. */
export interface RedisUnderTest {
  /**
   * Suffix of the suites' database names: the two files running these suites (cluster.test.ts and
   * cluster-redis-cluster.test.ts) may run at the same time (mocha --parallel), each on its own databases.
   */
  name: string;
  url(): string;
  /** A client of it (a Cluster typed as Redis, as the ACS has it); the suite disconnects it. */
  connect(): Redis;
}

/** The servers holding keys: each master of a cluster (SCAN is per node), or the one Redis. */
function keyServers(redis: Redis): Redis[] {
  return redis.isCluster ? (redis as unknown as RedisCluster).nodes('master') : [redis];
}

/** Sessions still open and device locks still held in Redis. */
async function leftovers(redis: Redis, prefix: string): Promise<{ deadlines: number; locks: LeftLock[] }> {
  const k = new SessionKeys(prefix, redis);
  // Sessions being ended (claimed, not yet committed) are still open.
  let deadlines = 0;
  for (const shard of k.shards) deadlines += (await redis.zcard(k.deadlines(shard))) + (await redis.zcard(k.ending(shard)));
  const locks: LeftLock[] = [];
  for (const server of keyServers(redis)) {
    let cursor = '0';
    do {
      // On a cluster a lock's name has its shard's tag between the prefix and "lock:".
      const [next, keys] = await server.scan(cursor, 'MATCH', `${prefix}*lock:*`, 'COUNT', 1000);
      for (const key of keys) {
        const sid = (await redis.get(key)) ?? '';
        const [state, log, deadline] = await Promise.all([
          redis.exists(k.session(sid)),
          redis.llen(k.log(sid)),
          redis.zscore(k.deadlines(k.shardOfSession(sid)), sid),
        ]);
        locks.push({ device: key.slice(key.indexOf('lock:') + 'lock:'.length), sid, state: state === 1, log, deadline });
      }
      cursor = next;
    } while (cursor !== '0');
  }
  return { deadlines, locks };
}

/** The name of a device's lock. */
function lockKey(redis: Redis, prefix: string, device: string): string {
  return new SessionKeys(prefix, redis).lock(device);
}

/** Session ids seen by the proxy that had started and not ended (no 204) at `time`. */
function openAt(records: readonly ProxyRecord[], time: number): Set<string> {
  const open = new Set<string>();
  for (const r of records) if (r.sid && r.start <= time) open.add(r.sid);
  for (const r of records) if (r.sid && r.status === 204 && r.end <= time) open.delete(r.sid);
  return open;
}

/** The time of each session's last answer (its 204, or its last answer before it failed). */
function lastAnswer(records: readonly ProxyRecord[]): Map<string, ProxyRecord> {
  const out = new Map<string, ProxyRecord>();
  for (const r of records) if (r.sid && (out.get(r.sid)?.end ?? 0) <= r.end) out.set(r.sid, r);
  return out;
}

interface StepTimes {
  /** POSTs whose answer waited for an engine step (a worker logged the step while the POST was in the proxy). */
  withStep: number[];
  without: number[];
  /** Of `withStep`: the step ran on the worker that took the session's previous step (its table cached), or on another. */
  sameWorker: number[];
  otherWorker: number[];
}

/** Round trips through the proxy of POSTs that needed an engine step, and of those that did not. */
function stepTimes(records: readonly ProxyRecord[], workers: ClusterProcess[], since = 0): StepTimes {
  const steps = new Map<string, { time: number; worker: string }[]>();
  for (const w of workers) {
    for (const l of w.lines) if (l.msg === 'engine step' && l.sessionId) (steps.get(l.sessionId) ?? steps.set(l.sessionId, []).get(l.sessionId))?.push({ time: l.time, worker: w.name });
  }
  for (const list of steps.values()) list.sort((x, y) => x.time - y.time);
  const out: StepTimes = { withStep: [], without: [], sameWorker: [], otherWorker: [] };
  for (const r of records) {
    if (!r.sid || r.start < since || (r.status !== 200 && r.status !== 204)) continue;
    const list = steps.get(r.sid) ?? [];
    const i = list.findIndex((t) => t.time >= r.start && t.time <= r.end);
    if (i < 0) {
      out.without.push(r.end - r.start);
      continue;
    }
    out.withStep.push(r.end - r.start);
    if (i > 0) (list[i - 1].worker === list[i].worker ? out.sameWorker : out.otherWorker).push(r.end - r.start);
  }
  return out;
}

function ms(values: readonly number[]): string {
  return `p50 ${percentile(values, 50)} ms, p90 ${percentile(values, 90)} ms, max ${percentile(values, 100)} ms (n=${values.length})`;
}

/** The parameter names (and values) an ACS request carries, in one line. */
function summary(xml: string): string {
  const names = [...xml.matchAll(/<(Name|string|ParameterPath|ObjectName|NextLevel)>([^<]*)<\/\1>(?:\s*<Value[^>]*>([^<]*)<\/Value>)?/g)];
  const out = names.map((m) => (m[1] === 'NextLevel' ? `NextLevel=${m[2]}` : m[3] !== undefined ? `${m[2]}=${m[3]}` : m[2]));
  return out.length > 12 ? `${out.slice(0, 12).join(' ')} ... (${out.length})` : out.join(' ');
}

/** Everything the proxy and the processes logged about one session, in time order (for failure messages). */
function traceSession(c: Cluster, sid: string): string {
  const ev: [number, string][] = [];
  for (const r of c.proxy.records) {
    if (r.sid !== sid) continue;
    ev.push([r.start, `proxy > ${r.backend} ${r.sent ?? 'empty POST'} ${summary(r.sentText ?? '').slice(0, 400)}`]);
    ev.push([r.end, `proxy < ${r.status} ${r.answer ?? ''} ${summary(r.answerText ?? '')}`]);
  }
  for (const p of [...c.workers, ...c.fronts]) {
    for (const l of p.lines) {
      if (l.sessionId !== sid) continue;
      const { time, level, msg, pid, hostname, sessionId, deviceId, ...rest } = l;
      void level; void pid; void hostname; void sessionId; void deviceId;
      ev.push([time, `${p.name} ${msg} ${JSON.stringify(rest)}`]);
    }
  }
  ev.sort((a, b) => a[0] - b[0]);
  return ev.map(([t, m]) => `  +${t - (ev[0]?.[0] ?? t)} ${m}`).join('\n');
}

/** The history entries of a device's sessions, by kind. */
async function historyKinds(store: DeviceStore, d: SimDevice): Promise<{ kind: string; sessionId: string }[]> {
  const detail = await store.getDevice(deviceKeyOf(d.deviceId()));
  return (detail?.history ?? []).map((h) => ({ kind: h.kind, sessionId: h.sessionId }));
}

/** The suites, on the Redis `target` gives. */
export function clusterSuites(target: RedisUnderTest): void {
describe('engine cluster: two CWMP front ends and two engine workers as separate processes', function () {
  this.timeout(180_000);
  let c: Cluster;
  let redis: Redis;
  const fleets: Fleet[] = [];
  const reports: string[] = [];

  before(async function () {
    this.timeout(60_000);
    // A generous step timeout: this suite is about steps crossing processes, not about slow workers (the next one is).
    c = await startCluster({ suite: `cluster_${target.name}`, ...clusterFiles(0), redisUrl: target.url(), env: { ENGINE_STEP_TIMEOUT_MS: '10000' } });
    redis = target.connect();
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    redis?.disconnect();
    await c?.stop();
  });

  it('provisions every device; each session alternates front ends and its steps run on both workers', async () => {
    const fleet = await Fleet.create({ acsUrl: c.acsUrl, model: baseModel(), devices: 20, serialBase: 'CL-', concurrency: 20, report: (k, m) => reports.push(`${k}: ${m}`) });
    fleets.push(fleet);
    const processes = [...c.workers, ...c.fronts];
    const cpu0 = processes.map((p) => cpuMs(p.acs.pid));
    const me0 = process.cpuUsage();
    const t0 = Date.now();
    await fleet.connectAll();
    const elapsed = Date.now() - t0;
    const me = process.cpuUsage(me0);
    const cpu = processes.map((p, i) => `${p.name} ${cpuMs(p.acs.pid) - cpu0[i]}`).concat(`simulator+proxy ${Math.round((me.user + me.system) / 1000)}`);

    assert.equal(fleet.stats.violations, 0, reports.join('\n'));
    assert.equal(fleet.stats.completed, 20, `${JSON.stringify(fleet.stats)}\n${reports.join('\n')}`);
    assert.deepEqual(await checkAll(c.store, fleet.devices, true), []);
    assert.deepEqual(await leftovers(redis, c.redisPrefix), { deadlines: 0, locks: [] });

    const steps = c.workers.map((w) => w.count('engine step'));
    assert.ok(steps.every((n) => n > 0), `steps per worker: ${steps}`);
    const served = c.proxy.served();
    assert.ok([...served.values()].every((n) => n > 0), `requests per front end: ${[...served]}`);
    const sent = c.fronts.map((f) => f.count('request sent'));
    assert.ok(sent.every((n) => n > 0), `requests sent per front end: ${sent}`);

    // Consecutive POSTs of every session went to different front ends, and each session's steps to both workers (mostly).
    const bySession = new Map<string, string[]>();
    for (const r of c.proxy.records) if (r.sid) (bySession.get(r.sid) ?? bySession.set(r.sid, []).get(r.sid))?.push(r.backend);
    assert.equal(bySession.size, 20);
    for (const [sid, backends] of bySession) {
      assert.ok(backends.length >= 6, `session ${sid}: only ${backends.length} POSTs`);
      for (let i = 1; i < backends.length; i++) assert.notEqual(backends[i], backends[i - 1], `session ${sid}: POSTs ${i - 1} and ${i} on ${backends[i]}`);
    }
    const workersOf = new Map<string, Set<string>>();
    for (const w of c.workers) for (const l of w.lines) if (l.msg === 'engine step' && l.sessionId) (workersOf.get(l.sessionId) ?? workersOf.set(l.sessionId, new Set()).get(l.sessionId))?.add(w.name);
    const mixed = [...workersOf.values()].filter((s) => s.size === 2).length;
    const stepsPerSession = steps.reduce((a, b) => a + b, 0) / workersOf.size;
    const retries = c.fronts.reduce((n, f) => n + f.count('no engine worker answered in time; asking again'), 0);
    assert.equal(retries, 0, 'no step timed out');

    // A second round (periodic Informs): the provision runs again, finds everything in place, and changes nothing.
    const t1 = Date.now();
    await fleet.connectAll('2 PERIODIC');
    const elapsed2 = Date.now() - t1;
    assert.equal(fleet.stats.violations, 0, reports.join('\n'));
    assert.equal(fleet.stats.completed, 40, reports.join('\n'));
    assert.deepEqual(await checkAll(c.store, fleet.devices, true), []);

    const times = stepTimes(c.proxy.records, c.workers);

    // One session at a time on a warm cluster: what a step costs across processes, without queueing behind other sessions.
    const t2 = Date.now();
    for (const d of fleet.devices.slice(0, 10)) {
      fleet.connect(d, '2 PERIODIC');
      await fleet.idle();
    }
    assert.equal(fleet.stats.completed, 50, reports.join('\n'));
    assert.equal(fleet.stats.violations, 0, reports.join('\n'));
    const serial = stepTimes(c.proxy.records, c.workers, t2);

    // The processes' own accounts, printed when they stop: hand-off overhead (front ends), step and sandbox time (workers).
    await c.stop();
    const handOff = c.fronts.map((f) => JSON.stringify(f.lines.find((l) => l.msg === 'engine hand-off')?.overhead ?? null));
    const workerStats = c.workers.map((w) => {
      const st = w.lines.find((l) => l.msg === 'engine stats') as { steps?: number; stepMs?: number; sandboxMs?: number } | undefined;
      return st?.steps ? `${st.steps} steps, ${((st.stepMs ?? 0) / st.steps).toFixed(1)} ms/step (sandbox ${((st.sandboxMs ?? 0) / st.steps).toFixed(1)})` : 'n/a';
    });
    console.log(
      [
        `      first contact of 20 devices: ${elapsed} ms (CPU ms: ${cpu.join(', ')}); periodic round: ${elapsed2} ms`,
        `      engine steps per worker: ${steps.join(' / ')} (${stepsPerSession.toFixed(1)} per session; ${mixed}/${workersOf.size} sessions used both workers)`,
        `      requests per front end: ${[...served.values()].join(' / ')}`,
        `      POST round trip through the proxy, with an engine step: ${ms(times.withStep)}`,
        `      POST round trip through the proxy, no engine step:     ${ms(times.without)}`,
        `      one session at a time (10 periodic sessions): POST with an engine step ${ms(serial.withStep)}; without ${ms(serial.without)}`,
        `        step on the worker that took the session's previous step: ${ms(serial.sameWorker)}; on the other worker: ${ms(serial.otherWorker)}`,
        `      hand-off overhead per step (front ends: wait minus the worker's time): ${handOff.join(' / ')}`,
        `      worker time per step: ${workerStats.join(' / ')}`,
      ].join('\n'),
    );
  });
});

describe('engine cluster: kill -9 of a worker or a front end mid-session', function () {
  this.timeout(240_000);
  /** ~10 ms of script CPU per run: steps stay in flight on the workers. */
  const SPIN = 2_000_000;
  /**
   * isolated-vm's limit is wall-clock time: on a loaded 2-core test host a 10 ms loop now and then ran past 50 ms,
   * faulting the channel (and its 60 s backoff would hide the next round). 250 ms keeps those faults out of this test.
   * Steps get 1 s before they are asked again (500 ms before): on a host running at half its speed, the next
   * sessions' steps queued behind each other on the workers past two 500 ms waits, and those sessions ended their
   * provisioning (provision-interrupted) with no process killed; the base commit failed the same way.
   */
  const STEP_TIMEOUT_MS = 1000;
  const ENV = { ENGINE_STEP_TIMEOUT_MS: String(STEP_TIMEOUT_MS), SESSION_TIMEOUT_MS: '3000', SCRIPT_TIMEOUT_MS: '250' };
  let c: Cluster | null = null;
  let redis: Redis;
  const fleets: Fleet[] = [];
  const reports: string[] = [];

  before(() => {
    redis = target.connect();
  });
  afterEach(async () => {
    await Promise.all(fleets.splice(0).map((f) => f.close()));
    await c?.stop();
    c = null;
  });
  after(() => redis?.disconnect());

  it('kill -9 of a worker: its steps go to the other worker, no session hangs, no data is lost, every device ends provisioned', async () => {
    // No front end dies here, so no session needs the sweeper's short timeout: on a loaded CI host an exchange behind the
    // dead worker's steps once took 3.07 s, and its session timed out at 3 s (2026-12-06).
    c = await startCluster({ suite: `cluster_kill_worker_${target.name}`, ...clusterFiles(SPIN), redisUrl: target.url(), env: { ...ENV, SESSION_TIMEOUT_MS: '10000' } });
    const cluster = c;
    const fleet = await Fleet.create({ acsUrl: cluster.acsUrl, model: baseModel(), devices: 40, serialBase: 'KW-', concurrency: 40, report: (k, m) => reports.push(`${k}: ${m}`) });
    fleets.push(fleet);
    const victim = cluster.workers[1];
    const t0 = Date.now();
    const round = fleet.connectAll();
    await until('the victim worker to be taking steps', async () => victim.count('engine step') >= 20, 30_000);
    const killedAt = Date.now();
    const open = openAt(cluster.proxy.records, killedAt);
    await cluster.kill(victim);
    await round;
    const roundMs = Date.now() - t0;
    // The exchanges in progress when the worker died: those waiting on a step it held waited ENGINE_STEP_TIMEOUT_MS, then another worker's answer.
    const inFlight = cluster.proxy.records.filter((r) => r.start <= killedAt && r.end >= killedAt).map((r) => r.end - r.start);

    // No session hangs, none failed at the CPE, none broke the protocol.
    assert.deepEqual(await leftovers(redis, cluster.redisPrefix), { deadlines: 0, locks: [] });
    assert.equal(fleet.stats.violations, 0, reports.join('\n'));
    assert.equal(fleet.stats.completed, 40, `${JSON.stringify(fleet.stats)}\n${reports.join('\n')}`);
    // What the store holds agrees with the devices.
    assert.deepEqual(await checkAll(cluster.store, fleet.devices, false), []);

    // Each session open at the kill either finished its provisioning (on the other worker) or ended it cleanly (provision-interrupted).
    const last = lastAnswer(cluster.proxy.records);
    const recovery: number[] = [];
    let finished = 0;
    let interrupted = 0;
    for (const d of fleet.devices) {
      const history = await historyKinds(cluster.store, d);
      const sessions = new Set(history.map((h) => h.sessionId));
      const sid = [...sessions].find((s) => open.has(s));
      if (!sid) continue;
      recovery.push((last.get(sid)?.end ?? NaN) - killedAt);
      if (notProvisioned(d).length === 0) finished++;
      else if (history.some((h) => h.sessionId === sid && h.kind === 'provision-interrupted')) interrupted++;
      else assert.fail(`${d.key}: session ${sid} neither provisioned the device nor ended its provisioning: ${notProvisioned(d).join('; ')}\nhistory: ${JSON.stringify((await cluster.store.getDevice(deviceKeyOf(d.deviceId())))?.history)}\n${traceSession(cluster, sid)}`);
    }
    assert.ok(open.size > 0 && recovery.length === open.size, `${recovery.length} of ${open.size} open sessions found`);
    const retries = cluster.fronts.reduce((n, f) => n + f.count('no engine worker answered in time; asking again', killedAt), 0);
    const interruptedAll = (await Promise.all(fleet.devices.map((d) => historyKinds(cluster.store, d)))).flat().filter((h) => h.kind === 'provision-interrupted').length;
    const survivorSteps = cluster.workers[0].count('engine step', killedAt);
    // A step asked again is planned once: the other job finds the session moved on (stale). Count any repeats.
    const planned = cluster.workers.flatMap((w) => w.lines.filter((l) => l.msg === 'engine step').map((l) => `${l.sessionId}:${l.step}`));
    const repeats = planned.length - new Set(planned).size;

    // The devices' next sessions (one worker left) finish the provisioning.
    const t1 = Date.now();
    for (let i = 0; i < fleet.devices.length; i += 10) {
      for (const d of fleet.devices.slice(i, i + 10)) fleet.connect(d, '2 PERIODIC');
      await fleet.idle();
    }
    const round2Ms = Date.now() - t1;
    assert.equal(fleet.stats.violations, 0, reports.join('\n'));
    assert.equal(fleet.stats.completed, 80, reports.join('\n'));
    assert.deepEqual(await checkAll(cluster.store, fleet.devices, true), []);
    assert.deepEqual(await leftovers(redis, cluster.redisPrefix), { deadlines: 0, locks: [] });

    const times = stepTimes(cluster.proxy.records, cluster.workers.slice(0, 1), t1);
    console.log(
      [
        `      40 devices, ${victim.name} killed after ${killedAt - t0} ms with ${open.size} sessions open (${victim.count('engine step')} steps done there)`,
        `      first round: ${roundMs} ms; ${finished} open sessions finished provisioning, ${interrupted} ended it cleanly (provision-interrupted; ${interruptedAll} in all)`,
        `      POSTs in progress at the kill took ${ms(inFlight)}; open sessions ended ${ms(recovery)} after the kill`,
        `      ${retries} steps asked again after the kill (ENGINE_STEP_TIMEOUT_MS ${STEP_TIMEOUT_MS}); ${cluster.workers[0].name} took ${survivorSteps} steps after it; ${repeats} of ${planned.length} steps planned were repeats`,
        `      next sessions (10 at a time, one worker): ${round2Ms} ms, all 40 devices provisioned`,
        `      POST round trip with an engine step (one worker): ${ms(times.withStep)}; without: ${ms(times.without)}`,
      ].join('\n'),
    );
  });

  it("kill -9 of a front end: the other front end's sweeper ends its sessions and the devices' next sessions provision them", async () => {
    c = await startCluster({ suite: `cluster_kill_front_${target.name}`, ...clusterFiles(SPIN), redisUrl: target.url(), env: ENV });
    const cluster = c;
    const fleet = await Fleet.create({ acsUrl: cluster.acsUrl, model: baseModel(), devices: 30, serialBase: 'KF-', concurrency: 30, report: (k, m) => reports.push(`${k}: ${m}`) });
    fleets.push(fleet);
    const victim = cluster.fronts[1];
    const survivor = cluster.fronts[0];
    const t0 = Date.now();
    const round = fleet.connectAll();
    // Killed while sessions are ending (some of them on the victim, committing), so every kind of exchange is cut.
    await until('sessions to be ending on the victim front end', async () => victim.count('session ended') >= 3, 30_000);
    const killedAt = Date.now();
    const open = openAt(cluster.proxy.records, killedAt);
    await cluster.kill(victim);
    await round;
    // The failed sessions' retries are the simulator's own (5-10 s later); this test starts the next sessions itself.
    for (const d of fleet.devices) fleet.cancel(d, 'retry');
    const failed = fleet.stats.failed;
    const problems: string[] = [];
    if (fleet.stats.violations > 0) problems.push(...reports.filter((r) => r.includes('violation')));
    if (fleet.stats.completed + failed !== 30) problems.push(`first round: ${JSON.stringify(fleet.stats)}`);

    // The survivor's sweeper ends what the dead front end left open.
    await until('no session left open', async () => (await leftovers(redis, cluster.redisPrefix)).deadlines === 0, 30_000);
    const sweptMs = Date.now() - killedAt;
    const timedOut = survivor.lines.filter((l) => l.msg === 'session ended' && l.reason === 'timeout').length;
    // Nothing else may hold a device: a lock left here names a session nobody will end (see the test below).
    const stuck = (await leftovers(redis, cluster.redisPrefix)).locks;
    /*
     * Every session the CPE saw fail was ended: by the survivor (its sweeper), or by the victim before dying
     * (its last answer cut: committed, nothing left open), or it failed on its Inform (no session id yet).
     * The victim's log cannot say which it ended: its last lines die with it (pino's buffered output, twice
     * in CI: 2 sessions of 13). So a failed session neither in a log nor stuck must have left nothing in
     * Redis: no session state, no log of changes.
     */
    const endedByVictim = new Set(victim.lines.filter((l) => l.msg === 'session ended').map((l) => l.sessionId));
    const endedBySurvivor = new Set(survivor.lines.filter((l) => l.msg === 'session ended').map((l) => l.sessionId));
    const keys = new SessionKeys(cluster.redisPrefix, redis);
    const failedSids = new Set(cluster.proxy.records.filter((r) => r.status === 502 && r.sid !== null).map((r) => r.sid as string));
    const unaccounted: string[] = [];
    for (const sid of failedSids) {
      if (endedByVictim.has(sid) || endedBySurvivor.has(sid) || stuck.some((l) => l.sid === sid)) continue;
      if ((await redis.exists(keys.session(sid))) === 1 || (await redis.llen(keys.log(sid))) > 0) unaccounted.push(sid);
    }
    if (unaccounted.length > 0) problems.push(`${unaccounted.length} sessions failed at the CPE, ended by neither front end, their state left in Redis: ${unaccounted.join(', ')} (${timedOut} timed out, ${failed} failed)`);
    for (const l of stuck) {
      const last = cluster.proxy.records.filter((r) => r.sid === l.sid).pop();
      const lockTtl = await redis.pttl(lockKey(redis, cluster.redisPrefix, l.device));
      problems.push(
        `device ${l.device} still locked by session ${l.sid} (state ${l.state ? 'kept' : 'gone'}, ${l.log} log entries, ` +
          `deadline ${l.deadline ?? 'none'}, lock expires in ${lockTtl} ms); its last POST (${last?.sent ?? 'empty'}) got ${last?.status} from ${last?.backend}`,
      );
    }
    problems.push(...(await checkAll(cluster.store, fleet.devices, false)));

    // The next session of every device works (through the one front end left) and ends with the device provisioned.
    const before = { ...fleet.stats };
    const t1 = Date.now();
    await fleet.connectAll('2 PERIODIC');
    const round2Ms = Date.now() - t1;
    for (const d of fleet.devices) fleet.cancel(d, 'retry');
    const refused = fleet.stats.refused - before.refused;
    const failed2 = fleet.stats.failed - before.failed;
    if (fleet.stats.violations > 0) problems.push(...reports.filter((r) => r.includes('violation')));
    if (refused + failed2 > 0) problems.push(`next sessions: ${refused} refused, ${failed2} failed: ${reports.slice(-(refused + failed2)).join('; ')}`);
    problems.push(...(await checkAll(cluster.store, fleet.devices, true)));
    const after = await leftovers(redis, cluster.redisPrefix);
    if (after.deadlines > 0 || after.locks.length > stuck.length) problems.push(`after the next sessions: ${JSON.stringify(after)}`);
    for (const l of stuck) {
      const d = fleet.devices.find((x) => deviceKeyOf(x.deviceId()) === l.device);
      const history = d ? await historyKinds(cluster.store, d) : [];
      const seen = survivor.lines.filter((x) => x.time >= t1 && x.deviceId === l.device && x.level >= 30);
      const said = seen.map((x) => `${x.msg}${x.reason ? ` (${String(x.reason)})` : ''} ${x.sessionId?.slice(0, 8) ?? ''}`).join('; ');
      problems.push(`  ${l.device} after the next sessions: lock held by ${(await redis.get(lockKey(redis, cluster.redisPrefix, l.device))) ?? 'nobody'}; stored history: ${history.map((h) => `${h.kind}@${h.sessionId.slice(0, 8)}`).join(', ')}; ${survivor.name} saw: ${said}`);
    }

    const stray = fleet.devices.reduce((n, d) => n + simInstances(d).length - 15, 0);
    console.log(
      [
        `      30 devices, ${victim.name} killed after ${killedAt - t0} ms with ${open.size} sessions open; ${failed} sessions failed at the CPE (HTTP 502 / reset)`,
        `      ${timedOut} sessions timed out and were committed by ${survivor.name}'s sweeper; nothing open ${sweptMs} ms after the kill (SESSION_TIMEOUT_MS 3000); ${stuck.length} device locks left`,
        `      next sessions: ${round2Ms} ms (${refused} refused, ${failed2} failed); SSID instances beyond the 14 + 1 wanted: ${stray}`,
      ].join('\n'),
    );
    assert.deepEqual(problems, []);
  });
});

/**
 * The window a kill -9 of a front end can hit (seen in the test above): the
 * process claimed a session to end it (ZREM of its deadline, the first half
 * of claimWithLog) and died before commitSession and drop. Reproduced here
 * without the timing: the claim is made by hand and nothing follows it.
 */
describe('a front end that dies between claiming a session and committing it', function () {
  this.timeout(30_000);
  let t: TestAcs;
  let redis: Redis;
  before(async () => {
    t = await startTestAcs(`cluster_claim_${target.name}`, { sessionTimeoutMs: 1000, redisUrl: target.url() });
    redis = target.connect();
  });
  after(async () => {
    redis?.disconnect();
    await t?.stop();
  });

  it('leaves the session for another process to commit, and does not lock the device out', async () => {
    const prefix = t.config.redisPrefix;
    const id = inform('SN-CLAIMED', []).DeviceId;
    const key = deviceKeyOf(id);
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const first = await cpe.post(inform('SN-CLAIMED', ['0 BOOTSTRAP', '1 BOOT']));
    assert.equal(first.envelope?.body.method, 'InformResponse');
    const sid = readCookie(first.headers['set-cookie']?.[0]?.split(';')[0], SESSION_COOKIE) as string;
    assert.ok(sid);
    // The dying process: its claim went through (a short lease here), its commit and drop never ran.
    const dying = new RedisSessionStore(redis, prefix, 1000, 500);
    assert.ok(await dying.claimWithLog(sid));
    cpe.close();

    // Well past the session timeout, with a sweeper running every second.
    await sleep(3_000);
    const committed = (await t.acs.store.getDevice(key))?.history.some((h) => h.sessionId === sid) ?? false;
    const holder = await redis.get(lockKey(redis, prefix, key));
    const lockTtlMs = await redis.pttl(lockKey(redis, prefix, key));
    // The CPE gave up on the session and retries (RetryCount 1), as TR-069 §3.2.1.1 says.
    const retry = new ScriptedCpe(t.cwmpUrl);
    const again = await retry.post(inform('SN-CLAIMED', ['0 BOOTSTRAP', '1 BOOT'], { RetryCount: 1 }));
    retry.close();
    const answer = again.envelope?.body.method === 'Fault' ? `Fault ${(again.envelope.body as { FaultCode: number }).FaultCode}` : again.envelope?.body.method;
    assert.deepEqual(
      { committed, lockedBy: holder === sid ? 'the claimed session' : holder, retry: answer },
      { committed: true, lockedBy: null, retry: 'InformResponse' },
      `the claimed session ${sid} was never committed; its lock (and log) expire in ${lockTtlMs} ms, and until then the device is refused`,
    );
  });
});
}
