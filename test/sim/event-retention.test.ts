/**
 * TR-069 §3.7.1.5: a CPE keeps an event until it is delivered. An Inform
 * delivers the events it carried when its InformResponse comes, but an
 * event raised while that Inform was on the wire was not in it and must
 * reach the next session; "7 TRANSFER COMPLETE" and its "M Download" are
 * delivered only with the TransferComplete they announce.
 */
import { strict as assert } from 'node:assert';
import type { CwmpMessage, Download, Inform, TransferComplete } from '../../src/cwmp/soap/types';
import { ev } from '../../src/sim/outbox';
import { until } from '../helpers/wait';
import { ok, tr181 } from '../unit/sim/helpers';
import { sessionRig } from './session-rig';

const UPTIME = 'Device.DeviceInfo.UpTime';
const RETRY_REQUEST: CwmpMessage = { method: 'Fault', faultcode: 'Server', FaultCode: 8005, FaultString: 'Retry request' };

describe('sim event retention: only what an Inform delivered is forgotten', function () {
  this.timeout(20_000);
  const rig = sessionRig('KEEP', { '/fw.bin': Buffer.alloc(1024, 1) });
  const acs = rig.acs;
  afterEach(() => {
    acs.intercept = null;
  });

  const codes = (i: Inform): string[] => i.Event.map((e) => (e.CommandKey ? `${e.EventCode}/${e.CommandKey}` : e.EventCode));
  const informs = (serial: string): string[][] => acs.informs(serial).map(codes);

  it('events and a value change raised while the Inform awaits its answer are in the next Inform', async () => {
    const { fleet, device, serial } = await rig.oneDevice(tr181());
    ok(device.model, { method: 'SetParameterAttributes', ParameterList: [{ Name: UPTIME, NotificationChange: true, Notification: 1, AccessListChange: false, AccessList: [] }] }, 'SetParameterAttributesResponse');
    acs.intercept = (s, m) => {
      if (s !== serial || m.method !== 'Inform' || acs.informs(serial).length > 1) return;
      fleet.connect(device, '6 CONNECTION REQUEST');
      device.addEvent('8 DIAGNOSTICS COMPLETE');
      device.addEvent('1 BOOT');
      fleet.deviceChange(device, UPTIME, '4242');
    };
    await fleet.connectAll();
    await fleet.idle();
    assert.deepEqual(informs(serial), [['0 BOOTSTRAP', '1 BOOT'], ['6 CONNECTION REQUEST', '8 DIAGNOSTICS COMPLETE', '1 BOOT', '4 VALUE CHANGE']]);
    assert.equal(acs.informs(serial)[1].ParameterList.find((p) => p.Name === UPTIME)?.Value, '4242', 'the change made during the first session');
    assert.ok(!acs.informs(serial)[0].ParameterList.some((p) => p.Name === UPTIME));
    assert.deepEqual(device.events, [], 'all delivered');
    assert.deepEqual(device.model.pendingValueChanges(), []);
  });

  it('"7 TRANSFER COMPLETE" and "M Download" stay until the TransferComplete is answered (the ACS faulted it with 8005)', async () => {
    const { fleet, device, serial } = await rig.oneDevice(tr181());
    const download: Download = {
      method: 'Download', CommandKey: 'fw-1', FileType: '3 Vendor Configuration File', URL: rig.files.url + '/fw.bin',
      Username: '', Password: '', FileSize: 1024, TargetFileName: '', DelaySeconds: 0, SuccessURL: '', FailureURL: '',
    };
    let faulted = 0;
    acs.intercept = (s, m) => (s === serial && m.method === 'TransferComplete' && faulted++ === 0 ? RETRY_REQUEST : undefined);
    acs.queue(serial, download);
    await fleet.connectAll();
    await until('the faulted TransferComplete', async () => faulted === 1);
    await fleet.idle();
    assert.deepEqual(device.events.map((e) => e.EventCode), ['7 TRANSFER COMPLETE', 'M Download'], 'kept after the fault');
    fleet.connect(device, '6 CONNECTION REQUEST');
    await fleet.idle();
    const sessions = informs(serial);
    assert.deepEqual(sessions[1], ['7 TRANSFER COMPLETE', 'M Download/fw-1']);
    assert.deepEqual(sessions[2], ['7 TRANSFER COMPLETE', 'M Download/fw-1', '6 CONNECTION REQUEST']);
    assert.equal(acs.messages(serial, 'TransferComplete').length, 2, 'sent again in the session that announced it again');
    assert.deepEqual(device.events, [], 'delivered with the answered TransferComplete');
  });

  it('a TransferComplete queued while the Inform is on the wire waits for the session whose Inform announces it', async () => {
    const { fleet, device, serial } = await rig.oneDevice(tr181());
    const now = new Date().toISOString();
    const tc: TransferComplete = { method: 'TransferComplete', CommandKey: 'late', FaultStruct: { FaultCode: 0, FaultString: '' }, StartTime: now, CompleteTime: now };
    acs.intercept = (s, m) => {
      if (s !== serial || m.method !== 'Inform' || acs.informs(serial).length > 1) return;
      device.queueRequest(tc, ev('7 TRANSFER COMPLETE'), ev('M Upload', 'late'));
      fleet.connect(device);
    };
    await fleet.connectAll();
    await fleet.idle();
    assert.deepEqual(informs(serial), [['0 BOOTSTRAP', '1 BOOT'], ['7 TRANSFER COMPLETE', 'M Upload/late']]);
    const order = acs.received.filter((x) => x.serial === serial).map((x) => x.message.method);
    assert.deepEqual(order, ['Inform', 'Inform', 'TransferComplete']);
    assert.deepEqual(device.events, []);
  });
});
