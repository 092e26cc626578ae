/**
 * Benchmark scenario (d), issue 9: tasks fanned out with connection requests,
 * and a campaign that stops itself.
 *
 * One ACS as production runs it: a CWMP front end, an engine worker (also
 * ticks campaigns and runs workflows) and the REST API, each its own
 * `acs start --role` process, on MariaDB (or SQLite) and the machine's Redis,
 * default settings except CONNECTION_REQUEST_RATE (50/s by default: 10,000
 * requests would take 200 s; the bench raises it to `crRate`).
 *
 * Two fleets of `devices` simulated CPEs serving HTTP (Digest) connection
 * requests register first (not timed), and the REST API is told their
 * connection-request credentials (a CPE never reads its password back):
 *   part 1 (fan-out-tasks.ts): the healthy fleet gets one task each, at t0;
 *   part 2 (campaign-stop.ts): the faulty fleet, where `faults` chooses the
 *   devices that refuse SetParameterValues, gets a campaign.
 */
import { openStore } from '../db';
import { TokenStore } from '../nbi/auth/tokens';
import { spawnAcs, type AcsProcess } from '../infra/acs-process';
import { deviceKeyOf } from '../model/device-key';
import type { FaultInjection } from '../sim/cpe';
import { Fleet } from '../sim/fleet';
import type { loadModel } from '../sim/load-model';
import { campaignStop, type CampaignStopOptions, type CampaignStopReport } from './campaign-stop';
import { describe, tally } from './distribution';
import { fanOutTasks, type FanOutTaskOptions, type FanOutTaskReport } from './fan-out-tasks';
import { eachLimited, NbiClient } from './nbi-client';
import { cpuMeter, peakRssMiB, pidOf } from './proc-stats';
import { SimTimeline } from './sim-timeline';
import type { Row } from './types';

/** The parts of run.ts the scenario uses. */
export interface FanOutHarness {
  freshDatabase(db: string): Promise<string>;
  startAcs(databaseUrl: string, role: string, extra: NodeJS.ProcessEnv): Promise<AcsProcess & { databaseUrl: string }>;
}

export interface FanOutOptions {
  db: string;
  model: ReturnType<typeof loadModel>;
  /** Devices of each part (default 10,000). */
  devices?: number;
  /** Sessions the simulator runs at once (default 500, the ACS's CWMP_MAX_CONCURRENT). */
  simConcurrency?: number;
  /** CONNECTION_REQUEST_RATE of the ACS (default 1000/s). */
  crRate?: number;
  tasks?: Partial<FanOutTaskOptions>;
  campaign?: Partial<CampaignStopOptions>;
  /** Devices of part 2 that refuse SetParameterValues (default: a seeded 30 %, fault 9002). */
  faults?: FaultInjection;
}

export interface FanOutReport {
  processes: string;
  tasks: FanOutTaskReport;
  campaign: CampaignStopReport;
  /** CPU seconds per second of each process, per part. */
  cpu: { tasks: Record<string, number>; campaign: Record<string, number> };
  rssMiB: number;
  /** Warnings and errors each ACS process logged (LOG_LEVEL=warn), counted by message. */
  logs: Record<string, Record<string, number>>;
}

const TASK_DEFAULTS: FanOutTaskOptions = { concurrency: 100, deadlineMs: 60_000, pollMs: 1000 };
const CAMPAIGN_DEFAULTS: Omit<CampaignStopOptions, 'filter'> = {
  ratePerMinute: 1000,
  stages: [{ percent: 1 }, { percent: 10 }, {}],
  failureThreshold: 0.2,
  connectionRequest: true,
  periodicS: 30,
  deadlineMs: 180_000,
  pollMs: 250,
  settleMs: 5000,
};
const FAULTS: FaultInjection = { fraction: 0.3, seed: 9, spv: 9002 };
export const ROLES = ['cwmp', 'worker', 'nbi'] as const;

/** The three processes of an ACS as production runs it, and a REST API client with an admin token. */
export interface Cluster {
  procs: Record<(typeof ROLES)[number], AcsProcess>;
  nbi: NbiClient;
  stop(): Promise<void>;
}

