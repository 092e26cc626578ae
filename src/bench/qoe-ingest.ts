/**
 * (i) QoE series ingest (issue 14 §2), in this process against MariaDB: the
 * series store fed as the ingest worker feeds it (batches of frames), with
 * simulated devices reporting 20 interface counters every 15 minutes
 * (traffic by time of day, 32-bit counters that wrap, reboots that reset).
 *
 * Target: 100,000 devices x 20 counters / 15 min (~110 frames/s) with < 25 %
 * of one core and < 1 GiB of database growth per day after rollups; a 30-day
 * chart of one device in < 50 ms. A day of 100,000 devices is 9.6 million
 * frames, too many to replay in a few minutes, so the figures are measured
 * on a sample and scaled by device count:
 *   A. BENCH_QOE_DEVICES devices (default 2,000) x 96 rounds = one day, in
 *      time order: CPU per frame (this process's and MariaDB's), bytes per frame;
 *   B. the rollup of that day (1 h and 1 day buckets): its cost and bytes;
 *   C. BENCH_QOE_CHART_DEVICES devices (default 100) x 30 days of hourly
 *      frames, rolled up day by day as the worker would, then each device's
 *      30-day chart read several times (p50/p99).
 */
import os from 'node:os';
import { openStore } from '../db';
import type { DeviceStore } from '../db/types';
import { createSeriesStore, DEFAULT_RETENTION, type SeriesStore } from '../qoe/series';
import type { CollectionProfile, Frame } from '../qoe/types';
import { cpuMeter, pidOf } from './proc-stats';
import type { Row } from './types';

export interface QoeBenchHarness {
  freshDatabase(db: string, name?: string): Promise<string>;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ROUND_MS = 15 * 60_000;
const TARGET_DEVICES = 100_000;
const FRAMES_PER_DAY = TARGET_DEVICES * (DAY / ROUND_MS);
/** Frames per ingest call: about a second of the target's traffic, as a worker reading a stream gets them. */
const BATCH = 100;
const CHART_RUNS = 5;

const STATS = ['BytesSent', 'BytesReceived', 'PacketsSent', 'PacketsReceived', 'ErrorsSent', 'ErrorsReceived', 'DiscardPacketsSent', 'DiscardPacketsReceived', 'UnicastPacketsSent', 'UnicastPacketsReceived'];
/** WAN counters on 64 bits (TR-181 unsignedLong), LAN on 32 (older firmware): the LAN byte counters wrap every couple of hours. */
const COUNTERS = [
  ...STATS.map((s) => ({ path: `Device.IP.Interface.1.Stats.${s}`, bits: 64 as const })),
  ...STATS.map((s) => ({ path: `Device.Ethernet.Interface.1.Stats.${s}`, bits: 32 as const })),
];

function profile(name: string): CollectionProfile {
  return { name, intervalS: 900, retention: DEFAULT_RETENTION, parameters: COUNTERS.map((c) => ({ path: c.path, kind: 'counter', bits: c.bits })) };
}

/** A repeatable pseudo-random sequence (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** One simulated device: its counters, its uptime, its traffic level. */
class SimDevice {
  readonly key: string;
  private readonly values: number[];
  private uptimeS = 0;
  private readonly bytesPerS: number;
  private readonly rnd: () => number;
  /** Counter wraps so far (the store should rate across each). */
  wraps = 0;

  constructor(i: number) {
    this.rnd = random(i + 1);
    this.key = `00259E-BENCHQOE-SN${String(i).padStart(8, '0')}`;
    this.bytesPerS = 50_000 + this.rnd() * 1_000_000;
    this.uptimeS = Math.floor(this.rnd() * 3_000_000);
    // 32-bit counters start anywhere in their range: wraps come early for some devices.
    this.values = COUNTERS.map((c) => Math.floor(this.rnd() * (c.bits === 32 ? 2 ** 32 : 2 ** 40)));
  }

