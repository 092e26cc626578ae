import { parseArgs } from 'node:util';
import { CPE_METHODS, faultInjectionFromFlags } from './cpe';
import { Fleet } from './fleet';
import { loadModel } from './load-model';
import { parseQuirks, QUIRK_NAMES, QUIRK_PROFILES } from './quirks';
import { fleetTlsOf } from './tls-files';
import { SimClock, type TrafficOptions } from './traffic';

export const simUsage = `usage: acs sim --acs URL --model FILE|tr181[+stb][+voice]|tr098[+stb][+voice] [options]

Simulates CPEs against an ACS. Each device has its own serial number, data model and state,
answers every CPE RPC as the spec says, and reports whatever the ACS sends that breaks TR-069.

  --acs URL              the ACS's CWMP URL (e.g. http://127.0.0.1:7547/)
  --model FILE           a CSV dump of a real device (GenieACS export format), or tr181 / tr098;
                         +stb adds a TR-135 set-top box, +voice TR-104 voice (issue 2 on tr181, issue 1 on tr098)
  --devices N            how many devices (default 1)
  --duration S           stop after S seconds (default: run until interrupted)
  --interval S           set every device's PeriodicInformInterval (default: the model's value, else 300);
                         devices inform at their own interval with jitter, and follow an interval the ACS sets
  --storm                instead of periodic informs: keep --concurrency sessions in flight back to back
  --concurrency N        most sessions in progress at once (default 500)
  --serial-base TEXT     serial numbers are TEXT + a 6-digit index (default SIM)
  --first-index N        index of the first device (default 0)
  --oui HEX --product-class TEXT   override the model's identity
  --username U --password P        credentials the devices present to the ACS (Basic or Digest)
  --ca FILE              PEM CAs that an https ACS's (and file server's) certificate must chain to
  --insecure             accept any server certificate
  --cert FILE --key FILE a client certificate (PEM) every device presents (mTLS)
  --cert-dir DIR         each device's own client certificate: DIR/<serial>.crt and DIR/<serial>.key
                         (devices without files there present --cert, if given)
  --quirks LIST          comma list of quirks or profiles (see below)
  --disable-methods LIST CPE methods the devices answer with fault 9000 (e.g. ChangeDUState,Upload)
  --connection-requests  serve HTTP connection requests on 127.0.0.1 (Digest, per-device credentials)
  --udp                  also serve UDP (TR-111) connection requests
  --stun HOST:PORT       with --udp: send TR-111 STUN Binding Requests to the ACS's STUN server from the
                         UDP connection-request port (USERNAME/MESSAGE-INTEGRITY = connection-request credentials)
  --stun-interval S      STUN keep-alive period (default 30)
  --fault-every N | --fault-fraction F [--fault-seed S]
                         choose devices for fault injection (index % N == 0, or a seeded fraction of them)
  --fault-spv 9002|9007  the chosen devices refuse SetParameterValues (9002, or 9003 with 9007 per parameter)
  --fault-download       the chosen devices fail every Download with TransferComplete 9010
  --no-bootstrap         devices are already registered: no first-contact session, no 0 BOOTSTRAP
  --traffic              counters and uptime move: traffic by time of day, errors on bad lines, 32-bit
                         wraps, reset on reboot (computed when read)
  --bad-lines F          with --traffic: share of devices whose line errors grow (default 0.05)
  --utc-offset MIN       with --traffic: the devices' local time, minutes east of UTC (default 0)
  --bulk-data            enabled Device.BulkData profiles post their reports (JSON/CSV over HTTP)
  --clock-speed N        counters and bulk data schedules run N times faster than real time (default 1)
  --quiet                no per-device report lines

quirks: ${QUIRK_NAMES.join(', ')}
profiles: ${Object.keys(QUIRK_PROFILES).join(', ')}`;

const options = {
  acs: { type: 'string' },
  model: { type: 'string' },
  devices: { type: 'string', default: '1' },
  duration: { type: 'string' },
  interval: { type: 'string' },
  storm: { type: 'boolean', default: false },
  concurrency: { type: 'string', default: '500' },
  'serial-base': { type: 'string', default: 'SIM' },
  'first-index': { type: 'string', default: '0' },
  oui: { type: 'string' },
  'product-class': { type: 'string' },
  username: { type: 'string' },
  password: { type: 'string' },
  ca: { type: 'string' },
  insecure: { type: 'boolean', default: false },
  cert: { type: 'string' },
  key: { type: 'string' },
  'cert-dir': { type: 'string' },
  quirks: { type: 'string' },
  'disable-methods': { type: 'string' },
  'connection-requests': { type: 'boolean', default: false },
  udp: { type: 'boolean', default: false },
  stun: { type: 'string' },
  'stun-interval': { type: 'string', default: '30' },
  'fault-every': { type: 'string' },
  'fault-fraction': { type: 'string' },
  'fault-seed': { type: 'string' },
  'fault-spv': { type: 'string' },
  'fault-download': { type: 'boolean', default: false },
  'no-bootstrap': { type: 'boolean', default: false },
  traffic: { type: 'boolean', default: false },
  'bad-lines': { type: 'string' },
  'utc-offset': { type: 'string' },
  'bulk-data': { type: 'boolean', default: false },
  'clock-speed': { type: 'string', default: '1' },
  quiet: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

function positive(name: string, raw: string | undefined, allowZero = false): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) throw new Error(`--${name} ${raw}: expected a positive number`);
  return n;
}