export async function startCluster(o: Pick<FanOutOptions, 'db' | 'crRate'>, h: FanOutHarness): Promise<Cluster> {
  const env = {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `bench-fan-${Date.now()}:`,
    CONNECTION_REQUEST_RATE: String(o.crRate ?? 1000),
    // The bench client is one token pushing a fleet's worth of requests: no per-token rate (the default 1000/s would pace it).
    NBI_TOKEN_RATE: '0',
    LOG_LEVEL: 'warn',
  };
  const databaseUrl = await h.freshDatabase(o.db);
  const procs = {} as Cluster['procs'];
  try {
    // One after the other: each runs the migrations at start.
    for (const role of ROLES) procs[role] = await h.startAcs(databaseUrl, role, env);
  } catch (err) {
    await Promise.all(Object.values(procs).map((p) => p.stop()));
    throw err;
  }
  const nbi = new NbiClient(`http://127.0.0.1:${procs.nbi.nbiPort}`, 100, await benchToken(databaseUrl));
  return { procs, nbi, stop: async () => (nbi.close(), void (await Promise.all(Object.values(procs).map((p) => p.stop())))) };
}

/** An admin API token for the bench client, in the cluster's database (the processes migrated it). */
async function benchToken(databaseUrl: string): Promise<string> {
  const store = await openStore(databaseUrl);
  try {
    return (await new TokenStore(store.sql).create(`bench-${Date.now()}`, 'admin', 'bench')).token;
  } finally {
    await store.close();
  }
}

/** First contact of every device (not measured), then its connection-request credentials through the REST API. */
export async function register(fleet: Fleet, nbi: NbiClient): Promise<void> {
  await fleet.connectAll();
  const failed = fleet.stats.failed + fleet.stats.refused;
  if (failed > 0) throw new Error(`registration: ${failed} sessions failed: ${[...fleet.stats.errors.keys()].slice(0, 3).join('; ')}`);
  await eachLimited(fleet.devices, 50, async (d) => {
    const serial = d.deviceId().SerialNumber;
    const key = encodeURIComponent(deviceKeyOf(d.deviceId()));
    // The simulator's credentials are cr-<serial> / crpw-<serial> (src/sim/fleet.ts).
    await nbi.ok(nbi.put(`/devices/${key}/connection-request-credentials`, { username: `cr-${serial}`, password: `crpw-${serial}` }), `credentials of ${key}`);
  });
}

const clusterPids = (c: Cluster) => ({ cwmp: c.procs.cwmp.pid, worker: c.procs.worker.pid, nbi: c.procs.nbi.pid, redis: pidOf('redis-server'), mariadb: pidOf('mariadbd') });

/** CPU seconds per second of the given processes and of the simulator (this process) over `run`. */
async function metered<T>(pids: Record<string, number | null>, run: () => Promise<T>): Promise<{ result: T; cpu: Record<string, number> }> {
  const meter = cpuMeter(pids);
  const sim = process.cpuUsage();
  const t0 = performance.now();
  const result = await run();
  const s = (performance.now() - t0) / 1000;
  const used = process.cpuUsage(sim);
  const cpu = Object.fromEntries(Object.entries(meter()).map(([k, v]) => [k, v / s]));
  return { result, cpu: { ...cpu, sim: (used.user + used.system) / 1e6 / s } };
}

/** Runs both parts on one cluster; returns the full report. */
export async function runFanOut(o: FanOutOptions, h: FanOutHarness): Promise<FanOutReport> {
  const n = o.devices ?? 10_000;
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`scenario (d): --fan-out-devices must be a whole number of at least 1, not ${String(o.devices)}`);
  const cluster = await startCluster(o, h);
  const url = `http://127.0.0.1:${cluster.procs.cwmp.cwmpPort}/`;
  const base = { acsUrl: url, devices: n, model: o.model, concurrency: o.simConcurrency ?? 500, connectionRequests: true };
  const healthy = await Fleet.create({ ...base, serialBase: 'FAN' });
  const faulty = await Fleet.create({ ...base, serialBase: 'CMP', faults: o.faults ?? FAULTS });
  try {
    await register(healthy, cluster.nbi);
    await register(faulty, cluster.nbi);
    const tasks = await metered(clusterPids(cluster), () => fanOutTasks(cluster.nbi, healthy, new SimTimeline(healthy), { ...TASK_DEFAULTS, ...o.tasks }));
    const campaignOptions = { ...CAMPAIGN_DEFAULTS, filter: 'DeviceID.SerialNumber LIKE "CMP%"', ...o.campaign };
    const campaign = await metered(clusterPids(cluster), () => campaignStop(cluster.nbi, faulty, new SimTimeline(faulty), campaignOptions));
    return {
      processes: 'acs start --role cwmp, --role worker, --role nbi (3 processes)',
      tasks: tasks.result,
      campaign: campaign.result,
      cpu: { tasks: tasks.cpu, campaign: campaign.cpu },
      rssMiB: Math.max(...Object.values(cluster.procs).map((p) => peakRssMiB(p.pid))),
      logs: Object.fromEntries(ROLES.map((role) => [role, logTally(cluster.procs[role].output)])),
    };
  } finally {
    await Promise.all([healthy.close(), faulty.close()]);
    await cluster.stop();
  }
}

