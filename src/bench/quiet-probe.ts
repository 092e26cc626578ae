import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import Redis from 'ioredis';
import { Fleet } from '../sim/fleet';
import { loadModel } from '../sim/load-model';
import { cpuSeconds } from './proc-stats';
import { DEFAULT_MODEL, freshDatabase, startAcs } from './run';

/**
 * The cost of one quiet periodic session, per process, on a private Redis:
 * `node dist/bench/quiet-probe.js [--devices N] [--duration S] [--windows W] [--redis-port P] [--profile DIR]`.
 * Registers the devices, commits one periodic Inform each, then runs the
 * closed-loop storm of (a) in W windows and prints, per quiet session: the
 * ACS's CPU and the private redis-server's CPU (least and median of the
 * windows: on a shared machine the least disturbed window says most), the
 * Redis commands (INFO commandstats) and the MariaDB statements (global Com_*
 * counters: an upper bound on a shared server). CPU per session rather than
 * sessions/s, for the same reason.
 */
const { values: v } = parseArgs({
  options: {
    devices: { type: 'string', default: '5000' },
    duration: { type: 'string', default: '15' },
    windows: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '200' },
    'redis-port': { type: 'string', default: '6391' },
    profile: { type: 'string' },
  },
});

async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const m = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (m && m[1] !== 'info') out.set(m[1], Number(m[2]));
  }
  return out;
}

/** Bytes Redis received and sent so far (INFO stats). */
async function netBytes(redis: Redis): Promise<{ in: number; out: number }> {
  const info = await redis.info('stats');
  const field = (name: string): number => Number(new RegExp(`${name}:(\\d+)`).exec(info)?.[1]);
  return { in: field('total_net_input_bytes'), out: field('total_net_output_bytes') };
}

async function sqlStatements(): Promise<number> {
  const conn = await mysql.createConnection('mysql://root@127.0.0.1:3306/');
  const [rows] = await conn.query(`SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_select','Com_insert','Com_update','Com_delete','Com_replace','Com_insert_select')`);
  await conn.end();
  return (rows as { Value: string }[]).reduce((n, r) => n + Number(r.Value), 0);
}

async function privateRedis(port: number): Promise<{ pid: number; stop: () => void }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quiet-redis-'));
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const client = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    const up = await client.connect().then(() => true, () => false);
    client.disconnect();
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  if (child.exitCode !== null) throw new Error(`redis-server on port ${port} exited (port taken?)`);
  return { pid: child.pid as number, stop: () => void child.kill('SIGTERM') };
}

interface Window {
  acs: number;
  redis: number;
  rate: number;
}

/** The storm, cut in windows each measured alone. */
async function storm(fleet: Fleet, acsPid: number, redisPid: number): Promise<{ windows: Window[]; sessions: number }> {
  const windows: Window[] = [];
  let sessions = 0;
  const count = Number(v.windows);
  for (let w = 0; w < count; w++) {
    fleet.stats.reset();
    const before = { acs: cpuSeconds(acsPid), redis: cpuSeconds(redisPid), t: performance.now() };
    await fleet.storm((Number(v.duration) * 1000) / count);
    const seconds = (performance.now() - before.t) / 1000;
    const n = fleet.stats.completed;
    sessions += n;
    windows.push({ acs: ((cpuSeconds(acsPid) - before.acs) * 1000) / n, redis: ((cpuSeconds(redisPid) - before.redis) * 1000) / n, rate: n / seconds });
    const failed = fleet.stats.failed + fleet.stats.refused;
    if (failed > 0) console.log(`window ${w}: ${failed} sessions failed`);
  }
  return { windows, sessions };
}

function spread(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  return `min ${s[0].toFixed(3)} median ${s[Math.floor(s.length / 2)].toFixed(3)}`;
}

async function probe(port: number, redisPid: number): Promise<void> {
  const redis = new Redis({ port });
  const extra = { REDIS_URL: `redis://127.0.0.1:${port}`, ...(v.profile ? { BENCH_CPU_PROF: v.profile } : {}) };
  const acs = await startAcs(await freshDatabase('mysql', `acs_quiet_probe_${port}`), 'cwmp', extra);
  const fleet = await Fleet.create({ acsUrl: `http://127.0.0.1:${acs.cwmpPort}/`, devices: Number(v.devices), model: loadModel(DEFAULT_MODEL), concurrency: Number(v.concurrency) });
  try {
    await fleet.connectAll();
    await fleet.connectAll('2 PERIODIC');
    const before = { cmds: await commandCalls(redis), sql: await sqlStatements(), net: await netBytes(redis) };
    const { windows, sessions } = await storm(fleet, acs.pid, redisPid);
    const after = { cmds: await commandCalls(redis), sql: await sqlStatements(), net: await netBytes(redis) };
    const calls = [...after.cmds].map(([name, n]) => [name, n - (before.cmds.get(name) ?? 0)] as const).filter(([, n]) => n > 0);
    const total = calls.reduce((sum, [, n]) => sum + n, 0);
    console.log(`sessions ${sessions}; per s by window ${windows.map((w) => w.rate.toFixed(0)).join(' ')}; load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`ACS CPU ms/session ${spread(windows.map((w) => w.acs))}; redis-server CPU ms/session ${spread(windows.map((w) => w.redis))}`);
    console.log(`Redis commands/session ${(total / sessions).toFixed(2)} (${calls.map(([name, n]) => `${name} ${(n / sessions).toFixed(2)}`).join(', ')})`);
    console.log(`Redis bytes/session: ${((after.net.in - before.net.in) / sessions).toFixed(0)} in, ${((after.net.out - before.net.out) / sessions).toFixed(0)} out`);
    console.log(`MariaDB statements/session (global counters, an upper bound) ${((after.sql - before.sql) / sessions).toFixed(3)}`);
  } finally {
    await fleet.close();
    await acs.stop();
    await redis.quit();
  }
}

async function main(): Promise<void> {
  const port = Number(v['redis-port']);
  const redisServer = await privateRedis(port);
  try {
    await probe(port, redisServer.pid);
  } finally {
    redisServer.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
