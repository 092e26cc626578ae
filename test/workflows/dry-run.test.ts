import { strict as assert } from 'node:assert';
import { dryRunWorkflow } from '../../src/workflows/dry-run';
import { WorkflowLibrary } from '../../src/workflows/library';
import { fleetOf, keyOf, SHIPPED, startBench, TR098, type Bench } from './helpers';

describe('workflows: dry run against a device as the store knows it', function () {
  this.timeout(60_000);
  let b: Bench;
  const library = new WorkflowLibrary(SHIPPED);
  before(async () => {
    b = await startBench('wf_dry');
  });
  after(async () => b?.close());

  it('renders each step for the device\'s data model, creates nothing, and says how it would end', async () => {
    const fleet = await fleetOf(b, TR098, 1, 'WFDRY-');
    const key = keyOf(fleet.devices[0]);
    const version = fleet.devices[0].model.getValue('InternetGatewayDevice.DeviceInfo.SoftwareVersion');
    const ok = await dryRunWorkflow(library.get('firmware-upgrade'), b.t.acs.store, key, { url: 'http://fw/x.bin', version, fileSize: 0, rollbackUrl: '' });
    assert.deepEqual(ok.map((l) => l.step), ['previous', 'download', 'transfer', 'transferResult', 'boot', 'verify', 'done', '']);
    assert.match(ok[1].text, /^task \{"name":"download","fileType":"1 Firmware Upgrade Image","url":"http:\/\/fw\/x\.bin","fileSize":0\}/);
    assert.equal(ok[5].text, 'case 1 holds: goto done');
    assert.equal(ok[7].text, 'done');
    const wrong = await dryRunWorkflow(library.get('firmware-upgrade'), b.t.acs.store, key, { url: 'http://fw/x.bin', version: '0.0.1', fileSize: 0, rollbackUrl: '' });
    assert.equal(wrong[wrong.length - 1].text, `failed (after compensate): wrong version after the upgrade: ${version} (expected 0.0.1)`);
    const ping = await dryRunWorkflow(library.get('ipping'), b.t.acs.store, key, { host: 'h', repetitions: 1, timeoutMs: 1000, dataBlockSize: 64 });
    assert.match(ping[1].text, /"InternetGatewayDevice\.IPPingDiagnostics\.Host","h"/);
    assert.equal((await b.tasks.list({ device: key, limit: 10 })).length, 0, 'no task was created');
  });
});
