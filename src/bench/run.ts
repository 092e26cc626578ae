import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { spawnAcs, type AcsProcess } from '../infra/acs-process';
import { Fleet } from '../sim/fleet';
import { loadModel } from '../sim/load-model';
import { cpuMeter, peakRssMiB, pidOf } from './proc-stats';
import { emptyDir, zeroTouchDirs } from './zero-touch';
import { badScriptsRows } from './bad-scripts';
import { fanOutRows } from './fan-out';
import { searchRows } from './search';
import { webhookRows } from './webhooks';
import { qoeIngestRows } from './qoe-ingest';
import type { Row } from './types';

/**
 * `npm run bench`: fixed recipes run against a real ACS process (MariaDB +
 * Redis by default), each measured at the simulator, with the CPU each server
 * process used. Appends the table to BENCHMARKS.md. Never part of `npm test`.
 */
const REPO = path.resolve(__dirname, '../..');
export const DEFAULT_MODEL = path.resolve(REPO, '../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');

export const benchUsage = `usage: acs bench [--db mysql|sqlite] [--devices N] [--duration S] [--concurrency N] [--only LETTERS] [--processes N] [--no-write]

Runs the benchmark recipes against real ACS processes and appends the table to BENCHMARKS.md.
  --db mysql|sqlite          store of the ACS under test (default mysql: MariaDB on 127.0.0.1:3306 as root)
  --devices N                simulated devices of (b) and (a) (default 20000)
  --duration S               length of the (a) storm; (r) lasts at most 20 s (default 60)
  --concurrency N            sessions in flight in (a), (b) and (c) (default 200)
  --zero-touch-devices N     devices of (c) (default 3000)
  --fan-out-devices N        devices of each part of (d), task fan-out and campaign (default 10000)
  --model FILE               device model of the simulated CPEs
  --only LETTERS             scenarios to run, e.g. "r" or "ab" (default: all of h, c, s, d, b, a, r)
                             opt-in, only when named: q (search over 100k devices x 500 params; the first run generates them, minutes),
                             w (webhook deliveries, storms with and without subscriptions and beside bare POSTs (the floor), ~9 min)
                             i (QoE series ingest on MariaDB, in this process: 1 day of BENCH_QOE_DEVICES=2000 devices scaled to 100k, ~5 min)
  --webhook-subscriptions N  (w)'s paced rounds with N device.inform subscriptions, at 1,010/N sessions/s whatever the warm-up's
                             rate (default: as few as half the warm-up's rate allows), so that two codes' runs are paced alike
  --processes N              (b), (a) and (r) against \`acs start --role cwmp --processes N\` (N front ends behind one port);
                             the CPU of each process in the note
  --no-write                 print the table without appending it to BENCHMARKS.md`;

const options = {
  db: { type: 'string', default: 'mysql' },
  devices: { type: 'string', default: '20000' },
  duration: { type: 'string', default: '60' },
  concurrency: { type: 'string', default: '200' },
  model: { type: 'string', default: DEFAULT_MODEL },
  'no-write': { type: 'boolean', default: false },
  'zero-touch-devices': { type: 'string', default: '3000' },
  'fan-out-devices': { type: 'string', default: '10000' },
  only: { type: 'string', default: '' },
  processes: { type: 'string', default: '' },
  'webhook-subscriptions': { type: 'string', default: '' },
} as const;

/** An empty database of the given kind (MariaDB: `name`, dropped first); its URL. */
export async function freshDatabase(db: string, name = 'acs_bench'): Promise<string> {
  if (db === 'sqlite') {
    const file = path.join(os.tmpdir(), `${name}-${process.pid}.sqlite`);
    return `sqlite:${file}`;
  }
  const conn = await mysql.createConnection('mysql://root@127.0.0.1:3306/');
  await conn.query(`DROP DATABASE IF EXISTS ${name}`);
  await conn.end();
  return `mysql://root@127.0.0.1:3306/${name}`;
}

