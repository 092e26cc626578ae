/**
 * `acs start --processes 2` as an operator runs it (spawned from dist/: run
 * `npm run build` first): two front ends sharing the CWMP port, a worker and
 * the REST API process, on MariaDB (a database of its own) and the test Redis
 * (a prefix of its own), driven by the simulator; a killed child comes back,
 * SIGTERM stops them all. Bad flags and SQLite are refused with one line.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { loadConfig } from '../../src/config/load';
import { spawnAcs, type AcsProcess } from '../../src/infra/acs-process';
import { createLogger } from '../../src/log';
import { childrenRedis } from '../../src/roles/cluster';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { databaseUrlFor, TEST_REDIS_URL } from '../helpers/acs';
import { dirWith } from '../helpers/cluster';
import { dropMysqlDatabase } from '../helpers/db';
import { freePort } from '../helpers/private-services';
import { environOf, SCHED_IDLE, SCHED_OTHER, threadPolicies } from '../helpers/proc';
import { parseSamples, sample } from '../metrics/scrape';
import { until } from '../helpers/wait';

const BIN = path.resolve(__dirname, '../../bin/acs.js');
const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const DEVICES = 12;
/** Every BOOTSTRAP runs the provision: one value set through an engine worker. */
const PRESETS = { 'interval.yaml': 'events: ["0 BOOTSTRAP"]\nprovisions:\n  - [interval]\n' };
const PROVISIONS = { 'interval.js': "declare('Device.ManagementServer.PeriodicInformInterval', { value: 1 }, { value: 1234 });\n" };

interface Child {
  role: string;
  pid: number;
  metricsPort: number | null;
}

interface LogLine {
  msg: string;
  pid: number;
  role?: string;
  [key: string]: unknown;
}

