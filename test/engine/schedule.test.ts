import { strict as assert } from 'node:assert';
import path from 'node:path';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { bullPrefix, STEP_QUEUE } from '../../src/engine/queue';
import { openSchedules } from '../../src/engine/schedules';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';
import { dirWith } from '../helpers/files';

const MODELS = path.resolve(__dirname, '../../../shared/samples/device-models');
const TR181 = path.join(MODELS, 'device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');


describe('scheduled presets: BullMQ job schedulers, one per cluster', function () {
  this.timeout(60_000);
  const prefix = `acs-test:sched:${Date.now()}:`;
  // Fires once a year (not during the test): the test fires it as its scheduler would.
  const presets = dirWith({ 'nightly.yaml': 'schedule: { cron: "0 0 1 1 *", duration: 24h }\nchannel: nightly\nprovisions:\n  - [nightly]\n' });
  const provisions = dirWith({ 'nightly.js': "declare('Device.ManagementServer.PeriodicInformInterval', null, { value: 777 });\n" });
  const acs: TestAcs[] = [];
  let redis: Redis;
  let queue: Queue;
  before(async () => {
    for (const suite of ['sched_a', 'sched_b']) {
      // Two processes' worth of servers (front end + worker each) on one Redis prefix and one database.
      acs.push(await startTestAcs('sched', { redisPrefix: prefix, presetsDir: presets, provisionsDir: provisions, sessionTimeoutMs: 2000, ...(suite === 'sched_b' ? { databaseUrl: acs[0].config.databaseUrl } : {}) }));
    }
    redis = new Redis(TEST_REDIS_URL);
    queue = new Queue(STEP_QUEUE, { connection: redis.duplicate({ maxRetriesPerRequest: null }), prefix: bullPrefix(prefix) });
  });
  after(async () => {
    await queue?.close();
    redis?.disconnect();
    for (const a of acs) await a.stop();
  });

  it('registers one job scheduler per scheduled preset however many workers run', async () => {
    const schedulers = await queue.getJobSchedulers();
    assert.deepEqual(schedulers.map((s) => [s.key, s.pattern, s.tz]), [['preset:nightly', '0 0 1 1 *', 'UTC']]);
  });

  it('does not run the preset before its scheduler fired, runs it after', async () => {
    const fleet = await Fleet.create({ acsUrl: acs[0].cwmpUrl, model: loadModel(TR181), devices: 2, serialBase: 'SCH-', concurrency: 2, registered: true });
    try {
      await redis.del(`${prefix}engine:schedules`);
      await fleet.connectAll('2 PERIODIC');
      for (const d of fleet.devices) assert.notEqual(d.model.getValue('Device.ManagementServer.PeriodicInformInterval'), '777');
      // What the scheduler's job does when it fires (any one worker of the cluster takes it).
      await queue.add('schedule', { preset: 'nightly', durationS: 3600 });
      await until('the window to open', async () => (await openSchedules(redis, prefix)).has('nightly'), 5000);
      await sleep(1200); // front ends re-read the open windows every second
      await fleet.connectAll('2 PERIODIC');
      for (const d of fleet.devices) assert.equal(d.model.getValue('Device.ManagementServer.PeriodicInformInterval'), '777');
    } finally {
      await fleet.close();
    }
  });

  it('removes the scheduler when the preset goes', async () => {
    const { unlinkSync } = await import('node:fs');
    unlinkSync(path.join(presets, 'nightly.yaml'));
    await until('the scheduler to go', async () => (await queue.getJobSchedulers()).length === 0, 10_000);
  });
});
