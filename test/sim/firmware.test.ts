/**
 * Firmware downloads ("1 Firmware Upgrade Image") and how they fail, through
 * whole sessions: the TransferComplete a firmware workflow reads, the BOOT
 * that follows an install, and the SoftwareVersion the device comes back with.
 */
import { strict as assert } from 'node:assert';
import type { Download, Inform } from '../../src/cwmp/soap/types';
import type { RpcOptions } from '../../src/sim/cpe';
import { until } from '../helpers/wait';
import { tr181 } from '../unit/sim/helpers';
import { sessionRig } from './session-rig';

const IMAGE = Buffer.alloc(32 * 1024, 0xfe);
const VERSION = 'Device.DeviceInfo.SoftwareVersion';

describe('sim firmware: Download of "1 Firmware Upgrade Image" and its failure modes', function () {
  this.timeout(20_000);
  const rig = sessionRig('FW', { '/fw-2.0.1.bin': IMAGE, '/fw-2.0.3-corrupt.bin': IMAGE, '/fw-2.0.4-noinstall.bin': IMAGE, '/fw-2.0.5.bin': IMAGE });
  const acs = rig.acs;

  function download(file: string): Download {
    return {
      method: 'Download', CommandKey: `fw ${file}`, FileType: '1 Firmware Upgrade Image', URL: rig.files.url + file,
      Username: '', Password: '', FileSize: IMAGE.length, TargetFileName: '', DelaySeconds: 0, SuccessURL: '', FailureURL: '',
    };
  }

  /** Sends the Download in a first session and waits for the session with its TransferComplete. */
  async function upgrade(file: string, rpcOptions: RpcOptions = {}): Promise<{ fault: number; informs: Inform[]; version: string }> {
    const { fleet, serial } = await rig.oneDevice(tr181(), rpcOptions);
    acs.queue(serial, download(file));
    await fleet.connectAll();
    await until('TransferComplete', async () => acs.messages(serial, 'TransferComplete').length === 1);
    await fleet.idle();
    const tc = acs.messages(serial, 'TransferComplete')[0];
    assert.equal(tc.CommandKey, `fw ${file}`);
    const informs = acs.informs(serial);
    const version = informs[informs.length - 1].ParameterList.find((p) => p.Name === VERSION)?.Value ?? '';
    return { fault: tc.FaultStruct.FaultCode, informs, version };
  }

  const events = (i: Inform): string[] => i.Event.map((e) => e.EventCode);

  it('installs: TransferComplete 0, the Inform carries 1 BOOT and M Download, SoftwareVersion from the file name', async () => {
    const r = await upgrade('/fw-2.0.1.bin');
    assert.equal(r.fault, 0);
    assert.deepEqual(events(r.informs[1]).sort(), ['1 BOOT', '7 TRANSFER COMPLETE', 'M Download'].sort());
    assert.equal(r.version, '2.0.1');
  });

  it('a file the server does not have: TransferComplete 9016 (unable to access file), no reboot, old version', async () => {
    const r = await upgrade('/fw-2.0.2-missing.bin');
    assert.equal(r.fault, 9016);
    assert.deepEqual(events(r.informs[1]).sort(), ['7 TRANSFER COMPLETE', 'M Download']);
    assert.equal(r.version, '1.0.0');
  });

  it('an image named "corrupt": TransferComplete 9018 (file corrupted), no reboot, old version', async () => {
    const r = await upgrade('/fw-2.0.3-corrupt.bin');
    assert.equal(r.fault, 9018);
    assert.ok(!events(r.informs[1]).includes('1 BOOT'));
    assert.equal(r.version, '1.0.0');
  });

  it('an image named "noinstall": TransferComplete 0 and 1 BOOT, but the old SoftwareVersion ("wrong version after BOOT")', async () => {
    const r = await upgrade('/fw-2.0.4-noinstall.bin');
    assert.equal(r.fault, 0);
    assert.ok(events(r.informs[1]).includes('1 BOOT'));
    assert.equal(r.version, '1.0.0');
  });

  it('a device with firmwareKeepsVersion reboots on any image and keeps its version', async () => {
    const r = await upgrade('/fw-2.0.5.bin', { firmwareKeepsVersion: true });
    assert.equal(r.fault, 0);
    assert.ok(events(r.informs[1]).includes('1 BOOT'));
    assert.equal(r.version, '1.0.0');
  });

  it('a device with failDownloads (fault injection): TransferComplete 9010 for a file that exists, no reboot', async () => {
    const r = await upgrade('/fw-2.0.5.bin', { failDownloads: true });
    assert.equal(r.fault, 9010);
    assert.ok(!events(r.informs[1]).includes('1 BOOT'));
    assert.equal(r.version, '1.0.0');
  });
});
