import { strict as assert } from 'node:assert';
import { fileServer, type FileServer } from '../helpers/file-server';
import { fleetOf, keyOf, runUntil, startBench, taskDriver, TR181, type Bench } from './helpers';

describe('workflows: firmware-upgrade (shipped) end to end with the simulator', function () {
  this.timeout(60_000);
  let b: Bench;
  let files: FileServer;
  before(async () => {
    b = await startBench('wf_firmware');
    const image = Buffer.alloc(2048, 7);
    files = await fileServer({ '/fw-9.9.1.bin': image, '/fw-corrupt-9.9.2.bin': image, '/fw-noinstall-9.9.3.bin': image, '/fw-old.bin': image });
  });
  after(async () => {
    await b?.close();
    await files?.close();
  });

  async function upgrade(serial: string, args: Record<string, unknown>, statuses: string[], fleetExtra = {}) {
    const fleet = await fleetOf(b, TR181, 1, serial, fleetExtra);
    const device = fleet.devices[0];
    const before = device.model.getValue('Device.DeviceInfo.SoftwareVersion');
    const run = await b.engine.runner.start({ device: keyOf(device), workflow: 'firmware-upgrade', args });
    // No connection requests in this fleet: a session picks each task up, the device informs again by itself after the transfer.
    const end = await runUntil(b, run.id, statuses, taskDriver(b, fleet, device, () => run.id), 30_000);
    await fleet.idle();
    return { end, device, before };
  }

  it('Download → TransferComplete → BOOT with the new SoftwareVersion → done', async () => {
    const { end, device, before } = await upgrade('WFFW-OK-', { url: `${files.url}/fw-9.9.1.bin`, version: '9.9.1', fileSize: 2048 }, ['done']);
    assert.equal(device.model.getValue('Device.DeviceInfo.SoftwareVersion'), '9.9.1');
    assert.deepEqual(end.output.previous, { version: before });
    assert.deepEqual(end.output.done, { version: '9.9.1' });
    assert.equal((end.output.transfer as { detail: { FaultStruct: { FaultCode: number } } }).detail.FaultStruct.FaultCode, 0);
    assert.equal(end.reason, null);
  });

  it('a corrupt image (TransferComplete fault 9018) fails the run with the fault as reason', async () => {
    const { end } = await upgrade('WFFW-9018-', { url: `${files.url}/fw-corrupt-9.9.2.bin`, version: '9.9.2' }, ['failed']);
    assert.match(end.reason ?? '', /download failed: fault 9018/);
    assert.equal(end.output.rollback, undefined, 'no rollbackUrl: no rollback');
  });

  it('a download failure (fault 9010) fails the run with the fault as reason', async () => {
    const { end } = await upgrade('WFFW-9010-', { url: `${files.url}/fw-9.9.1.bin`, version: '9.9.1' }, ['failed'], { rpcOptions: { failDownloads: true } });
    assert.match(end.reason ?? '', /download failed: fault 9010/);
  });

  it('a device that boots with its old version fails "wrong version", and rolls back to the previous image when asked', async () => {
    const { end, before } = await upgrade('WFFW-VER-', { url: `${files.url}/fw-noinstall-9.9.3.bin`, version: '9.9.3', rollbackUrl: `${files.url}/fw-old.bin` }, ['failed']);
    assert.equal(end.reason, `wrong version after the upgrade: ${before} (expected 9.9.3)`);
    const rollback = end.output.rollback as { status: string; args: { url: string } };
    assert.equal(rollback.status, 'done');
    assert.equal(rollback.args.url, `${files.url}/fw-old.bin`);
    assert.equal((end.output.rollbackTransfer as { detail: { FaultStruct: { FaultCode: number } } }).detail.FaultStruct.FaultCode, 0);
    assert.deepEqual(end.output.noRollback, { version: before });
  });
});