/** `acs start --role <role>` on ephemeral ports, Redis prefix and presets of its own unless `extra` says otherwise; `args`: more options of `acs start`. */
export async function startAcs(databaseUrl: string, role = 'cwmp', extra: NodeJS.ProcessEnv = {}, args: string[] = []): Promise<AcsProcess & { databaseUrl: string }> {
  const env = {
    ...process.env, DATABASE_URL: databaseUrl, CWMP_PORT: '0', NBI_PORT: '0', FS_PORT: '0', STUN_PORT: '0', LOG_LEVEL: 'warn',
    REDIS_PREFIX: `bench-${Date.now()}:`, PRESETS_DIR: emptyDir(), ...extra,
  };
  return { ...(await spawnAcs(['start', '--role', role, ...args], env)), databaseUrl };
}

/** The children of an `acs start --processes` primary, from its 'acs started' line: cwmp-1, cwmp-2 … (none for one process). */
function childPids(acs: AcsProcess): Record<string, number> {
  const started = logged<{ processes?: { role: string; pid: number }[] }>(acs.output, 'acs started');
  return Object.fromEntries((started?.processes ?? []).map((c, i) => [`${c.role}-${i + 1}`, c.pid]));
}

/** The processes whose CPU a row reports: the ACS (and its engine worker, when separate; with --processes its primary and each child), Redis, MariaDB. */
function serverPids(acs: AcsProcess | AcsProcess[]): Record<string, number | null> {
  const [main, worker] = Array.isArray(acs) ? acs : [acs];
  const children = childPids(main);
  const own: Record<string, number> = Object.keys(children).length > 0 ? { primary: main.pid, ...children } : { acs: main.pid };
  return { ...own, ...(worker ? { worker: worker.pid } : {}), redis: pidOf('redis-server'), mariadb: pidOf('mariadbd') };
}

/** The primary's and the children's entries of a CPU record of an \`acs start --processes\` (none for one process). */
const ownProcesses = (cpu: Record<string, number>): [string, number][] =>
  Object.entries(cpu).filter(([k]) => k === 'primary' || /^(cwmp|worker|nbi|webhooks)-\d+$/.test(k));

/** With several processes, \`acs\` (the table's column) is their sum; each one's stays for the note. */
function withAcsTotal(cpu: Record<string, number>): Record<string, number> {
  const own = ownProcesses(cpu);
  return own.length === 0 ? cpu : { ...cpu, acs: own.reduce((n, [, v]) => n + v, 0) };
}

/** The note's CPU s/s per process of an \`acs start --processes\` (empty for one process). */
function perProcess(cpu: Record<string, number>): string {
  const own = ownProcesses(cpu);
  return own.length === 0 ? '' : `CPU s/s per process: ${own.map(([k, v]) => `${k} ${f(v, 2)}`).join(', ')}`;
}

async function measure(
  fleet: Fleet,
  acs: AcsProcess | AcsProcess[],
  run: () => Promise<void>,
): Promise<Pick<Row, 'sessionsPerS' | 'p50' | 'p99' | 'max' | 'errors' | 'rssMiB' | 'cpu'>> {
  fleet.stats.reset();
  const cpu = cpuMeter(serverPids(acs));
  const simCpu = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const seconds = (performance.now() - t0) / 1000;
  const sim = process.cpuUsage(simCpu);
  const s = fleet.stats;
  for (const [line, n] of s.errors) console.error(`  ${n} x ${line}`);
  return {
    sessionsPerS: s.completed / seconds,
    p50: s.rttMs(50),
    p99: s.rttMs(99),
    max: s.rttMs(100),
    errors: s.failed + s.refused,
    rssMiB: Math.max(...(Array.isArray(acs) ? acs : [acs]).map((a) => peakRssMiB(a.pid))),
    cpu: { ...withAcsTotal(Object.fromEntries(Object.entries(cpu()).map(([k, v]) => [k, v / seconds]))), sim: (sim.user + sim.system) / 1e6 / seconds },
  };
}

