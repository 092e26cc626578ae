/**
 * The simulator's CPU per device in the flow of benchmark (d), measured
 * alone: per device one HTTP Digest connection request served, then one
 * session (Inform with "6 CONNECTION REQUEST", one SetParameterValues, the
 * empty POST). Everything that is not the simulated CPEs runs in other
 * processes, so this process's CPU is the simulator's:
 *
 *   real ACS (default): `acs start --role all` (dist/, as the bench runs it)
 *     on MariaDB and Redis, and a child that POSTs each device's task with
 *     `?connection_request`, 100 in flight;
 *   --stand-in [ms]: test/sim/profile-stand-in.ts, a ScriptedAcs plus the
 *     ACS's own connection-request code (no database: quick, and steadier),
 *     answering each Inform after `ms` (default 0) as a loaded ACS would.
 *
 *   node --import tsx test/sim/profile-fan-out.ts [devices] [--stand-in [ms]] [--profile file.cpuprofile]
 *
 * Prints CPU ms per device (user + system of this process, all threads, from
 * the first connection request to the last session's end) and, with
 * --profile, writes a V8 CPU profile of that window and lists where it went.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import path from 'node:path';
import { openStore } from '../../src/db';
import { spawnAcs } from '../../src/infra/acs-process';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { databaseUrlFor, emptyDir } from '../helpers/acs';
import { newToken, withToken } from '../helpers/api-token';
import { dropMysqlDatabase } from '../helpers/db';
import { sleep } from '../helpers/wait';
import type { StandInJob } from './profile-stand-in';

const MODEL = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const PATH = 'Device.Time.NTPServer1';
const IN_FLIGHT = 100;

/** The ACS side: where the devices inform, and how the measured phase is started. */
interface Peer {
  acsUrl: string;
  /** After first contact, not measured. */
  prepare(fleet: Fleet): Promise<void>;
  /** Sends every device its connection request (and the ACS its SetParameterValues of `value`); resolves when all were sent. */
  fanOut(fleet: Fleet, value: string): Promise<void>;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const n = Number(args[0] ?? 1000);
  const after = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const profileAt = after('--profile');
  const peer = args.includes('--stand-in') ? await standIn(Number(after('--stand-in')) || 0) : await realAcs();
  const fleet = await Fleet.create({ acsUrl: peer.acsUrl, devices: n, model: loadModel(MODEL), serialBase: 'PROF', concurrency: 500, connectionRequests: true });
  try {
    await fleet.connectAll();
    if (fleet.stats.completed !== n) throw new Error(`first contact: ${[...fleet.stats.errors.keys()].join('; ')}`);
    await peer.prepare(fleet);
    const value = `ntp-${Date.now()}.example`;
    const profiler = profileAt ? new Session() : null;
    profiler?.connect();
    await profiler?.post('Profiler.enable');
    await profiler?.post('Profiler.start');
    const cpu = process.cpuUsage();
    const t0 = performance.now();
    const sent = peer.fanOut(fleet, value);
    while (fleet.stats.sessions < 2 * n) await sleep(20);
    const used = process.cpuUsage(cpu);
    const seconds = (performance.now() - t0) / 1000;
    if (profiler && profileAt) summarise(profileAt, ((await profiler.post('Profiler.stop')) as { profile: Profile }).profile);
    await sent;
    const applied = fleet.devices.filter((d) => d.model.getValue(PATH) === value).length;
    const s = fleet.stats;
    const ms = (us: number): string => (us / 1000 / n).toFixed(3);
    console.log(`${n} devices in ${seconds.toFixed(1)} s: simulator CPU ${ms(used.user + used.system)} ms per device (user ${ms(used.user)}, system ${ms(used.system)})`);
    console.log(`sessions completed ${s.completed}, refused ${s.refused}, failed ${s.failed}, violations ${s.violations}; values applied ${applied}/${n}`);
    if (s.failed + s.refused + s.violations > 0 || applied !== n) process.exitCode = 1;
  } finally {
    await fleet.close();
    await peer.stop();
  }
}