const lines = (acs: AcsProcess): LogLine[] => acs.output.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `count` consecutive TCP ports nothing listens on now (METRICS_PORT + i for child i). */
async function freePorts(count: number): Promise<number> {
  for (;;) {
    const base = await freePort();
    const free = await Promise.all(Array.from({ length: count }, (_, i) => canListen(base + i)));
    if (free.every(Boolean)) return base;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}

/** Sessions a front end counted, from its own /metrics (METRICS_AUTH=none). */
async function sessionsOf(child: Child): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${child.metricsPort}/metrics`)).text();
  const samples = parseSamples(text);
  return [...samples.keys()].filter((k) => k.startsWith('acs_sessions_total{')).reduce((n, k) => n + sample(samples, k), 0);
}

describe('acs start --processes', function () {
  this.timeout(180_000);
  const databaseUrl = databaseUrlFor('roles_processes');
  let acs: AcsProcess;
  let children: Child[];
  let fleet: Fleet;
  const everyPid = new Set<number>();

  before(async () => {
    await dropMysqlDatabase(databaseUrl);
    const env = {
      PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `acs-test:processes:${process.pid}:`,
      PRESETS_DIR: dirWith(PRESETS), PROVISIONS_DIR: dirWith(PROVISIONS), VIRTUAL_PARAMETERS_DIR: dirWith({}), EXT_DIR: dirWith({}),
      CWMP_HOST: '127.0.0.1', CWMP_PORT: '0', NBI_HOST: '127.0.0.1', NBI_PORT: '0', FS_PORT: '0', STUN_PORT: '0',
      METRICS_PORT: String(await freePorts(5)), METRICS_HOST: '127.0.0.1', METRICS_AUTH: 'none', LOG_LEVEL: 'info',
    };
    acs = await spawnAcs(['start', '--processes', '2', '--workers', '1'], env, dirWith({}));
    children = (lines(acs).find((l) => l.msg === 'acs started')?.processes ?? []) as Child[];
    for (const c of children) everyPid.add(c.pid);
    fleet = await Fleet.create({ acsUrl: `http://127.0.0.1:${acs.cwmpPort}/`, model: loadModel(TR181), devices: DEVICES, serialBase: 'PRC', concurrency: DEVICES });
  });
  after(async () => {
    await fleet?.close();
    if (acs) await acs.stop();
  });

  it('announces two front ends, one worker, the REST API and the webhooks, each a process of its own whose lines carry its role', () => {
    assert.deepEqual(children.map((c) => c.role), ['cwmp', 'cwmp', 'worker', 'nbi', 'webhooks']);
    assert.equal(new Set(children.map((c) => c.pid)).size, 5);
    assert.ok(!children.some((c) => c.pid === acs.pid), 'the primary serves nothing itself');
    assert.ok(children.every((c) => alive(c.pid)));
    assert.ok(acs.cwmpPort && acs.nbiPort, `ports: ${acs.cwmpPort}, ${acs.nbiPort}`);
    for (const c of children) {
      const own = lines(acs).filter((l) => l.pid === c.pid);
      assert.ok(own.some((l) => l.msg === 'process started'), `${c.role} ${c.pid} logged its start`);
      assert.ok(own.every((l) => l.role === c.role), `every line of ${c.pid} names role ${c.role}`);
    }
    assert.deepEqual(children.map((c) => c.metricsPort !== null), [true, true, true, true, true], 'each child its own METRICS_PORT + i');
  });

  it('delivers the webhooks in the webhooks process alone, at the idle CPU policy: the front ends and the worker keep the normal one', async () => {
    const hooks = children.find((c) => c.role === 'webhooks') as Child;
    await until('the policy applied', async () => lines(acs).some((l) => l.pid === hooks.pid && /idle CPU policy/.test(l.msg)));
    assert.deepEqual([...new Set(threadPolicies(hooks.pid))], [SCHED_IDLE]);
    for (const c of children.filter((c) => c.role !== 'webhooks')) assert.deepEqual([...new Set(threadPolicies(c.pid))], [SCHED_OTHER], `${c.role} ${c.pid}`);
    const worker = children.find((c) => c.role === 'worker') as Child;
    assert.equal(environOf(worker.pid).WORKER_DELIVERS_WEBHOOKS, 'false', 'the worker leaves the deliveries to it');
  });

  it('serves sessions on both front ends and provisions every device through the worker', async () => {
    await fleet.connectAll();
    assert.equal(fleet.stats.failed, 0);
    const unprovisioned = fleet.devices.filter((d) => d.model.getValue('Device.ManagementServer.PeriodicInformInterval') !== '1234');
    assert.equal(unprovisioned.length, 0, `${unprovisioned.length} of ${DEVICES} devices not provisioned`);
    const fronts = children.filter((c) => c.role === 'cwmp');
    const counts = await Promise.all(fronts.map(sessionsOf));
    assert.ok(counts.every((n) => n > 0), `sessions per front end: ${counts.join(', ')}`);
    assert.equal(counts.reduce((a, b) => a + b, 0), DEVICES);
  });

  it('restarts a killed front end (logged) and keeps serving', async () => {
    const victim = children[0];
    process.kill(victim.pid, 'SIGKILL');
    await until('the primary restarts it', async () => lines(acs).some((l) => l.msg === 'process exited: restarting it' && l.childPid === victim.pid && l.signal === 'SIGKILL'));
    await until('the new front end started', async () => lines(acs).some((l) => l.msg === 'process started' && l.role === 'cwmp' && !everyPid.has(l.pid)));
    const fresh = lines(acs).find((l) => l.msg === 'process started' && l.role === 'cwmp' && !everyPid.has(l.pid)) as LogLine;
    everyPid.add(fresh.pid);
    assert.ok(!alive(victim.pid));
    fleet.stats.reset();
    await fleet.connectAll('2 PERIODIC');
    assert.equal(fleet.stats.failed + fleet.stats.refused, 0);
    assert.equal(fleet.stats.completed, DEVICES);
    const restarted = { role: 'cwmp', pid: fresh.pid, metricsPort: victim.metricsPort };
    assert.ok((await sessionsOf(restarted)) > 0, 'the new front end serves sessions (on the killed one\'s metrics port)');
  });

  it('stops every process on SIGTERM: exit status 0, no child left behind', async () => {
    await fleet.close();
    assert.equal(await acs.stop(), 0);
    const left = [...everyPid].filter(alive);
    assert.deepEqual(left, [], 'no child process left');
    assert.ok(lines(acs).some((l) => l.pid === acs.pid && l.msg === 'every process stopped'), 'the primary waited for its children');
    for (const pid of everyPid) {
      if (pid === children[0].pid) continue; // killed by the test
      assert.ok(lines(acs).some((l) => l.pid === pid && l.msg === 'stopping'), `child ${pid} stopped on the signal`);
    }
  });
});

describe('acs start --processes: its primary killed', function () {
  this.timeout(120_000);

  it('leaves no child behind: they exit once their primary is gone', async () => {
    const databaseUrl = databaseUrlFor('roles_processes_orphans');
    await dropMysqlDatabase(databaseUrl);
    const env = {
      PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `acs-test:processes-orphans:${process.pid}:`,
      PRESETS_DIR: dirWith({}), PROVISIONS_DIR: dirWith({}), CWMP_HOST: '127.0.0.1', CWMP_PORT: '0', NBI_HOST: '127.0.0.1', NBI_PORT: '0', FS_PORT: '0', STUN_PORT: '0',
    };
    const acs = await spawnAcs(['start', '--processes', '1', '--workers', '0'], env, dirWith({}));
    const children = (lines(acs).find((l) => l.msg === 'acs started')?.processes ?? []) as Child[];
    assert.deepEqual(children.map((c) => c.role), ['cwmp', 'nbi']);
    acs.child.kill('SIGKILL');
    await until('every child exited', async () => !children.some((c) => alive(c.pid)));
  });
});