/** "--stun HOST:PORT" (IPv6 in brackets). */
function parseStun(raw: string | undefined, udp: boolean, intervalS: number): { host: string; port: number; keepAliveMs: number } | undefined {
  if (raw === undefined) return undefined;
  if (!udp) throw new Error('--stun needs --udp: STUN Binding Requests go out from the UDP connection-request port');
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(raw) ?? /^([^:]+):(\d+)$/.exec(raw);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port > 0 && port < 65536)) throw new Error(`--stun ${raw}: expected HOST:PORT`);
  return { host: m[1], port, keepAliveMs: intervalS * 1000 };
}

/** --traffic and its options; undefined when off. */
function trafficOf(v: { traffic: boolean; 'bad-lines'?: string; 'utc-offset'?: string }): TrafficOptions | undefined {
  if (!v.traffic) {
    if (v['bad-lines'] !== undefined || v['utc-offset'] !== undefined) throw new Error('--bad-lines and --utc-offset need --traffic');
    return undefined;
  }
  const bad = v['bad-lines'] === undefined ? undefined : positive('bad-lines', v['bad-lines'], true);
  if (bad !== undefined && bad > 1) throw new Error(`--bad-lines ${v['bad-lines']}: expected a share between 0 and 1`);
  const offset = v['utc-offset'] === undefined ? undefined : Number(v['utc-offset']);
  if (offset !== undefined && !(Number.isInteger(offset) && Math.abs(offset) <= 14 * 60)) throw new Error(`--utc-offset ${v['utc-offset']}: expected minutes between -840 and 840`);
  return { badLineShare: bad, utcOffsetMin: offset };
}

function parseMethods(list: string | undefined): string[] {
  const names = (list ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(CPE_METHODS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new Error(`--disable-methods: unknown CPE method ${unknown.join(', ')} (methods: ${CPE_METHODS.join(', ')})`);
  return names;
}

function summary(fleet: Fleet, seconds: number): string {
  const s = fleet.stats;
  const rate = (s.sessions / Math.max(seconds, 0.001)).toFixed(1);
  return `sessions ${s.sessions} (${rate}/s): completed ${s.completed}, refused ${s.refused}, failed ${s.failed}; ` +
    `rpcs ${s.rpcs}; round trip p50 ${s.rttMs(50).toFixed(2)} ms, p99 ${s.rttMs(99).toFixed(2)} ms; violations ${s.violations}` +
    (fleet.bulkData ? `; bulk data reports sent ${fleet.bulkData.stats.sent}, failed ${fleet.bulkData.stats.failed}` : '');
}

export async function runSim(argv: string[]): Promise<void> {
  const { values: v } = parseArgs({ args: argv, options, strict: true });
  if (v.help) return void console.log(simUsage);
  if (!v.acs || !v.model) throw new Error(`--acs and --model are required\n${simUsage}`);
  const quiet = v.quiet;
  const fleet = await Fleet.create({
    acsUrl: v.acs,
    model: loadModel(v.model),
    devices: positive('devices', v.devices),
    concurrency: positive('concurrency', v.concurrency),
    serialBase: v['serial-base'],
    firstIndex: positive('first-index', v['first-index'], true),
    oui: v.oui,
    productClass: v['product-class'],
    username: v.username,
    password: v.password,
    tls: fleetTlsOf({ ca: v.ca, insecure: v.insecure, cert: v.cert, key: v.key, certDir: v['cert-dir'] }),
    quirks: parseQuirks(v.quirks),
    rpcOptions: { disabledMethods: parseMethods(v['disable-methods']) },
    connectionRequests: v['connection-requests'],
    udpConnectionRequests: v.udp,
    stun: parseStun(v.stun, v.udp, positive('stun-interval', v['stun-interval'])),
    faults: faultInjectionFromFlags({ every: v['fault-every'], fraction: v['fault-fraction'], seed: v['fault-seed'], spv: v['fault-spv'], download: v['fault-download'] }),
    registered: v['no-bootstrap'],
    clock: new SimClock({ speed: positive('clock-speed', v['clock-speed']) }),
    traffic: trafficOf(v),
    bulkData: v['bulk-data'],
    report: quiet ? undefined : (key, message) => console.log(`${key}: ${message}`),
  });
  const started = Date.now();
  const stop = async (): Promise<void> => {
    console.log(summary(fleet, (Date.now() - started) / 1000));
    for (const [line, n] of fleet.stats.errors) console.log(`  ${n} x ${line}`);
    await fleet.close();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
  const progress = setInterval(() => console.log(summary(fleet, (Date.now() - started) / 1000)), 10_000);
  progress.unref();
  if (!v['no-bootstrap']) await fleet.connectAll();
  const durationMs = v.duration === undefined ? Infinity : positive('duration', v.duration) * 1000;
  if (v.storm) await fleet.storm(Number.isFinite(durationMs) ? durationMs : 2 ** 31 - 1);
  else {
    if (v.interval !== undefined) fleet.devices.forEach((d) => d.setPeriodicInterval(positive('interval', v.interval)));
    fleet.startPeriodic(300);
    await new Promise((r) => setTimeout(r, Math.min(durationMs, 2 ** 31 - 1)));
  }
  clearInterval(progress);
  await stop();
}
