import { strict as assert } from 'node:assert';
import { fleetOf, keyOf, runUntil, startBench, taskDriver, TR098, TR181, type Bench } from './helpers';

describe('workflows: config-backup and config-restore (shipped) end to end with the simulator and the ACS file store', function () {
  this.timeout(60_000);
  let b: Bench;
  before(async () => {
    b = await startBench('wf_config');
  });
  after(async () => b?.close());

  for (const [label, model] of [['TR-181', TR181], ['TR-098', TR098]] as const) {
    it(`${label}: Upload "1 Vendor Configuration File" to the file store, then Download it back`, async () => {
      const fleet = await fleetOf(b, model, 1, `WFCFG${label.slice(3)}-`);
      const device = fleet.devices[0];
      const key = keyOf(device);
      const backup = await b.engine.runner.start({ device: key, workflow: 'config-backup' });
      const saved = await runUntil(b, backup.id, ['done'], taskDriver(b, fleet, device, () => backup.id), 30_000);
      const file = (saved.output.backup as { file: string }).file;
      assert.equal(file, `config-${backup.id}.cfg`);
      const stored = await b.files.store.getFile(file);
      assert.ok(stored, 'the file is in the ACS file store');
      assert.ok(stored.file.size > 0, 'with the uploaded content');
      assert.equal(stored.file.fileType, '1 Vendor Configuration File');

      const restore = await b.engine.runner.start({ device: key, workflow: 'config-restore', args: { file } });
      const restored = await runUntil(b, restore.id, ['done'], taskDriver(b, fleet, device, () => restore.id), 30_000);
      const download = restored.output.download as { args: { url: string; fileType: string } };
      assert.equal(download.args.fileType, '3 Vendor Configuration File');
      assert.equal(download.args.url, b.files.fileUrl(file));
      assert.equal((restored.output.transfer as { detail: { FaultStruct: { FaultCode: number } } }).detail.FaultStruct.FaultCode, 0);
    });
  }
});