describe('acs start --processes: refused input', function () {
  this.timeout(60_000);

  /** `acs start ARGS` with a MariaDB database unless `env` says otherwise; its exit status and output. */
  function run(args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'acs-processes-'));
    const base = { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrlFor('roles_processes_refused'), REDIS_URL: TEST_REDIS_URL, CWMP_PORT: '0', NBI_PORT: '0', FS_PORT: '0', STUN_PORT: '0' };
    const r = spawnSync(process.execPath, ['--no-node-snapshot', BIN, 'start', ...args], { cwd, env: { ...base, ...env }, encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, output: r.stdout + r.stderr };
  }

  for (const [args, message] of [
    [['--processes', '0'], /^acs: --processes 0: expected a whole number from 1 to 256, or auto$/m],
    [['--processes', 'abc'], /^acs: --processes abc: expected a whole number from 1 to 256, or auto$/m],
    [['--processes'], /^acs: start: Option '--processes <value>' argument missing/m],
    [['--workers', '2'], /^acs: --workers needs --processes/m],
    [['--processes', '2', '--role', 'nbi'], /^acs: --processes with --role nbi: only roles all, cwmp and worker/m],
    [['--processes', '2', '--bogus'], /^acs: start: Unknown option '--bogus'/m],
  ] as const) {
    it(`acs start ${args.join(' ')}: one line, exit status 1, nothing started`, () => {
      const r = run([...args]);
      assert.equal(r.status, 1, r.output);
      assert.match(r.output, message);
      assert.doesNotMatch(r.output, /process started|acs started/);
    });
  }

  it('exits 1 when a child fails its start-up (here the database never answers), leaving no child behind', async () => {
    const r = run(['--processes', '2'], { DATABASE_URL: `mysql://root@127.0.0.1:${await freePort()}/acs_nowhere`, STARTUP_RETRY_MS: '500' });
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /^acs: a (cwmp|worker|nbi|webhooks) process exited during start-up \(code 1\); its log lines above say why$/m);
    const pids = [...r.output.matchAll(/"pid":(\d+)/g)].map((m) => Number(m[1]));
    assert.ok(pids.length > 0 && !pids.some(alive), 'no child left');
  });

  it('refuses SQLite: it is one process\'s embedded database', () => {
    const r = run(['--processes', '2'], { DATABASE_URL: 'sqlite:./data/acs.sqlite' });
    assert.equal(r.status, 1, r.output);
    assert.match(r.output, /^acs: --processes needs a MySQL\/MariaDB database shared by the processes: DATABASE_URL=sqlite:\.\/data\/acs\.sqlite is SQLite/m);
    assert.doesNotMatch(r.output, /process started/);
  });
});

describe('acs start --processes: the private redis-server', function () {
  this.timeout(30_000);

  it('is started once by the primary when REDIS_URL is unset and nothing answers, and given to the children as their REDIS_URL', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'acs-processes-redis-'));
    // REDIS_URL unset, its default replaced by a port where nothing listens (this machine runs a Redis on the real default).
    const config = loadConfig({}, { redisUrl: `redis://127.0.0.1:${await freePort()}`, dataDir, startupRetryMs: 1000 });
    const signal = new AbortController().signal;
    const redis = await childrenRedis(config, 'all', { redisUrlIsDefault: true, signal }, createLogger('silent'));
    const socket = redis.env.REDIS_URL;
    assert.equal(socket, path.join(dataDir, 'redis.sock'));
    const child = new Redis(socket);
    try {
      assert.equal(await child.ping(), 'PONG', 'a child reaches it at its REDIS_URL');
    } finally {
      child.disconnect();
      await redis.handle?.close();
    }
    const after = new Redis(socket, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    after.on('error', () => undefined); // the refusal below is the point
    await assert.rejects(after.connect(), 'stopped with the primary');
    after.disconnect();
  });

  it('is not started when REDIS_URL was set, for a split role, or when the default Redis answers: the children use REDIS_URL as given', async () => {
    const config = loadConfig({}, { redisUrl: TEST_REDIS_URL });
    const signal = new AbortController().signal;
    for (const [role, redisUrlIsDefault] of [['all', false], ['cwmp', true], ['all', true]] as const) {
      const redis = await childrenRedis(config, role, { redisUrlIsDefault, signal }, createLogger('silent'));
      assert.deepEqual(redis.env, {});
      assert.equal(redis.handle, null);
    }
  });
});