/** Log lines by message ("acs started" left out); lines that are not JSON count under their first 80 characters. */
export function logTally(output: readonly string[]): Record<string, number> {
  const msgs = output.flatMap((line) => {
    try {
      const msg = String((JSON.parse(line) as { msg?: unknown }).msg);
      return msg === 'acs started' ? [] : [msg];
    } catch {
      return [line.slice(0, 80)];
    }
  });
  return tally(msgs);
}

/** Part 1 against the floor (fan-out-floor.ts), one process, the same fleet size and bench client. */
export async function runFanOutFloor(o: FanOutOptions): Promise<{ tasks: FanOutTaskReport; cpu: Record<string, number> }> {
  const floor = await spawnAcs(['floor', '--fan-out'], { ...process.env });
  const nbi = new NbiClient(`http://127.0.0.1:${floor.nbiPort}`, 100);
  const fleet = await Fleet.create({
    acsUrl: `http://127.0.0.1:${floor.cwmpPort}/`, devices: o.devices ?? 10_000, model: o.model, concurrency: o.simConcurrency ?? 500, connectionRequests: true, serialBase: 'FLR',
  });
  try {
    await register(fleet, nbi);
    const run = await metered({ floor: floor.pid }, () => fanOutTasks(nbi, fleet, new SimTimeline(fleet), { ...TASK_DEFAULTS, ...o.tasks }));
    return { tasks: run.result, cpu: run.cpu };
  } finally {
    nbi.close();
    await fleet.close();
    await floor.stop();
  }
}

/** The BENCHMARKS.md rows of (d): the floor of part 1 first, then both parts on the ACS. */
export async function fanOutRows(o: FanOutOptions, h: FanOutHarness): Promise<Row[]> {
  const floor = await runFanOutFloor(o);
  const r = await runFanOut(o, h);
  console.log(JSON.stringify({ floor, acs: r }, null, 2));
  const tasks = tasksRow(r);
  const ratio = floor.tasks.allDoneMs !== null && r.tasks.allDoneMs !== null ? floor.tasks.allDoneMs / r.tasks.allDoneMs : NaN;
  tasks.note = `ratio to floor ${ratio.toFixed(2)} (floor all done / ours); ${tasks.note}`;
  return [tasks, floorRow(floor), campaignRow(r)];
}

function floorRow(f: { tasks: FanOutTaskReport; cpu: Record<string, number> }): Row {
  const t = f.tasks;
  return {
    scenario: `floor of (d) fan-out: the same ${t.devices} devices, bench client and fleet against an in-memory responder (one process: REST, Digest connection request, Inform, SetParameterValues)`,
    target: '',
    sessionsPerS: t.allDoneMs === null ? NaN : (t.statuses.done ?? 0) / (t.allDoneMs / 1000),
    p50: t.fromPost.p50,
    p99: t.fromPost.p99,
    max: t.fromPost.max,
    errors: t.devices - (t.statuses.done ?? 0),
    rssMiB: NaN,
    cpu: { acs: f.cpu.floor, redis: NaN, mariadb: NaN, sim: f.cpu.sim },
    note: `${t.allDoneMs === null ? 'NOT all done' : `all done ${(t.allDoneMs / 1000).toFixed(1)} s after t0`}; POSTs answered after ${t.postSeconds.toFixed(1)} s; ${t.applied}/${t.devices} values on the CPEs; CPU s/s ${cpuText(f.cpu)}`,
  };
}

