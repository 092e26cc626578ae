/**
 * Measurement script (not a test): the ACS client's throughput and CPU cost
 * with many concurrent simulated devices against a trivial local server that
 * runs in a child process, so that the CPU measured here is the client's.
 *
 *   node --expose-gc --require tsx/cjs test/unit/sim-transport/bench-client.ts [devices] [seconds]
 *
 * Each device loops over sessions: Inform (~3 KB) -> 200 InformResponse with a
 * cookie, empty POST -> 204, then the session's connection is closed. Printed
 * per connection mode: POSTs/s, client CPU per POST, RTT p50/p99, errors; then
 * memory per idle client object and the cost of the text quirks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { encode } from '../../../src/cwmp/soap/encode';
import { applyQuirks, parseQuirks, type QuirkSet } from '../../../src/sim/quirks';
import { HttpConnectionRequestListener } from '../../../src/sim/conn-request/http-listener';
import { UdpConnectionRequestListener } from '../../../src/sim/conn-request/udp-listener';
import { AcsClient, AcsEndpoint, type ConnectionMode } from '../../../src/sim/transport/acs-client';
import { INFORM } from './messages';

const SERVER = `
const http = require('http');
const reply = '<?xml version="1.0"?><soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:cwmp="urn:dslforum-org:cwmp-1-2"><soap-env:Header><cwmp:ID soap-env:mustUnderstand="1">1</cwmp:ID></soap-env:Header><soap-env:Body><cwmp:InformResponse><MaxEnvelopes>1</MaxEnvelopes></cwmp:InformResponse></soap-env:Body></soap-env:Envelope>';
const server = http.createServer((req, res) => {
  let n = 0;
  req.on('data', (c) => (n += c.length));
  req.on('end', () => {
    if (n === 0) { res.writeHead(204); res.end(); return; }
    res.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', 'Set-Cookie': 'session=' + Math.random().toString(36).slice(2) + '; Path=/' });
    res.end(reply);
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

interface Server {
  child: ChildProcess;
  port: number;
}

function startServer(): Promise<Server> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout?.once('data', (d: Buffer) => resolve({ child, port: Number(d.toString().trim()) }));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

/** utime + stime of another process, in µs (Linux /proc). */
function processCpuUs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100;
  } catch {
    return NaN;
  }
}

async function load(server: Server, mode: ConnectionMode, devices: number, seconds: number, quirks: QuirkSet, quiet = false): Promise<void> {
  const port = server.port;
  const endpoint = new AcsEndpoint(`http://127.0.0.1:${port}/acs`, { connection: mode });
  const inform = encode(INFORM);
  const rtts: number[] = [];
  const errors: Record<string, number> = {};
  let posts = 0;
  const deadline = Date.now() + seconds * 1000;
  const cpu0 = process.cpuUsage();
  const serverCpu0 = processCpuUs(server.child.pid);
  const t0 = performance.now();
  const device = async (i: number): Promise<void> => {
    const c = new AcsClient(endpoint, { username: `dev${i}`, password: 'x', quirks });
    while (Date.now() < deadline) {
      c.startSession();
      for (const body of [inform, null]) {
        const r = await c.post(body);
        posts++;
        if (r.ok) rtts.push(r.rttUs);
        else errors[r.kind] = (errors[r.kind] ?? 0) + 1;
      }
      c.endSession();
    }
  };
  await Promise.all(Array.from({ length: devices }, (_v, i) => device(i)));
  const elapsedS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const serverCpu = processCpuUs(server.child.pid) - serverCpu0;
  endpoint.close();
  if (quiet) return;
  rtts.sort((a, b) => a - b);
  const label = `${mode}${quirks.size ? ' +' + [...quirks].join('+') : ''}`;
  console.log(
    `${label.padEnd(28)} ${devices} devices: ${(posts / elapsedS).toFixed(0).padStart(6)} POST/s, ` +
      `client CPU ${((cpu.user + cpu.system) / posts).toFixed(1)} µs/POST (user ${(cpu.user / posts).toFixed(1)}), ` +
      `server CPU ${(serverCpu / posts).toFixed(0)} µs/POST, RTT p50 ${(percentile(rtts, 50) / 1000).toFixed(2)} ms p99 ${(percentile(rtts, 99) / 1000).toFixed(2)} ms, ` +
      `errors ${JSON.stringify(errors)}`,
  );
}

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

async function memory(port: number): Promise<void> {
  if (!(globalThis as { gc?: unknown }).gc) return console.log('memory: run with --expose-gc');
  const n = 20_000;
  const endpoint = new AcsEndpoint(`http://127.0.0.1:${port}/acs`);
  const quirks = parseQuirks('');
  gc();
  const before = process.memoryUsage().heapUsed;
  const clients = Array.from({ length: n }, (_v, i) => new AcsClient(endpoint, { username: `00AA11-Box-SN${i}`, password: `pw${i}`, quirks }));
  gc();
  const idle = (process.memoryUsage().heapUsed - before) / n;
  // After one session: the (emptied) cookie jar and auth state stay allocated.
  for (let i = 0; i < n; i += 500) {
    await Promise.all(clients.slice(i, i + 500).map(async (c) => {
      c.startSession();
      await c.post(null);
      c.endSession();
    }));
  }
  gc();
  const after = (process.memoryUsage().heapUsed - before) / n;
  console.log(`memory per AcsClient (heap, with its own username/password strings): new ${idle.toFixed(0)} B, after a session ${after.toFixed(0)} B (${n} clients)`);
  endpoint.close();
  const listener = new HttpConnectionRequestListener();
  const udp = new UdpConnectionRequestListener();
  gc();
  const before2 = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) {
    const onRequest = (): void => undefined;
    listener.register(`/cr/00AA11-Box-SN${i}`, { username: `cr${i}`, password: `pw${i}`, onRequest });
    udp.register(`cr${i}`, { password: `pw${i}`, onRequest });
  }
  gc();
  console.log(`memory per device registered on both connection-request listeners: ${((process.memoryUsage().heapUsed - before2) / n).toFixed(0)} B`);
  await Promise.all([listener.close(), udp.close()]);
}

function quirkCost(): void {
  const xml = encode(INFORM);
  for (const spec of ['', 'soapenv-prefix', 'mikrotik', 'thomson', 'pretty']) {
    const q = parseQuirks(spec);
    const n = 5000;
    for (let i = 0; i < 1000; i++) applyQuirks(xml, q);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) applyQuirks(xml, q);
    console.log(`applyQuirks(${spec || 'none'}) on a ${xml.length}-byte Inform: ${(((performance.now() - t0) * 1000) / n).toFixed(1)} µs`);
  }
}

async function main(): Promise<void> {
  const devices = Number(process.argv[2] ?? 1000);
  const seconds = Number(process.argv[3] ?? 8);
  const server = await startServer();
  try {
    await load(server, 'session', devices, 3, parseQuirks(''), true); // JIT warm-up
    for (const mode of ['session', 'shared', 'per-post', 'session'] as const) await load(server, mode, devices, seconds, parseQuirks(''));
    await load(server, 'session', devices, seconds, parseQuirks('gzip'));
    await load(server, 'session', devices, seconds, parseQuirks('mikrotik'));
    await memory(server.port);
    quirkCost();
  } finally {
    server.child.kill();
  }
}

void main();