interface BenchOptions {
  db: string;
  devices: number;
  durationS: number;
  concurrency: number;
  model: string;
  zeroTouchDevices: number;
  fanOutDevices: number;
  /** Scenario letters to run ("c", "abr"); empty: all. */
  only: string;
  /** (b), (a), (r) against `acs start --processes N`; null: one process. */
  processes: number | null;
  /** (w)'s paced subscriptions, and so its pace; undefined: set by its warm-up. */
  webhookSubscriptions?: number;
}

async function runScenarios(v: BenchOptions): Promise<Row[]> {
  const model = loadModel(v.model);
  const want = (letter: string): boolean => v.only === '' || v.only.includes(letter);
  const rows: Row[] = [];
  if (want('h')) rows.push(await zeroTouchRow(v, model, 300, 1));
  if (want('c')) rows.push(await zeroTouchRow(v, model, v.zeroTouchDevices, v.concurrency));
  if (want('s')) rows.push(...(await badScriptsRows({ db: v.db, model }, { freshDatabase, startAcs, measure })));
  if (want('d')) rows.push(...(await fanOutRows({ db: v.db, model, devices: v.fanOutDevices }, { freshDatabase, startAcs })));
  if (v.only.includes('q')) rows.push(...(await searchRows({ startAcs })));
  if (v.only.includes('i')) rows.push(...(await qoeIngestRows({ freshDatabase })));
  if (v.only.includes('w')) rows.push(...(await webhookRows({ db: v.db, model, concurrency: 100, durationS: 20, devices: 5000, pacedSubscriptions: v.webhookSubscriptions }, { freshDatabase, startAcs })));
  if (want('a') || want('b') || want('r')) rows.push(...(await fleetRows(v, model, want)));
  if (!want('a')) return rows;
  rows.push(await floorRow(v, model));
  const a = rows.find((r) => r.scenario.startsWith('(a)'));
  const floor = rows[rows.length - 1];
  if (a) a.note = [`ratio to floor ${(a.sessionsPerS / floor.sessionsPerS).toFixed(2)} (target >= 0.4)`, a.note].filter(Boolean).join('; ');
  return rows;
}

/**
 * (b), (a) and (r) on one ACS with default settings: the devices are registered
 * first (the (b) measure, which (a) and (r) need even when only they are asked for).
 */
async function fleetRows(v: BenchOptions, model: ReturnType<typeof loadModel>, want: (letter: string) => boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const devices = want('a') || want('b') ? v.devices : Math.min(OVERLOAD_IN_FLIGHT, v.devices);
  const acs = await startAcs(await freshDatabase(v.db), 'cwmp', {}, v.processes === null ? [] : ['--processes', String(v.processes)]);
  const fleet = await Fleet.create({ acsUrl: `http://127.0.0.1:${acs.cwmpPort}/`, devices, model, concurrency: v.concurrency });
  const front = v.processes === null ? '' : `, ${v.processes} front-end processes`;
  try {
    const b = await measure(fleet, acs, () => fleet.connectAll());
    if (want('b')) rows.push({ scenario: `(b) first contact, ${devices} ${path.basename(v.model).slice(0, 24)} devices${front}`, target: '>= 300 registrations/s', ...b, note: ['registrations/s', perProcess(b.cpu)].filter(Boolean).join('; ') });
    await fleet.connectAll('2 PERIODIC'); // the first periodic Inform of each device is committed; later ones are quiet
    if (want('a')) {
      const a = await measure(fleet, acs, () => fleet.storm(v.durationS * 1000));
      rows.push({ scenario: `(a) periodic storm, ${devices} devices, ${v.concurrency} in flight${front}`, target: '>= 1500/s, p99 < 50 ms', ...a, note: perProcess(a.cpu) });
    }
    if (want('r')) rows.push(await overloadRow(v, fleet, acs));
  } finally {
    await fleet.close();
    await acs.stop();
  }
  return rows;
}

