/**
 * Benchmark scenario (s), a fleet under bad scripts (issue 8 §5): one device in
 * ten runs hostile provisions (a busy loop, a memory bomb, a catastrophically
 * backtracking regular expression, each its own channel) and starts a new
 * session as soon as the last one ends; the other nine make their first
 * contact and get one harmless change. The harmless devices' provisioning
 * rate is measured twice, with the hostile scripts and with benign stand-ins
 * (same presets, same traffic), and the ratio reported (target >= 0.8).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AcsProcess } from '../infra/acs-process';
import { Fleet } from '../sim/fleet';
import type { loadModel } from '../sim/load-model';
import type { Measured, Row } from './types';

const HARMLESS_PATH = 'Device.Time.NTPServer1';
const HARMLESS_VALUE = 'ntp.harmless.example';
const HOSTILE_SERIALS = 'BAD';

/** name → [hostile source, benign stand-in]. */
const HOSTILE: Record<string, [string, string]> = {
  loop: ['let n = 0;\nwhile (true) n++;\n', 'let n = 0;\n'],
  bomb: ['const keep = [];\nfor (;;) keep.push(new Array(1e6).fill(1));\n', 'const keep = [];\n'],
  regex: ["log(/^(a+)+$/.test('a'.repeat(40) + 'b'));\n", "log(/^(a+)+$/.test('aab'));\n"],
};


/** The parts of run.ts the scenario uses: starting processes on a fresh database, and measuring a run. */
export interface BenchHarness {
  freshDatabase(db: string): Promise<string>;
  startAcs(databaseUrl: string, role: string, extra: NodeJS.ProcessEnv): Promise<AcsProcess & { databaseUrl: string }>;
  measure(fleet: Fleet, acs: AcsProcess[], run: () => Promise<void>): Promise<Measured>;
}

export interface BadScriptsOptions {
  db: string;
  model: ReturnType<typeof loadModel>;
  /** Harmless devices (first contact); a tenth as many hostile ones on top (default 900). */
  devices?: number;
  concurrency?: number;
  /** A run is cut here if the harmless devices are not all done (ms, default 150 s). */
  deadlineMs?: number;
}

export interface BadScriptsRun {
  /** Harmless devices with the change applied, per second of the run. */
  rate: number;
  applied: number;
  seconds: number;
  hostileSessions: number;
  /** "no engine worker answered" warnings of the front end. */
  unanswered: number;
  /** The worker's counters and the front end's wait for steps beyond the worker's own time (logged at stop). */
  engine: { steps: number; scriptRuns: number; sandboxMs: number; stepMs: number } | null;
  handOff: { p50: number; p99: number; max: number } | null;
  measured: Measured;
}

/**
 * Four runs in the order benign, hostile, hostile, benign (a drift of the
 * machine's load over the scenario weighs on both kinds alike); the ratio is
 * that of the summed rates.
 */
export async function badScriptsRows(o: BadScriptsOptions, h: BenchHarness): Promise<Row[]> {
  const runs: [boolean, BadScriptsRun][] = [];
  for (const hostile of [false, true, true, false]) runs.push([hostile, await runOnce(o, h, hostile)]);
  const sum = (hostile: boolean) => runs.filter(([k]) => k === hostile).reduce((n, [, r]) => n + r.rate, 0);
  const ratio = sum(true) / sum(false);
  const good = o.devices ?? 900;
  return runs.map(([hostile, r], i) => ({
    scenario: `(s) fleet under bad scripts: ${good} first contacts + ${Math.round(good / 10)} devices in a session loop, ${hostile ? 'hostile scripts (loop, memory bomb, regex)' : 'benign scripts'}`,
    target: i === runs.length - 1 ? 'ratio >= 0.8' : '',
    ...r.measured,
    note: `${r.applied}/${good} harmless changes applied in ${r.seconds.toFixed(1)} s = ${r.rate.toFixed(1)}/s; ${r.hostileSessions} sessions of the looping devices; ${r.unanswered} "no engine worker answered"; CPU s/s front end ${r.measured.cpu.acs.toFixed(2)}, worker ${(r.measured.cpu.worker ?? 0).toFixed(2)}; ${engineText(r)}${i === runs.length - 1 ? `; **ratio hostile/benign ${ratio.toFixed(2)}** (summed rates of the two runs of each)` : ''}`,
  }));
}