const cpuText = (cpu: Record<string, number>): string =>
  Object.entries(cpu).map(([k, v]) => `${k} ${Number.isFinite(v) ? v.toFixed(2) : '-'}`).join(', ');

function tasksRow(r: FanOutReport): Row {
  const t = r.tasks;
  const cpu = r.cpu.tasks;
  const notDone = t.devices - (t.statuses.done ?? 0);
  const notOk = t.devices - (t.crOutcomes.ok ?? 0);
  const total = t.allDoneMs === null
    ? `NOT all done (${JSON.stringify(t.statuses)})`
    : `**all ${t.devices} done ${(t.allDoneMs / 1000).toFixed(1)} s after t0** (seen by the poll at ${((t.observedAllDoneMs ?? NaN) / 1000).toFixed(1)} s)`;
  const p = t.phases;
  return {
    scenario: `(d) fan-out: setParameterValues task + ?connection_request to ${t.devices} registered devices, ${t.concurrency} POSTs in flight`,
    target: 'all done <= 30 s',
    sessionsPerS: t.allDoneMs === null ? NaN : (t.statuses.done ?? 0) / (t.allDoneMs / 1000),
    p50: t.fromPost.p50,
    p99: t.fromPost.p99,
    max: t.fromPost.max,
    errors: notDone + notOk,
    rssMiB: r.rssMiB,
    cpu: { acs: cpu.cwmp + cpu.nbi, worker: cpu.worker, redis: cpu.redis, mariadb: cpu.mariadb, sim: cpu.sim },
    note: [
      `${total}; POSTs all answered after ${t.postSeconds.toFixed(1)} s; ${t.applied}/${t.devices} values on the CPEs`,
      `sessions/s = tasks done per s; latency columns: device's POST start → task done (end of its CPE session)`,
      `from t0: ${describe(t.fromT0)}`,
      `POST round trip ${describe(p.post)}; POST → task stored ${describe(p.create)}; connection request (stored → CPE's 200) ${describe(p.cr)}; queue overhead (CPE's 200 → Inform) ${describe(p.queue)}; Inform → done (CPE's session) ${describe(p.session)}; Inform sent → the ACS's Inform time ${describe(p.informLag)}; ${t.deferred} CWMP POSTs answered 503 + Retry-After`,
      `connection requests ${JSON.stringify(t.crOutcomes)}; HTTP ${JSON.stringify(t.httpStatuses)}`,
      `CPU s/s ${cpuText(cpu)}; ${r.processes}`,
    ].join('; '),
  };
}

function campaignRow(r: FanOutReport): Row {
  const c = r.campaign;
  const cpu = r.cpu.campaign;
  const grew = c.afterSettle.started + c.afterSettle.done + c.afterSettle.failed - (c.atStop.started + c.atStop.done + c.atStop.failed);
  const stopped = c.status === 'stopped' ? `**stopped itself ${((c.stopMs ?? NaN) / 1000).toFixed(1)} s after POST /campaigns, in stage ${c.stage}**: "${c.reason}"` : `**did not stop: ${c.status}** ${c.reason ?? ''}`;
  return {
    scenario: `(d) campaign: ${c.devices} devices (${c.faultyDevices} refuse SPV), ${c.options.ratePerMinute}/min, stages ${JSON.stringify(c.stageSizes)}, failureThreshold ${c.options.failureThreshold}`,
    target: 'stops itself in stage 1',
    sessionsPerS: NaN,
    p50: NaN,
    p99: NaN,
    max: NaN,
    errors: c.status === 'stopped' && c.stage === 1 ? 0 : 1,
    rssMiB: r.rssMiB,
    cpu: { acs: cpu.cwmp + cpu.nbi, worker: cpu.worker, redis: cpu.redis, mariadb: cpu.mariadb, sim: cpu.sim },
    note: [
      stopped,
      `at stop ${JSON.stringify(c.atStop)}; ${c.options.settleMs / 1000} s later ${grew === 0 ? 'nothing more started or finished' : `${grew} more started/finished (runs in flight)`} ${JSON.stringify(c.afterSettle)}`,
      `${c.connectionRequests} connection requests reached the CPEs; ${c.periodicSessions} periodic Informs (every device each ${c.options.periodicS} s)`,
      `CPU s/s ${cpuText(cpu)}`,
    ].join('; '),
  };
}