const OVERLOAD_IN_FLIGHT = 10_000;

/**
 * (r) overload: 10,000 CPEs in session at once against one front end with
 * default settings. A 503 with Retry-After is an answer (the simulated CPE
 * waits and retries, as a real one does); a timeout or a reset is a failure.
 */
async function overloadRow(v: BenchOptions, fleet: Fleet, acs: AcsProcess): Promise<Row> {
  const wide = Math.min(OVERLOAD_IN_FLIGHT, fleet.devices.length);
  const saved = fleet.options.concurrency;
  fleet.options.concurrency = wide;
  const deferredBefore = fleet.deferred;
  const r = await measure(fleet, acs, () => fleet.storm(Math.min(v.durationS, 20) * 1000));
  fleet.options.concurrency = saved;
  const deferred = fleet.deferred - deferredBefore;
  return { scenario: `(r) ${wide} sessions in flight at once`, target: '0 failed, ACS RSS < 512 MiB', ...r, note: `RSS is the peak of the whole run; ${deferred} POSTs answered 503 + Retry-After and retried` };
}

/**
 * (c) zero-touch: new TR-181 devices bootstrapping against the engine (one
 * process, role all): discovery, ~34 values, 2 AddObject per device. With
 * `concurrency` 1 it measures the idle hand-off instead (row h).
 */
async function zeroTouchRow(v: BenchOptions, model: ReturnType<typeof loadModel>, devices: number, concurrency: number): Promise<Row> {
  const dirs = zeroTouchDirs();
  const env = { PRESETS_DIR: dirs.presets, PROVISIONS_DIR: dirs.provisions, REDIS_PREFIX: `bench-zt-${Date.now()}:` };
  // One front end and one engine worker, each its own process (one core each), as a production cluster runs them.
  const front = await startAcs(await freshDatabase(v.db), 'cwmp', env);
  const worker = await startAcs(front.databaseUrl, 'worker', env);
  const fleet = await Fleet.create({ acsUrl: `http://127.0.0.1:${front.cwmpPort}/`, devices, model, concurrency, serialBase: 'ZT' });
  try {
    const m = await measure(fleet, [front, worker], () => fleet.connectAll());
    const done = fleet.devices.filter((d) => d.model.getValue('Device.Time.NTPServer1') === 'ntp1.example.net').length;
    await fleet.close();
    await Promise.all([front.stop(), worker.stop()]);
    const stats = logged<EngineStats>(worker.output, 'engine stats');
    const overhead = logged<{ overhead: { p50: number; p99: number; max: number } }>(front.output, 'engine hand-off')?.overhead;
    const seconds = devices / m.sessionsPerS;
    const workerCpuMs = (m.cpu.worker ?? 0) * seconds * 1000;
    const share = stats && workerCpuMs > 0
      ? `sandbox ${(100 * stats.sandboxMs / ((m.cpu.acs + m.cpu.worker) * seconds * 1000)).toFixed(1)}% of ACS CPU (${stats.scriptRuns} runs, ${(stats.sandboxMs / stats.scriptRuns * 1000).toFixed(0)} µs each)`
      : 'no engine stats';
    const handOff = overhead ? `hand-off overhead per step p50 ${overhead.p50.toFixed(2)} ms, p99 ${overhead.p99.toFixed(2)} ms` : 'no hand-off stats';
    const idle = concurrency === 1;
    return {
      scenario: idle ? `(h) engine hand-off, zero-touch sessions one at a time (${devices})` : `(c) zero-touch, ${devices} new TR-181 devices, ${concurrency} in flight`,
      target: idle ? 'p99 < 5 ms queue overhead per step' : '>= 150 sessions/s',
      ...m,
      note: `${idle ? '' : `${done}/${devices} provisioned; `}${stats?.steps ?? 0} engine steps; ${handOff}; ${share}; CPU s/s front end ${f(m.cpu.acs, 2)}, worker ${f(m.cpu.worker, 2)}`,
    };
  } finally {
    await fleet.close().catch(() => undefined);
    await Promise.all([front.stop(), worker.stop()]);
  }
}