function engineText(r: BadScriptsRun): string {
  const e = r.engine;
  const steps = e ? `${e.steps} steps (${(e.stepMs / 1000).toFixed(1)} s), ${e.scriptRuns} script runs (${(e.sandboxMs / 1000).toFixed(1)} s)` : 'no engine stats';
  const wait = r.handOff ? `, hand-off p50 ${r.handOff.p50.toFixed(1)} ms p99 ${r.handOff.p99.toFixed(0)} ms` : '';
  return steps + wait;
}

/** One run on a fresh database: the harmless devices' first contact while the other tenth loops. */
export async function runOnce(o: BadScriptsOptions, h: BenchHarness, hostile: boolean): Promise<BadScriptsRun> {
  const good = o.devices ?? 900;
  const dirs = scriptDirs(hostile);
  // Both processes on the machine's Redis (a split role needs one named), under a prefix of their own.
  const redis = { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_PREFIX: `bench-bad-${Date.now()}:` };
  const env = { PRESETS_DIR: dirs.presets, PROVISIONS_DIR: dirs.provisions, LOG_LEVEL: 'warn', ...redis };
  const front = await h.startAcs(await h.freshDatabase(o.db), 'cwmp', env);
  const worker = await h.startAcs(front.databaseUrl, 'worker', env);
  const url = `http://127.0.0.1:${front.cwmpPort}/`;
  const fleet = await Fleet.create({ acsUrl: url, devices: good, model: o.model, concurrency: o.concurrency ?? 100, serialBase: 'OK' });
  const looping = await Fleet.create({ acsUrl: url, devices: Math.round(good / 10), model: o.model, serialBase: HOSTILE_SERIALS });
  try {
    let stop = false;
    let hostileSessions = 0;
    const loop = Promise.all(looping.devices.map(async (d) => {
      while (!stop) {
        d.addEvent('6 CONNECTION REQUEST');
        await d.runSession();
        hostileSessions++;
        await new Promise((r) => setTimeout(r, 200));
      }
    }));
    const t0 = performance.now();
    const deadline = new Promise<void>((r) => setTimeout(r, o.deadlineMs ?? 150_000).unref());
    const measured = await h.measure(fleet, [front, worker], () => Promise.race([fleet.connectAll(), deadline]));
    const seconds = (performance.now() - t0) / 1000;
    stop = true;
    await loop;
    const applied = fleet.devices.filter((d) => d.model.getValue(HARMLESS_PATH) === HARMLESS_VALUE).length;
    await Promise.all([front.stop(), worker.stop()]);
    const unanswered = front.output.filter((l) => l.includes('no engine worker answered')).length;
    const engine = logged<BadScriptsRun['engine']>(worker.output, 'engine stats');
    const handOff = logged<{ overhead: BadScriptsRun['handOff'] }>(front.output, 'engine hand-off')?.overhead ?? null;
    return { rate: applied / seconds, applied, seconds, hostileSessions, unanswered, engine, handOff, measured };
  } finally {
    await Promise.all([fleet.close(), looping.close()]);
    await Promise.all([front.stop(), worker.stop()]);
  }
}

/** A JSON log line a process printed (by its msg). */
function logged<T>(output: string[], msg: string): T | null {
  const line = output.find((l) => l.includes(`"msg":"${msg}"`));
  return line ? (JSON.parse(line) as T) : null;
}

/** The presets (harmless for every device, the hostile channels for serials BAD*) and their provisions. */
function scriptDirs(hostile: boolean): { presets: string; provisions: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'acs-bench-bad-'));
  const presets = path.join(root, 'presets');
  const provisions = path.join(root, 'provisions');
  const presetFiles: Record<string, string> = { 'harmless.yaml': 'channel: harmless\nprovisions:\n  - harmless\n' };
  const scriptFiles: Record<string, string> = { 'harmless.js': `declare('${HARMLESS_PATH}', null, { value: '${HARMLESS_VALUE}' });\n` };
  for (const [name, [bad, benign]] of Object.entries(HOSTILE)) {
    presetFiles[`${name}.yaml`] = `channel: ${name}\nprecondition: DeviceID.SerialNumber LIKE "${HOSTILE_SERIALS}%"\nprovisions:\n  - ${name}\n`;
    scriptFiles[`${name}.js`] = hostile ? bad : benign;
  }
  writeAll(presets, presetFiles);
  writeAll(provisions, scriptFiles);
  return { presets, provisions };
}

function writeAll(dir: string, files: Record<string, string>): void {
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
}