  /** Moves the counters on by `dtS` seconds at time `time` (traffic by time of day); 0.05 % of frames follow a reboot. */
  frame(profileName: string, time: number, dtS: number): Frame {
    const hour = (time % DAY) / HOUR;
    const load = 0.15 + 0.85 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hour - 3)) / 24));
    if (this.rnd() < 0.0005) {
      this.uptimeS = Math.floor(this.rnd() * 300);
      this.values.fill(0);
    } else this.uptimeS += dtS;
    COUNTERS.forEach((c, k) => {
      const stat = k % STATS.length;
      const bytes = this.bytesPerS * load * dtS * (stat % 2 === 0 ? 0.1 : 1) * (0.8 + 0.4 * this.rnd());
      const step = stat < 2 ? bytes : stat < 4 || stat >= 8 ? bytes / 800 : this.rnd() < 0.05 ? Math.floor(this.rnd() * 50) : 0;
      const next = this.values[k] + Math.floor(step);
      if (next >= 2 ** c.bits) this.wraps++;
      this.values[k] = next % 2 ** c.bits;
    });
    return { device: this.key, profile: profileName, time, values: Object.fromEntries(COUNTERS.map((c, k) => [c.path, this.values[k]])), uptimeS: this.uptimeS };
  }
}

/** data_length + index_length of the tables (after ANALYZE, so the figures are current). */
async function tableBytes(store: DeviceStore, tables: string[]): Promise<Record<string, number>> {
  await store.sql.autocommit(async (db) => {
    for (const t of tables) await db.select(`ANALYZE TABLE ${t}`);
  });
  const rows = await store.sql.autocommit((db) =>
    db.select(`SELECT TABLE_NAME AS t, DATA_LENGTH + INDEX_LENGTH AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (${tables.map(() => '?').join(',')})`, tables),
  );
  return Object.fromEntries(rows.map((r) => [String(r.t), Number(r.bytes)]));
}

interface Timed {
  nodeS: number;
  mariadbS: number;
  wallS: number;
}

/** Runs `fn`, measuring this process's CPU only while it runs (not the frames' generation) and MariaDB's over the whole. */
class Meter {
  private node = 0;
  private readonly mariadb = cpuMeter({ mariadb: pidOf('mariadbd') });
  private readonly t0 = performance.now();

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const c0 = process.cpuUsage();
    try {
      return await fn();
    } finally {
      const c = process.cpuUsage(c0);
      this.node += (c.user + c.system) / 1e6;
    }
  }

  done(): Timed {
    return { nodeS: this.node, mariadbS: this.mariadb().mariadb, wallS: (performance.now() - this.t0) / 1000 };
  }
}

