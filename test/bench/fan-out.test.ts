import assert from 'node:assert/strict';
import path from 'node:path';
import { runFanOut, runFanOutFloor, type FanOutHarness, type FanOutReport } from '../../src/bench/fan-out';
import { spawnAcs, type AcsProcess } from '../../src/infra/acs-process';
import { loadModel } from '../../src/sim/load-model';
import { databaseUrlFor, emptyDir } from '../helpers/acs';
import { freshMigratedMysqlDatabase } from '../helpers/db';

const MODEL = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');

/** What run.ts gives the scenario, on this suite's own database (the ACS processes run dist/, as the bench does). */
const harness: FanOutHarness = {
  async freshDatabase() {
    const url = databaseUrlFor('bench_fanout');
    await freshMigratedMysqlDatabase(url);
    return url;
  },
  async startAcs(databaseUrl: string, role: string, extra: NodeJS.ProcessEnv): Promise<AcsProcess & { databaseUrl: string }> {
    const env = { ...process.env, DATABASE_URL: databaseUrl, CWMP_PORT: '0', NBI_PORT: '0', FS_PORT: '0', STUN_PORT: '0', PRESETS_DIR: emptyDir(), ...extra };
    return { ...(await spawnAcs(['start', '--role', role], env)), databaseUrl };
  },
};

describe('bench scenario (d): task fan-out and a self-stopping campaign, 20 devices', function () {
  this.timeout(60_000);
  let r: FanOutReport;

  before(async () => {
    r = await runFanOut(
      {
        db: 'mysql',
        model: loadModel(MODEL),
        devices: 20,
        tasks: { concurrency: 5, deadlineMs: 20_000, pollMs: 200 },
        // Every device refuses SPV: the campaign's first stage (1 device of 20) fails and must stop it.
        faults: { every: 1, spv: 9002 },
        campaign: { periodicS: 2, settleMs: 1500, deadlineMs: 20_000, pollMs: 100 },
      },
      harness,
    );
    if (process.env.BENCH_TEST_REPORT) console.log(JSON.stringify(r, null, 2));
  });

  it('finishes every task done, each brought by an accepted connection request, and reports the latency distribution', () => {
    const t = r.tasks;
    assert.deepEqual(t.statuses, { done: 20 }, t.problems.join('\n'));
    assert.deepEqual(t.crOutcomes, { ok: 20 });
    assert.deepEqual(t.httpStatuses, { '202': 20 }, 'queued: no ?timeout= was asked');
    assert.equal(t.applied, 20, 'every simulated CPE holds the value');
    assert.deepEqual(t.problems, []);
    assert.ok(t.allDoneMs !== null && t.allDoneMs > 0 && t.allDoneMs < 20_000, `all done after ${t.allDoneMs} ms`);
    assert.equal(t.fromT0.n, 20);
    assert.equal(t.fromT0.max, t.allDoneMs);
    assert.ok(t.observedAllDoneMs !== null && t.observedAllDoneMs > 0, 'the poll saw every task finished');
    assert.ok(t.fromT0.p50 <= t.fromT0.p90 && t.fromT0.p90 <= t.fromT0.p99 && t.fromT0.p99 <= t.fromT0.max);
    for (const [name, d] of Object.entries(t.phases)) {
      assert.equal(d.n, 20, `phase ${name} measured for every device`);
      assert.ok(Number.isFinite(d.p50) && d.max < 20_000, `phase ${name}: ${JSON.stringify(d)}`);
    }
  });

  it('stops the campaign in its first stage with the reason, and starts nothing after', () => {
    const c = r.campaign;
    assert.equal(c.status, 'stopped', `${c.status}: ${c.reason}`);
    assert.equal(c.stage, 1);
    assert.match(c.reason ?? '', /^stage 1 of 3: 1 of 1 finished devices failed \(100 % >= 20 %\)$/);
    assert.deepEqual(c.stageSizes, [1, 2, 17]);
    assert.equal(c.devices, 20);
    assert.equal(c.faultyDevices, 20);
    assert.ok(c.stopMs !== null && c.stopMs > 0 && c.stopMs < 20_000, `stopped after ${c.stopMs} ms`);
    assert.equal(c.atStop.failed, 1);
    assert.equal(c.atStop.pending, 19);
    assert.deepEqual(c.afterSettle, c.atStop, 'nothing started once stopped');
  });

  it('refuses a device count that is not a whole number of at least 1, before starting anything', async () => {
    const started: string[] = [];
    const counting: FanOutHarness = { ...harness, startAcs: async (...a) => (started.push(a[1]), harness.startAcs(...a)) };
    for (const devices of [NaN, 0, 2.5]) {
      await assert.rejects(runFanOut({ db: 'mysql', model: loadModel(MODEL), devices }, counting), /--fan-out-devices must be a whole number of at least 1/);
    }
    assert.deepEqual(started, []);
  });

  it('measures CPU per process and the peak RSS', () => {
    for (const part of [r.cpu.tasks, r.cpu.campaign]) {
      for (const k of ['cwmp', 'worker', 'nbi', 'sim']) assert.ok(Number.isFinite(part[k]) && part[k] >= 0, `${k}: ${part[k]}`);
    }
    assert.ok(r.rssMiB > 20 && r.rssMiB < 2048, `RSS ${r.rssMiB}`);
  });
});

describe('bench scenario (d): its floor, 20 devices', function () {
  this.timeout(60_000);

  it('runs the same fan-out against the in-memory responder: every task done by its connection request, the value on every CPE', async () => {
    const f = await runFanOutFloor({ db: 'mysql', model: loadModel(MODEL), devices: 20, tasks: { concurrency: 5, deadlineMs: 20_000, pollMs: 200 } });
    const t = f.tasks;
    assert.deepEqual(t.statuses, { done: 20 }, t.problems.join('\n'));
    assert.deepEqual(t.crOutcomes, { ok: 20 });
    assert.equal(t.applied, 20, 'every simulated CPE holds the value');
    assert.ok(t.allDoneMs !== null && t.allDoneMs > 0 && t.allDoneMs < 20_000, `all done after ${t.allDoneMs} ms`);
    assert.ok(f.cpu.floor > 0 && f.cpu.sim > 0, JSON.stringify(f.cpu));
  });

  it('acs floor refuses a port that is no port number, naming it, and exits non-zero', async () => {
    await assert.rejects(spawnAcs(['floor', '--fan-out', '--port', 'abc'], { ...process.env }), /--port must be a port number \(0 to 65535\), not "abc"/);
  });
});
