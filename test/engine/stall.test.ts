/**
 * A bad script cannot stall the fleet (issue 8 §5): with default settings,
 * while 30 devices run hostile provisions (a busy loop, a memory bomb, a
 * backtracking regular expression: ~0.35 s of the worker's thread per device
 * and session, 10 s for the 30 together, twice the front end's wait for a
 * step), 40 other devices make their first contact. Every one of their
 * sessions completes with its harmless change applied and no step goes
 * unanswered; the hostile devices end with their channels faulted and
 * backing off, and their next sessions run no hostile script.
 */
import { strict as assert } from 'node:assert';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config/load';
import type { ChannelFault } from '../../src/db/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { startAcs, type RunningAcs } from '../../src/server';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { databaseUrlFor, TEST_REDIS_URL } from '../helpers/acs';
import { dropMysqlDatabase } from '../helpers/db';
import { dirWith } from '../helpers/files';

const MODELS = path.resolve(__dirname, '../../../shared/samples/device-models');
const TR181 = path.join(MODELS, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const HARMLESS = 'Device.Time.NTPServer1';
const HOSTILE: Record<string, string> = {
  loop: 'let n = 0;\nwhile (true) n++;\n',
  bomb: 'const keep = [];\nfor (;;) keep.push(new Array(1e6).fill(1));\n',
  regex: "log(/^(a+)+$/.test('a'.repeat(40) + 'b'));\n",
};


describe('a bad script cannot stall the fleet (simulator, MariaDB, Redis, BullMQ, default settings)', function () {
  this.timeout(180_000);
  let acs: RunningAcs;
  let good: Fleet;
  let hostile: Fleet;
  const dirs: string[] = [];
  const warnings: string[] = [];

  async function faultsOf(fleet: Fleet): Promise<ChannelFault[][]> {
    return Promise.all(fleet.devices.map(async (d) => (await acs.store.getDevice(deviceKeyOf(d.deviceId())))?.channelFaults ?? []));
  }

  before(async function () {
    const presets: Record<string, string> = { 'harmless.yaml': 'channel: harmless\nprovisions:\n  - harmless\n' };
    const scripts: Record<string, string> = { 'harmless.js': `declare('${HARMLESS}', null, { value: 'ntp.harmless.example' });\n` };
    for (const [name, source] of Object.entries(HOSTILE)) {
      presets[`${name}.yaml`] = `channel: ${name}\nprecondition: DeviceID.SerialNumber LIKE "BAD%"\nprovisions:\n  - ${name}\n`;
      scripts[`${name}.js`] = source;
    }
    const presetsDir = dirWith(presets);
    const provisionsDir = dirWith(scripts);
    dirs.push(presetsDir, provisionsDir);
    const databaseUrl = databaseUrlFor('engine_stall');
    if (databaseUrl.startsWith('mysql')) await dropMysqlDatabase(databaseUrl);
    const config = loadConfig({}, {
      cwmpHost: '127.0.0.1', cwmpPort: 0, nbiPort: 0, fsPort: 0, stunPort: 0, redisUrl: TEST_REDIS_URL, redisPrefix: `acs-test:stall:${Date.now()}:`,
      logLevel: 'warn', presetsDir, provisionsDir, databaseUrl,
    });
    // The warnings the ACS logs are kept: "no engine worker answered" must not be among them.
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => { warnings.push(...chunk.toString().split('\n').filter(Boolean)); done(); } });
    acs = await startAcs(config, pino({ level: 'warn' }, sink), 'all');
    const model = loadModel(TR181);
    const url = `http://127.0.0.1:${acs.cwmpPort}/`;
    hostile = await Fleet.create({ acsUrl: url, model, devices: 30, serialBase: 'BAD', concurrency: 30 });
    good = await Fleet.create({ acsUrl: url, model, devices: 40, serialBase: 'OK', concurrency: 40 });
  });

  after(async function () {
    await good?.close();
    await hostile?.close();
    await acs?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('while the hostile devices fault, every harmless first contact completes with its change, no step unanswered', async function () {
    const bad = hostile.connectAll();
    await new Promise((r) => setTimeout(r, 50)); // the hostile steps are queued first
    await good.connectAll();
    await bad;
    assert.equal(good.stats.completed, good.devices.length, JSON.stringify([...good.stats.errors]));
    assert.equal(good.stats.failed, 0);
    const applied = good.devices.filter((d) => d.model.getValue(HARMLESS) === 'ntp.harmless.example').length;
    assert.equal(applied, good.devices.length);
    const unanswered = warnings.filter((l) => l.includes('no engine worker answered'));
    assert.deepEqual(unanswered, []);
    assert.equal(hostile.stats.completed, hostile.devices.length, 'the hostile devices\' sessions end too');
  });

  it('every hostile device has its three channels faulted, by their own fault or the shared budget, backing off', async function () {
    const all = await faultsOf(hostile);
    for (const faults of all) {
      assert.deepEqual(faults.map((f) => f.channel).sort(), ['bomb', 'loop', 'regex'], JSON.stringify(faults));
      for (const f of faults) {
        assert.ok(['script.timeout', 'script.memory', 'script.budget'].includes(f.code), JSON.stringify(f));
        assert.equal(f.retries, 1, 'each ran (or was skipped) once: no replay of a faulting step');
        assert.ok(f.nextRetry > Date.now());
      }
    }
    const codes = new Set(all.flat().map((f) => f.code));
    assert.ok(codes.has('script.budget'), `30 devices at once exceed the budget: ${[...codes].join(', ')}`);
    // (A memory bomb stopped at its time limit before it neared the memory limit is a script.timeout.)
    assert.ok(codes.has('script.memory') || codes.has('script.timeout'), 'some ran to their own fault first');
  });

  it('their next sessions run no hostile script: the faults are unchanged', async function () {
    const before = await faultsOf(hostile);
    await hostile.connectAll('6 CONNECTION REQUEST');
    assert.equal(hostile.stats.completed, 2 * hostile.devices.length);
    assert.deepEqual(await faultsOf(hostile), before);
  });
});