async function realAcs(): Promise<Peer> {
  const databaseUrl = databaseUrlFor('sim_profile');
  await dropMysqlDatabase(databaseUrl);
  const env = {
    ...process.env, DATABASE_URL: databaseUrl, CWMP_PORT: '0', NBI_PORT: '0', FS_PORT: '0', STUN_PORT: '0', PRESETS_DIR: emptyDir(),
    REDIS_PREFIX: `sim-profile-${Date.now()}:`, CONNECTION_REQUEST_RATE: '100000', NBI_TOKEN_RATE: '0', LOG_LEVEL: 'warn',
  };
  const acs = await spawnAcs(['start', '--role', 'all'], env);
  // An admin API token in the ACS's database (the REST API needs one).
  const store = await openStore(databaseUrl);
  let token: string;
  try {
    await store.migrate();
    token = await newToken(store);
  } finally {
    await store.close();
  }
  const nbi = `http://127.0.0.1:${acs.nbiPort}`;
  const keyOf = (fleet: Fleet, i: number): string => encodeURIComponent(deviceKeyOf(fleet.devices[i].deviceId()));
  return {
    acsUrl: `http://127.0.0.1:${acs.cwmpPort}/`,
    async prepare(fleet) {
      // The REST API learns each device's connection-request credentials (a CPE never reads its password back).
      await eachLimited(fleet.devices.length, 50, async (i) => {
        const serial = fleet.devices[i].deviceId().SerialNumber;
        const body = JSON.stringify({ username: `cr-${serial}`, password: `crpw-${serial}` });
        const r = await fetch(`${nbi}/devices/${keyOf(fleet, i)}/connection-request-credentials`, withToken(token, { method: 'PUT', body }));
        if (r.status !== 204) throw new Error(`credentials of ${serial}: HTTP ${r.status}`);
      });
    },
    fanOut(fleet, value) {
      const urls = fleet.devices.map((_, i) => `${nbi}/devices/${keyOf(fleet, i)}/tasks?connection_request`);
      const body = JSON.stringify({ name: 'setParameterValues', parameterValues: [[PATH, value, 'xsd:string']] });
      const child = spawn(process.execPath, ['-e', REST_DRIVER], { stdio: ['pipe', 'inherit', 'inherit'] });
      child.stdin.end(JSON.stringify([urls, body, IN_FLIGHT, token]));
      return exited(child);
    },
    stop: async () => void (await acs.stop()),
  };
}

/** The bench's REST client, reduced: POSTs every URL with `body` and the API token, `limit` at once (input as JSON on stdin). */
const REST_DRIVER = `
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c)).on('end', () => {
  const [urls, body, limit, token] = JSON.parse(Buffer.concat(chunks).toString());
  let next = 0, bad = 0;
  const one = async () => { while (next < urls.length) { const r = await fetch(urls[next++], { method: 'POST', body, headers: { Authorization: 'Bearer ' + token } }); await r.text(); if (r.status !== 202) bad++; } };
  Promise.all(Array.from({ length: limit }, one)).then(() => { if (bad) { console.error(bad + ' POSTs not 202'); process.exit(1); } });
});
`;

async function standIn(delayMs: number): Promise<Peer> {
  const child = fork(path.join(__dirname, 'profile-stand-in.ts'), [String(delayMs)], { execArgv: ['--import', 'tsx'] });
  const { acsUrl } = await message<{ acsUrl: string }>(child);
  return {
    acsUrl,
    prepare: async () => undefined,
    async fanOut(fleet, value) {
      const devices = fleet.devices.map((d) => {
        const serial = d.deviceId().SerialNumber;
        return { serial, url: d.model.getValue(`${d.model.root}ManagementServer.ConnectionRequestURL`) ?? '', username: `cr-${serial}`, password: `crpw-${serial}` };
      });
      const job: StandInJob = { devices, limit: IN_FLIGHT, request: { method: 'SetParameterValues', ParameterList: [{ Name: PATH, Value: value, type: 'xsd:string' }], ParameterKey: '' } };
      child.send(job);
      const { refused } = await message<{ refused: number }>(child);
      if (refused > 0) throw new Error(`${refused} connection requests refused`);
    },
    async stop() {
      child.disconnect();
      await exited(child).catch(() => undefined);
    },
  };
}

function message<T>(child: ChildProcess): Promise<T> {
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve(m as T));
    child.once('exit', (code) => reject(new Error(`stand-in exited with ${code}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`child exited with ${code}`)))));
}

async function eachLimited(count: number, limit: number, run: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < count) await run(next++);
  }));
}

interface Profile {
  nodes: { id: number; callFrame: { functionName: string; url: string; columnNumber: number }; children?: number[] }[];
  samples: number[];
  timeDeltas: number[];
}

/** Writes the profile; prints busy time per kind of code, and the simulator's functions with the most time (self and below). */
function summarise(file: string, p: Profile): void {
  writeFileSync(file, JSON.stringify(p));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const parent = new Map<number, number>();
  for (const node of p.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const byId = new Map(p.nodes.map((node) => [node.id, node]));
  const kinds = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') continue;
    busy += us;
    add(kinds, kindOf(frame), us);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)?.callFrame;
      if (!f?.url.includes('/src/')) continue;
      const name = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/src\//, 'src/')}`;
      if (!seen.has(name)) add(inclusive, name, us);
      seen.add(name);
    }
  }
  const top = (m: Map<string, number>, k: number): string[] =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, us]) => `${(us / 1000).toFixed(0).padStart(7)} ms ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`);
  console.log(`profile ${file}: ${(busy / 1000).toFixed(0)} ms busy\n${top(kinds, 10).join('\n')}\nour functions, with what they call:\n${top(inclusive, 30).join('\n')}`);
}

function kindOf(f: { functionName: string; url: string }): string {
  if (f.url.includes('/src/sim/')) return 'src/sim';
  if (f.url.includes('/src/')) return 'src/ (codec, Digest)';
  if (f.url.includes('/node_modules/')) return 'node_modules (fast-xml-parser)';
  if (f.url.startsWith('node:')) return "Node's JS (http, net, streams)";
  return f.functionName.startsWith('(') ? f.functionName : 'native (syscalls, crypto, buffers)';
}

function add(m: Map<string, number>, key: string, us: number): void {
  m.set(key, (m.get(key) ?? 0) + us);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
