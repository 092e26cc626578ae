/**
 * The soak: an ACS as production runs it (bench/fan-out.ts's cluster: a CWMP
 * front end, an engine worker and the REST API, each its own process, on
 * MariaDB) with a Redis of its own, and a fleet of simulated CPEs informing
 * periodically for many minutes while some are provisioned and some get
 * tasks with connection requests. Memory is sampled throughout (samples.ts).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { tally } from '../bench/distribution';
import { register, startCluster, ROLES, type Cluster, type FanOutHarness } from '../bench/fan-out';
import { freshDatabase, startAcs } from '../bench/run';
import { Fleet } from '../sim/fleet';
import { loadModel } from '../sim/load-model';
import { startSoakRedis, type SoakRedis } from './private-redis';
import { growthOf, Sampler, type Growth, type Sample } from './samples';
import { ConnectionRequests, PROVISIONED_PATH, soakScriptDirs } from './workload';

export interface SoakOptions {
  devices: number;
  minutes: number;
  /** PeriodicInformInterval of every device, seconds. */
  intervalS: number;
  /** Tasks with a connection request per minute. */
  crPerMinute: number;
  /** Sessions the simulator runs at once at most. */
  concurrency: number;
  model: string;
  sampleMs: number;
  /** Largest growth of a memory series after the first minute (0.1: 10 %). */
  maxGrowth: number;
}

export interface SoakResult {
  options: SoakOptions;
  samples: Sample[];
  growth: Growth[];
  sessions: { completed: number; failed: number; refused: number; rpcs: number; p50: number; p99: number };
  /** Devices the preset applies to, and those of them holding its value. */
  provisioned: { of: number; holding: number };
  connectionRequests: { posted: number; outcomes: Record<string, number>; statuses: Record<string, number> };
  /** Everything counted as an error, one line each (failed sessions, refused tasks, error log lines...). */
  errors: string[];
  /** Warnings the ACS processes logged, by message. */
  warnings: Record<string, number>;
  passed: boolean;
}

/** How long the tasks posted last get to finish after the soak (their devices were asked to connect at once). */
const TASK_GRACE_MS = 30_000;

export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const redis = await startSoakRedis();
  const dirs = soakScriptDirs();
  const harness: FanOutHarness = {
    freshDatabase: (db) => freshDatabase(db, 'acs_soak'),
    startAcs: (databaseUrl, role, extra) => startAcs(databaseUrl, role, { ...extra, REDIS_URL: redis.url, PRESETS_DIR: dirs.presets, PROVISIONS_DIR: dirs.provisions }),
  };
  try {
    const cluster = await startCluster({ db: 'mysql', crRate: 50 }, harness);
    try {
      return await soakOn(cluster, redis, o);
    } finally {
      await cluster.stop();
    }
  } finally {
    await redis.stop();
    rmSync(path.dirname(dirs.presets), { recursive: true, force: true });
  }
}

async function soakOn(cluster: Cluster, redis: SoakRedis, o: SoakOptions): Promise<SoakResult> {
  const acsUrl = `http://127.0.0.1:${cluster.procs.cwmp.cwmpPort}/`;
  const fleet = await Fleet.create({ acsUrl, devices: o.devices, model: loadModel(o.model), concurrency: o.concurrency, connectionRequests: true, serialBase: 'SOAK' });
  try {
    console.error(`soak: registering ${o.devices} devices`);
    await register(fleet, cluster.nbi);
    fleet.stats.reset();
    const crs = new ConnectionRequests(cluster.nbi, fleet, o.crPerMinute);
    const pids = Object.fromEntries(ROLES.map((role) => [role, cluster.procs[role].pid]));
    const sampler = new Sampler(pids, () => redis.usedMemoryMiB(), () => fleet.stats.completed);
    for (const d of fleet.devices) d.setPeriodicInterval(o.intervalS);
    console.error(`soak: ${o.minutes} min, a periodic Inform every ${o.intervalS} s per device, ${o.crPerMinute} connection requests/min`);
    sampler.start(o.sampleMs);
    fleet.startPeriodic(o.intervalS);
    crs.start();
    await progress(o.minutes, sampler);
    await crs.stop();
    sampler.stop();
    const sessions = sessionsOf(fleet);
    await new Promise((r) => setTimeout(r, TASK_GRACE_MS));
    return await resultOf(o, { fleet, cluster, crs, sessions, samples: sampler.samples });
  } finally {
    await fleet.close();
  }
}

/** Waits the soak's length, printing the last sample each minute. */
async function progress(minutes: number, sampler: Sampler): Promise<void> {
  for (let m = 1; m <= minutes; m++) {
    await new Promise((r) => setTimeout(r, 60_000));
    const s = sampler.samples[sampler.samples.length - 1];
    console.error(`soak: minute ${m}: ${s.sessions} sessions; MiB ${Object.entries(s.mib).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')}`);
  }
}

/** The fleet's sessions so far (the soak's length, without the grace after it). */
function sessionsOf(fleet: Fleet): SoakResult['sessions'] & { errors: string[] } {
  const s = fleet.stats;
  const errors = [...s.errors].map(([line, n]) => `${n} x ${line}`);
  return { completed: s.completed, failed: s.failed, refused: s.refused, rpcs: s.rpcs, p50: s.rttMs(50), p99: s.rttMs(99), errors };
}

interface Gathered {
  fleet: Fleet;
  cluster: Cluster;
  crs: ConnectionRequests;
  sessions: ReturnType<typeof sessionsOf>;
  samples: Sample[];
}

async function resultOf(o: SoakOptions, { fleet, cluster, crs, sessions, samples }: Gathered): Promise<SoakResult> {
  const { errors: sessionErrors, ...counted } = sessions;
  const targets = fleet.devices.filter((d) => d.deviceId().SerialNumber.endsWith('0'));
  const statuses = await crs.statuses();
  const logs = ROLES.flatMap((role) => cluster.procs[role].output.flatMap((line) => logLine(role, line)));
  const errors = [
    ...sessionErrors,
    ...crs.problems(),
    ...Object.entries(statuses).filter(([status]) => status !== 'done').map(([status, n]) => `${n} connection-request tasks ${status}`),
    ...logs.filter((l) => l.level >= 50).map((l) => `${l.role}: ${l.msg}`),
  ];
  const growth = growthOf(samples);
  return {
    options: o,
    samples,
    growth,
    sessions: counted,
    provisioned: { of: targets.length, holding: targets.filter((d) => d.model.getValue(PROVISIONED_PATH)?.startsWith('ntp-')).length },
    connectionRequests: { posted: crs.posted.length, outcomes: tally(crs.posted.map((p) => p.cr?.outcome ?? 'none')), statuses },
    errors,
    warnings: tally(logs.filter((l) => l.level === 40).map((l) => `${l.role}: ${l.msg}`)),
    passed: errors.length === 0 && growth.every((g) => g.growth <= o.maxGrowth),
  };
}

interface LogLine {
  role: string;
  level: number;
  msg: string;
}

/** A JSON log line of an ACS process (pino: level 40 warn, 50 error, 60 fatal); anything else printed counts as an error. */
function logLine(role: string, line: string): LogLine[] {
  try {
    const entry = JSON.parse(line) as { level?: unknown; msg?: unknown; err?: { message?: unknown } };
    // The error's message tells one cause of a warning from another (a deadlock, a closed pool).
    const cause = entry.err?.message === undefined ? '' : ` (${String(entry.err.message).slice(0, 120)})`;
    return [{ role, level: Number(entry.level), msg: String(entry.msg) + cause }];
  } catch {
    return [{ role, level: 50, msg: line.slice(0, 120) }];
  }
}
