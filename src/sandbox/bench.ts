/**
 * Micro-benchmark of the sandbox (not a test): a typical 30-line provision
 * calling declare() 10 times, run over and over on a warm pool against a
 * ~200-parameter device. Prints p50/p99 of one run next to the floor of the
 * same machine at the same time (see floorRunner), and the cost of making an
 * isolate (what a fault costs the next run).
 *
 *   npx tsx src/sandbox/bench.ts [runs]
 */
import ivm from 'isolated-vm';
import type { CachedParameter } from '../db/types';
import { MemoryDeviceView } from './device-view';
import { SandboxPool } from './pool';
import type { RunInput, ScriptSource } from './types';

export const TYPICAL_SCRIPT = `// Keeps a CPE on the operator's baseline.
const hourly = Date.now() - 3600 * 1000;
const daily = Date.now() - 24 * 3600 * 1000;
const target = args[0] || '2.0.1';

const sw = declare('Device.DeviceInfo.SoftwareVersion', { value: daily });
if (sw.value && sw.value[0] !== target) log('firmware', sw.value[0], 'wants', target);

declare('Device.ManagementServer.PeriodicInformEnable', { value: daily }, { value: true });
declare('Device.ManagementServer.PeriodicInformInterval', { value: daily }, { value: 300 });

// Guest networks follow the main one.
const ssids = declare('Device.WiFi.SSID.*.SSID', { path: hourly, value: hourly });
let guest = 0;
for (const ssid of ssids) {
  if (String(ssid.value[0]).startsWith('guest')) guest++;
}
declare('Device.WiFi.SSID.[SSID:guest-1].Enable', { value: hourly }, { value: guest > 0 });

declare('Device.Time.Enable', { value: daily }, { value: true });
declare('Device.Time.NTPServer1', { value: daily }, { value: 'pool.ntp.org' });
declare('Device.IP.Interface.*', { path: daily }, { instances: [1, 8] });

const uptime = declare('Device.DeviceInfo.UpTime', { value: hourly });
if (uptime.size > 0 && uptime.value[0] < 300) {
  log('recent boot', uptime.value[0]);
}
declare('Device.ManagementServer.PeriodicInformTime', { value: daily },
  { value: [new Date(Date.UTC(2020, 0, 1)).toISOString(), 'xsd:dateTime'] });
`;