interface EngineStats {
  steps: number;
  scriptRuns: number;
  sandboxMs: number;
  stepMs: number;
}

/** A JSON log line the ACS printed (by its msg). */
function logged<T>(output: string[], msg: string): T | null {
  const line = output.find((l) => l.includes(`"msg":"${msg}"`));
  return line ? (JSON.parse(line) as T) : null;
}

/** The same storm against the minimal responder (no storage, no Redis, no engine). */
async function floorRow(v: { devices: number; durationS: number; concurrency: number }, model: ReturnType<typeof loadModel>): Promise<Row> {
  const floor = await spawnAcs(['floor'], { ...process.env });
  const fleet = await Fleet.create({ acsUrl: `http://127.0.0.1:${floor.cwmpPort}/`, devices: v.devices, model, concurrency: v.concurrency, registered: true });
  try {
    const m = await measure(fleet, floor, () => fleet.storm(v.durationS * 1000));
    return { scenario: `floor: minimal responder, same storm`, target: '', ...m, note: '' };
  } finally {
    await fleet.close();
    await floor.stop();
  }
}

const f = (n: number, d = 1): string => (Number.isFinite(n) ? n.toFixed(d) : '-');

function table(rows: Row[]): string {
  const head = '| scenario | target | sessions/s | p50 ms | p99 ms | max ms | errors | ACS RSS peak MiB | CPU s/s acs / redis / mariadb / simulator | note |';
  const lines = rows.map((r) =>
    `| ${r.scenario} | ${r.target} | ${f(r.sessionsPerS)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.max, 1)} | ${r.errors} | ${f(r.rssMiB, 0)} | ${f(r.cpu.acs + (r.cpu.worker ?? 0), 2)} / ${f(r.cpu.redis, 2)} / ${f(r.cpu.mariadb, 2)} / ${f(r.cpu.sim, 2)} | ${r.note} |`);
  return [head, '|---|---|---|---|---|---|---|---|---|---|', ...lines].join('\n');
}

/** The date, commit and machine of a run, as BENCHMARKS.md headings give them. */
export function runContext(): string {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  const mem = (os.totalmem() / 2 ** 30).toFixed(0);
  return `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, commit ${commit}, Node ${process.version}, ${os.cpus().length} cores, ${mem} GiB`;
}

function header(db: string, devices: number, durationS: number): string {
  return `## ${runContext()}, db ${db}, ${devices} devices, ${durationS} s storms`;
}

/** A bench option that is a count (--processes, --webhook-subscriptions): empty when not given; anything but a whole number from 1 is refused. */
function countOf(flag: string, raw: string): number | null {
  if (raw === '') return null;
  if (!/^[1-9]\d*$/.test(raw)) throw new Error(`--${flag} ${raw}: expected a whole number of at least 1`);
  return Number(raw);
}

export async function runBench(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, options, strict: true });
  const v = {
    db: values.db === 'sqlite' ? 'sqlite' : 'mysql',
    devices: Number(values.devices),
    durationS: Number(values.duration),
    concurrency: Number(values.concurrency),
    model: values.model,
    zeroTouchDevices: Number(values['zero-touch-devices']),
    fanOutDevices: Number(values['fan-out-devices']),
    only: values.only,
    processes: countOf('processes', values.processes),
    webhookSubscriptions: countOf('webhook-subscriptions', values['webhook-subscriptions']) ?? undefined,
  };
  const rows = await runScenarios(v);
  const out = `${header(v.db, v.devices, v.durationS)}\n\n${table(rows)}\n`;
  console.log(out);
  if (values['no-write']) return;
  const file = path.join(REPO, 'BENCHMARKS.md');
  if (!existsSync(file)) writeFileSync(file, '# Benchmarks\n\nAppended by `npm run bench`; analysis of missed targets below each run.\n\n');
  appendFileSync(file, `${out}\n`);
}