/** A: one day of `devices` devices, round by round, in batches. */
async function ingestDay(series: SeriesStore, devices: SimDevice[], profileName: string, day0: number, rounds: number, stepMs: number): Promise<{ t: Timed; frames: number; dropped: number; rates: number; reboots: number }> {
  const meter = new Meter();
  let frames = 0;
  let dropped = 0;
  let rates = 0;
  let reboots = 0;
  for (let k = 0; k < rounds; k++) {
    const roundStart = day0 + k * stepMs;
    // Devices report at their own second of the round: times are spread, not all on the quarter hour.
    const all = devices.map((d, i) => d.frame(profileName, roundStart + ((i * 7919) % (stepMs / 1000)) * 1000, stepMs / 1000));
    for (let i = 0; i < all.length; i += BATCH) {
      const r = await meter.run(() => series.ingest(all.slice(i, i + BATCH)));
      frames += r.frames;
      dropped += r.droppedCount;
      rates += r.rates;
      reboots += r.reboots;
    }
  }
  return { t: meter.done(), frames, dropped, rates, reboots };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** C: 30 days of hourly frames for the chart devices, rolled up day by day; then each device's 30-day chart, timed. */
async function chartTimes(devices: number, clock: { now: number }, series: SeriesStore): Promise<{ ms: number[]; points: number; cpuMs: number }> {
  const sims = Array.from({ length: devices }, (_, i) => new SimDevice(1_000_000 + i));
  const start = Math.floor(Date.now() / DAY) * DAY - 31 * DAY;
  for (let day = 0; day < 30; day++) {
    clock.now = start + (day + 1) * DAY + HOUR;
    await ingestDay(series, sims, 'bench-chart', start + day * DAY, 24, HOUR);
    await series.rollup(clock.now);
  }
  const ms: number[] = [];
  let points = 0;
  const cpu0 = process.cpuUsage();
  for (let run = 0; run < CHART_RUNS; run++) {
    for (const d of sims) {
      const t0 = performance.now();
      const s = await series.series({ device: d.key, profile: 'bench-chart', paths: ['Device.IP.Interface.1.Stats.BytesReceived', 'Device.IP.Interface.1.Stats.BytesSent'], from: clock.now - 30 * DAY, to: clock.now });
      ms.push(performance.now() - t0);
      points = s.reduce((n, x) => n + x.points.length, 0);
    }
  }
  const cpu = process.cpuUsage(cpu0);
  return { ms: ms.sort((a, b) => a - b), points, cpuMs: (cpu.user + cpu.system) / 1000 / ms.length };
}

const gib = (bytes: number): string => `${(bytes / 2 ** 30).toFixed(2)} GiB`;
const pct = (cpuS: number, frames: number): number => (100 * cpuS * (FRAMES_PER_DAY / 86_400)) / frames;

type DayRun = Awaited<ReturnType<typeof ingestDay>>;

/** What one run measured, before scaling. */
interface Measures {
  nDevices: number;
  chartDevices: number;
  load0: number;
  a: DayRun;
  wraps: number;
  rawOpenBytes: number;
  rawBytes: number;
  rollBytes: Record<string, number>;
  rolled: { rows: Record<'5m' | '1h' | '1d', number> };
  b: Timed;
  compacted: string[];
  c: Timed;
  chart: Awaited<ReturnType<typeof chartTimes>>;
}

/** A, B (rollup, then the day's compaction by expire) and C on a fresh database. */
async function measure(store: DeviceStore, nDevices: number, chartDevices: number): Promise<Measures> {
  const clock = { now: 0 };
  const profiles = new Map([profile('bench-if'), profile('bench-chart')].map((p) => [p.name, p]));
  const series = createSeriesStore(store.sql, { profiles: (n) => profiles.get(n), now: () => clock.now });
  const load0 = os.loadavg()[0];
  // A: one day, ending two hours ago.
  const day0 = Math.floor(Date.now() / DAY) * DAY - 2 * DAY;
  clock.now = day0 + DAY + 2 * HOUR;
  const sims = Array.from({ length: nDevices }, (_, i) => new SimDevice(i));
  const a = await ingestDay(series, sims, 'bench-if', day0, 96, ROUND_MS);
  const rawOpenBytes = (await tableBytes(store, ['qoe_raw'])).qoe_raw;
  const rollMeter = new Meter();
  const rolled = await rollMeter.run(() => series.rollup(clock.now));
  const b = rollMeter.done();
  const compactMeter = new Meter();
  const expired = await compactMeter.run(() => series.expire(clock.now));
  const c = compactMeter.done();
  const rawBytes = (await tableBytes(store, ['qoe_raw'])).qoe_raw;
  const rollBytes = await tableBytes(store, ['qoe_1h', 'qoe_1d', 'qoe_streams', 'qoe_layouts']);
  const chart = await chartTimes(chartDevices, clock, series);
  const wraps = sims.reduce((n, d) => n + d.wraps, 0);
  return { nDevices, chartDevices, load0, a, wraps, rawOpenBytes, rawBytes, rollBytes, rolled, b, compacted: expired.partitionsCompacted, c, chart };
}

/** Bytes and CPU scaled to 100,000 devices. */
function scaled(m: Measures) {
  const scale = TARGET_DEVICES / m.nDevices;
  const rawPerDay = (m.rawBytes / m.a.frames) * FRAMES_PER_DAY;
  // A 1 d row has the shape of a 1 h row (the same columns, min/max/avg/count each); the day's 1 d table is too small
  // (one row per device) for its allocated size to mean much, so a 1 d row counts what a 1 h row measured.
  const perRollupRow = m.rollBytes.qoe_1h / m.rolled.rows['1h'];
  const hourPerDay = perRollupRow * 24 * TARGET_DEVICES;
  const dayPerDay = perRollupRow * TARGET_DEVICES;
  // Raw at steady state: the open day (not compacted) and the two before it (compacted, the older dropped at the next day's start).
  const steady = (m.rawOpenBytes / m.a.frames) * FRAMES_PER_DAY + 2 * rawPerDay + 30 * hourPerDay + 400 * dayPerDay + m.rollBytes.qoe_streams * scale;
  return {
    rawPerDay, perRollupRow, hourPerDay, dayPerDay, steady,
    ingestPct: { node: pct(m.a.t.nodeS, m.a.frames), mariadb: pct(m.a.t.mariadbS, m.a.frames) },
    rollupPct: (100 * (m.b.nodeS + m.b.mariadbS) * scale) / 86_400,
  };
}

function noteOf(m: Measures): string {
  const x = scaled(m);
  return [
    `sessions/s column = frames/s ingested flat out (batches of ${BATCH}); at 110 frames/s ingest costs ${x.ingestPct.node.toFixed(1)} % of a core (node) + ${x.ingestPct.mariadb.toFixed(1)} % (MariaDB) = ${(x.ingestPct.node + x.ingestPct.mariadb).toFixed(1)} %`,
    `raw ${(m.rawBytes / m.a.frames).toFixed(0)} B/frame once compacted (${(m.rawOpenBytes / m.a.frames).toFixed(0)} while the day is open; ${m.compacted.join(' ')} compacted in ${m.c.wallS.toFixed(1)} s, ${(m.c.nodeS + m.c.mariadbS).toFixed(1)} CPU s) = ${gib(x.rawPerDay)}/day; after rollups (1 h ${gib(x.hourPerDay)} + 1 d ${gib(x.dayPerDay)}; ${x.perRollupRow.toFixed(0)} B per rollup row) ${gib(x.hourPerDay + x.dayPerDay)}/day`,
    `steady state at the default retention (raw 2 d + the open day, 1 h 30 d, 1 d 400 d; 5 m not kept at 15 min; streams) ${gib(x.steady)}`,
    `rollup of the day: ${m.rolled.rows['1h']} 1 h + ${m.rolled.rows['1d']} 1 d rows in ${m.b.wallS.toFixed(1)} s, ${(m.b.nodeS + m.b.mariadbS).toFixed(1)} CPU s = ${x.rollupPct.toFixed(2)} % of a core at 100k`,
    `${m.a.rates} rates, ${m.wraps} counter wraps and ${m.a.reboots} reboots in the day`,
    `chart p50/p99/max = 30 days at 1 h of 2 series (${m.chart.points} points) for ${m.chartDevices} devices x ${CHART_RUNS}, ${m.chart.cpuMs.toFixed(1)} ms of this process's CPU each (the rest is MariaDB and waiting for a core)`,
    `load average ${m.load0.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end; MariaDB CPU is the whole server's (shared)`,
  ].join('; ');
}

export async function qoeIngestRows(h: QoeBenchHarness): Promise<Row[]> {
  const nDevices = Number(process.env.BENCH_QOE_DEVICES ?? 2000);
  const chartDevices = Number(process.env.BENCH_QOE_CHART_DEVICES ?? 100);
  const store = await openStore(await h.freshDatabase('mysql', 'acs_bench_qoe'));
  try {
    await store.migrate();
    const m = await measure(store, nDevices, chartDevices);
    const ms = m.chart.ms;
    return [{
      scenario: `(i) QoE ingest: ${nDevices} devices x 20 counters x 96 rounds (1 day), scaled to 100k devices (9.6M frames/day)`,
      target: '< 25 % of one core, < 1 GiB/day after rollups, 30-day chart < 50 ms',
      sessionsPerS: m.a.frames / m.a.t.wallS,
      p50: percentile(ms, 50),
      p99: percentile(ms, 99),
      max: ms[ms.length - 1],
      errors: m.a.dropped,
      rssMiB: process.resourceUsage().maxRSS / 1024,
      cpu: { acs: m.a.t.nodeS / m.a.t.wallS, redis: NaN, mariadb: m.a.t.mariadbS / m.a.t.wallS, sim: NaN },
      note: noteOf(m),
    }];
  } finally {
    await store.close();
  }
}