/** The device as read at `read`: every declaration of the script is met then (its reads commit implicitly). */
function benchDevice(read: number): CachedParameter[] {
  const rows: CachedParameter[] = [];
  const leaf = (path: string, value: string | null, type: CachedParameter['type'] = 'xsd:string', kind: CachedParameter['kind'] = 'leaf'): void => {
    rows.push({
      path, kind, value, type, writable: true, notification: 0, accessList: [],
      valueTime: read, namesTime: read, attributesTime: read,
    });
  };
  // Listed objects: the instance lists the script asks about are known.
  leaf('Device.WiFi.SSID.', null, null, 'object');
  leaf('Device.IP.Interface.', null, null, 'object');
  leaf('Device.DeviceInfo.SoftwareVersion', '2.0.0');
  leaf('Device.DeviceInfo.UpTime', '86400', 'xsd:unsignedInt');
  leaf('Device.ManagementServer.PeriodicInformEnable', 'true', 'xsd:boolean');
  leaf('Device.ManagementServer.PeriodicInformInterval', '300', 'xsd:unsignedInt');
  leaf('Device.ManagementServer.ConnectionRequestUsername', 'acs');
  leaf('Device.ManagementServer.PeriodicInformTime', '2020-01-01T00:00:00Z', 'xsd:dateTime');
  leaf('Device.Time.Enable', 'true', 'xsd:boolean');
  leaf('Device.Time.NTPServer1', 'pool.ntp.org');
  for (let i = 1; i <= 4; i++) {
    leaf(`Device.WiFi.SSID.${i}.`, null, null, 'instance');
    leaf(`Device.WiFi.SSID.${i}.SSID`, i === 1 ? 'home' : `guest-${i - 1}`);
    leaf(`Device.WiFi.SSID.${i}.Enable`, 'true', 'xsd:boolean');
    for (let j = 0; j < 10; j++) leaf(`Device.WiFi.SSID.${i}.Stats.Counter${j}`, String(j), 'xsd:unsignedInt');
  }
  for (let i = 1; i <= 3; i++) {
    leaf(`Device.IP.Interface.${i}.`, null, null, 'instance');
    for (let j = 0; j < 40; j++) leaf(`Device.IP.Interface.${i}.Param${j}`, `v${j}`);
  }
  return rows;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/**
 * The floor this machine allows, measured alongside: MEASUREMENTS.md's
 * cheapest strategy (a bare pooled context, the script cached as a function,
 * declare() only pushing into an array, results copied out), with no checks,
 * no lookups and no isolation between runs.
 */
function floorRunner(): { run: () => unknown; dispose: () => void } {
  const isolate = new ivm.Isolate({ memoryLimit: 32 });
  const context = isolate.createContextSync();
  const fn = context.evalSync(
    `(function () {
      const decls = [];
      const empty = { size: 0, value: undefined, [Symbol.iterator]() { return [][Symbol.iterator](); } };
      const declare = (path, timestamps, values) => { decls.push({ path, timestamps, values }); return empty; };
      const log = () => {};
      const script = function (declare, clear, commit, log, ext, args) { 'use strict';\n${TYPICAL_SCRIPT.replace(/`/g, '\\`')}\n};
      return function (args) { decls.length = 0; script(declare, null, null, log, null, args); return decls; };
    })()`,
    { reference: true },
  ) as ivm.Reference<(args: unknown[]) => unknown>;
  return {
    run: () => fn.applySync(undefined, [['2.0.1']], { arguments: { copy: true }, result: { copy: true }, timeout: 50 }),
    dispose: () => isolate.dispose(),
  };
}

async function timeRuns(runs: number, once: () => unknown): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await once();
    times.push(Number(process.hrtime.bigint() - start) / 1e3);
  }
  return times;
}

/** Runs both in interleaved rounds (the machine's load drifts), pooling the samples. */
export async function benchSandbox(runs = 20_000, rounds = 10): Promise<Record<string, number>> {
  const now = Date.now();
  const view = MemoryDeviceView.from(benchDevice(now - 60_000));
  const script: ScriptSource = { name: 'typical.js', source: TYPICAL_SCRIPT };
  const input: RunInput = {
    deviceKey: '00147F-XX230v-22275A7000395',
    deviceId: { Manufacturer: 'ACME', OUI: '00147F', ProductClass: 'XX230v', SerialNumber: '22275A7000395' },
    events: ['2 PERIODIC'], now, view, args: ['2.0.1'],
  };
  const pool = new SandboxPool({ size: 2 });
  const t0 = process.hrtime.bigint();
  await pool.warmUp();
  const warmUpMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const check = await pool.run(script, input);
  if (check.fault || check.declarations.length !== 10) throw new Error(`benchmark script broken: ${JSON.stringify(check)}`);
  const floor = floorRunner();
  for (let i = 0; i < 2_000; i++) {
    await pool.run(script, input);
    floor.run();
  }
  const ours: number[] = [], base: number[] = [];
  const perRound = Math.ceil(runs / rounds);
  for (let r = 0; r < rounds; r++) {
    ours.push(...(await timeRuns(perRound, () => pool.run(script, input))));
    base.push(...(await timeRuns(perRound, floor.run)));
  }
  floor.dispose();
  ours.sort((a, b) => a - b);
  base.sort((a, b) => a - b);
  const creates: number[] = [];
  for (let i = 0; i < 10; i++) {
    const start = process.hrtime.bigint();
    const fresh = new SandboxPool({ size: 1 });
    await fresh.warmUp();
    creates.push(Number(process.hrtime.bigint() - start) / 1e6);
    await fresh.close();
  }
  creates.sort((a, b) => a - b);
  await pool.close();
  return {
    runs: ours.length,
    p50Us: percentile(ours, 50),
    p90Us: percentile(ours, 90),
    p99Us: percentile(ours, 99),
    meanUs: ours.reduce((a, b) => a + b, 0) / ours.length,
    floorP50Us: percentile(base, 50),
    floorP99Us: percentile(base, 99),
    warmUpPoolOf2Ms: warmUpMs,
    isolateCreateP50Ms: percentile(creates, 50),
  };
}

if (require.main === module) {
  const runs = Number(process.argv[2] ?? 20_000);
  benchSandbox(runs).then(
    (r) => {
      for (const [k, v] of Object.entries(r)) console.log(`${k.padEnd(22)} ${Number.isInteger(v) ? v : v.toFixed(1)}`);
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
