/**
 * Campaigns end to end: the real server (role all: CWMP, NBI, the campaign
 * engine server.ts starts), the workflow engine with the task service, and
 * simulated devices on MariaDB + Redis. A campaign's task reaches each device
 * in its next session; the session's commit finishes the task, the workflow
 * run, then the campaign's device outcome.
 *
 * Which devices refuse SetParameterValues (the simulator's fault injection,
 * RpcOptions.refuseSetParameterValues) is decided once the campaign's
 * snapshot says which stage each device is in: the snapshot is shuffled by a
 * hash of the campaign id, so a failing second stage cannot be arranged before.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Redis } from 'ioredis';
import IORedis from 'ioredis';
import { CampaignService } from '../../src/campaigns/service';
import type { CampaignDetail } from '../../src/campaigns/types';
import { DeviceFactsCache } from '../../src/cwmp/session/device-facts';
import { createLogger } from '../../src/log';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import type { BaseModel } from '../../src/sim/model';
import { TaskService } from '../../src/tasks/service';
import { startWorkflowEngine, type RunningEngine } from '../../src/workflows';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { sleep } from '../helpers/wait';

const MODELS = path.resolve(__dirname, '../../../shared/samples/device-models');
const TR181 = path.join(MODELS, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const INTERVAL = 'Device.ManagementServer.PeriodicInformInterval';

describe('campaigns end to end with simulated devices', function () {
  this.timeout(120_000);
  let t: TestAcs;
  let workflows: RunningEngine;
  let service: CampaignService;
  let model: BaseModel;
  const redis: Redis[] = [];
  const fleets: Fleet[] = [];
  const reports: string[] = [];

  before(async () => {
    t = await startTestAcs('campaign_e2e', { sessionTimeoutMs: 5000 });
    const log = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
    const connect = () => {
      const r = new IORedis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
      redis.push(r);
      return r;
    };
    const command = connect();
    const tasks = new TaskService({ store: t.acs.store, facts: new DeviceFactsCache(command, t.config.redisPrefix), log });
    workflows = await startWorkflowEngine({ redisPrefix: t.config.redisPrefix, connect, redis: command, store: t.acs.store, log, tasks, lockMs: 5000 });
    await workflows.waitUntilReady();
    service = new CampaignService({ sql: t.acs.store.sql, runner: workflows.runner });
    model = loadModel(TR181);
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await workflows?.close();
    await t?.stop();
    for (const r of redis) r.disconnect();
  });

  async function fleet(serialBase: string, devices: number, firstIndex = 0, refuse = false): Promise<Fleet> {
    const f = await Fleet.create({
      acsUrl: t.cwmpUrl, model, devices, serialBase, firstIndex, registered: firstIndex > 0 || refuse,
      rpcOptions: refuse ? { refuseSetParameterValues: 9002 } : {},
      report: (key, message) => reports.push(`${key}: ${message}`),
    });
    fleets.push(f);
    return f;
  }

  /** Sessions of every device, again and again (each one carries the tasks waiting for it), until the campaign is final. */
  async function driveUntilFinal(id: string, drivers: Fleet[]): Promise<CampaignDetail> {
    const end = Date.now() + 90_000;
    for (;;) {
      const c = (await service.get(id)) as CampaignDetail;
      if (['done', 'stopped', 'cancelled'].includes(c.status)) return c;
      if (Date.now() > end) throw new Error(`campaign still ${c.status}: ${JSON.stringify(c.progress)}\n${reports.slice(-5).join('\n')}`);
      await Promise.all(drivers.map((f) => f.connectAll()));
      await sleep(200);
    }
  }

  async function waitSnapshot(id: string): Promise<CampaignDetail> {
    const end = Date.now() + 20_000;
    for (;;) {
      const c = (await service.get(id)) as CampaignDetail;
      if (c.selected) return c;
      if (Date.now() > end) throw new Error('no snapshot taken: is the campaign engine running in the server?');
      await sleep(100);
    }
  }

  const task = { name: 'setParameterValues', parameterValues: [[INTERVAL, 777, 'xsd:unsignedInt']] };

  it('a campaign over 10 devices in two stages completes, every device done and configured', async () => {
    const devices = await fleet('CAMPOK', 10);
    await devices.connectAll();
    const c = await service.create({ name: 'ok', query: 'DeviceID.SerialNumber LIKE "CAMPOK%"', action: { task }, stages: [{ percent: 20 }, {}], ratePerMinute: 6000 });
    const done = await driveUntilFinal(c.id, [devices]);
    assert.equal(done.status, 'done', JSON.stringify(done));
    assert.deepEqual(done.progress.map((p) => [p.total, p.counts.done]), [[2, 2], [8, 8]]);
    for (const d of devices.devices) assert.equal(d.model.getValue(INTERVAL), '777');
    const runs = await workflows.runner.list({ campaign: c.id, limit: 100 });
    assert.deepEqual(runs.map((r) => r.status), new Array(10).fill('done'));
  });

  it('a campaign whose second stage fails 30 % stops itself with that reason, before its third stage', async () => {
    const base = 'CAMPKO';
    const registration = await fleet(base, 20);
    await registration.connectAll();
    const c = await service.create({
      name: 'ko', query: `DeviceID.SerialNumber LIKE "${base}%"`, action: { task },
      stages: [{ count: 4 }, { count: 10 }, {}], failureThreshold: 0.2, minSample: 10, ratePerMinute: 6000,
    });
    await waitSnapshot(c.id);
    // 3 of the 10 second-stage devices refuse SetParameterValues (fault 9002).
    const second = (await service.devices(c.id, { limit: 100 })).filter((d) => d.stage === 1).map((d) => d.device).sort();
    const refusing = new Set(second.slice(0, 3));
    const drivers: Fleet[] = [];
    for (const [i, d] of registration.devices.entries()) {
      drivers.push(await fleet(base, 1, i, refusing.has(deviceKeyOf(d.deviceId()))));
    }
    const stopped = await driveUntilFinal(c.id, drivers);
    assert.equal(stopped.status, 'stopped', JSON.stringify(stopped.progress));
    assert.match(stopped.reason ?? '', /^stage 2 of 3: 3 of 1\d finished devices failed \(30 % >= 20 %\)$/);
    assert.equal(stopped.progress[0].counts.done, 4);
    assert.equal(stopped.progress[2].counts.pending, 6, 'the third stage never started');
    const failed = await service.devices(c.id, { status: 'failed' });
    assert.deepEqual(failed.map((d) => d.device).sort(), [...refusing].sort());
    assert.ok(failed.every((d) => d.reason !== null && /9002/.test(d.reason)), JSON.stringify(failed));
  });
});
