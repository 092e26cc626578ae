import { strict as assert } from 'node:assert';
import path from 'node:path';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');


describe('provisioning with no engine worker running', function () {
  this.timeout(60_000);
  const started: TestAcs[] = [];
  after(async () => {
    for (const t of started.reverse()) await t.stop();
  });

  it('ends the session cleanly without its provisioning; a later session, with a worker up, does it', async () => {
    const overrides = {
      presetsDir: dirWith({ 'interval.yaml': 'channel: interval\nprovisions:\n  - [interval]\n' }),
      provisionsDir: dirWith({ 'interval.js': "declare('Device.ManagementServer.PeriodicInformInterval', null, { value: 4321 });\n" }),
      engineStepTimeoutMs: 300,
      sessionTimeoutMs: 3000,
    };
    const front = await startTestAcs('no_worker', overrides, 'cwmp');
    started.push(front);
    const fleet = await Fleet.create({ acsUrl: front.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase: 'NOW-', concurrency: 1 });
    try {
      const device = fleet.devices[0];
      const first = await device.runSession();
      assert.equal(first.result, 'completed', first.reason);
      assert.equal(first.rpcs, 0, 'nothing planned without a worker');
      const key = deviceKeyOf(device.deviceId());
      const detail = await front.acs.store.getDevice(key);
      assert.ok(detail, 'the device and its Inform are stored all the same');
      assert.ok(detail.history.some((h) => h.kind === 'provision-interrupted'), JSON.stringify(detail.history.map((h) => h.kind)));

      // A worker joins the cluster (same Redis prefix, same database): the next session provisions the device.
      started.push(await startTestAcs('no_worker', { ...overrides, redisPrefix: front.config.redisPrefix, databaseUrl: front.config.databaseUrl }, 'worker'));
      const second = await device.runSession('2 PERIODIC');
      assert.equal(second.result, 'completed', second.reason);
      assert.equal(device.model.getValue('Device.ManagementServer.PeriodicInformInterval'), '4321');
    } finally {
      await fleet.close();
    }
  });
});
