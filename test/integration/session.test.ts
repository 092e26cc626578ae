import { strict as assert } from 'node:assert';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { inform, param, ScriptedCpe } from '../helpers/cpe';
import { startTestAcs, type TestAcs } from '../helpers/acs';

const keyOf = (serial: string): string => deviceKeyOf(inform(serial, []).DeviceId);


for (const db of ['mysql', 'sqlite'] as const) {
  describe(`CWMP session over HTTP (${db})`, function () {
    let t: TestAcs;
    const getJson = async (path: string): Promise<{ status: number; body: any }> => {
      const res = await t.nbi(path);
      return { status: res.status, body: await res.json() };
    };
    before(async () => {
      t = await startTestAcs(`session_${db}`, db === 'sqlite' ? { databaseUrl: 'sqlite::memory:' } : {});
    });
    after(async () => t?.stop());

    it('registers a device on first Inform and ends with 204 after the empty POST', async () => {
      const cpe = new ScriptedCpe(t.cwmpUrl);
      const ex = await cpe.post(inform('SN-FIRST', ['0 BOOTSTRAP', '1 BOOT']), { ID: 'inform-1' });
      assert.equal(ex.status, 200);
      assert.equal(ex.envelope?.body.method, 'InformResponse');
      assert.equal(ex.envelope?.header.ID, 'inform-1', 'the ACS MUST echo cwmp:ID');
      assert.deepEqual(ex.envelope?.body, { method: 'InformResponse', MaxEnvelopes: 1 });
      assert.match(String(ex.headers['set-cookie']), /session=/);
      const end = await cpe.post(null);
      assert.equal(end.status, 204);
      assert.equal(end.text, '');
      cpe.close();
      const { status, body } = await getJson(`/devices/${encodeURIComponent(keyOf('SN-FIRST'))}`);
      assert.equal(status, 200);
      assert.equal(body.serialNumber, 'SN-FIRST');
      assert.equal(body.softwareVersion, '1.0.0');
      const sw = body.parameters.find((p: any) => p.path === 'Device.DeviceInfo.SoftwareVersion');
      assert.equal(sw.value, '1.0.0');
      assert.equal(sw.type, 'xsd:string');
      const list = await getJson(`/devices`);
      assert.ok(list.body.some((d: any) => d.deviceKey === keyOf('SN-FIRST')));
    });

    it('sends queued requests one by one and stores their results', async () => {
      const key = keyOf('SN-QUEUE');
      const requests: CpeRequest[] = [
        { method: 'GetParameterNames', ParameterPath: 'Device.WiFi.', NextLevel: false },
        { method: 'GetParameterValues', ParameterNames: ['Device.WiFi.SSID.1.SSID'] },
        {
          method: 'SetParameterValues',
          ParameterList: [param('Device.WiFi.SSID.1.SSID', 'HomeNet')],
          ParameterKey: 'k1',
        },
        { method: 'AddObject', ObjectName: 'Device.WiFi.SSID.', ParameterKey: 'k2' },
        { method: 'GetParameterAttributes', ParameterNames: ['Device.WiFi.SSID.1.SSID'] },
      ];
      for (const r of requests) await t.acs.store.enqueueRequest(key, r);
      const cpe = new ScriptedCpe(t.cwmpUrl);
      await cpe.post(inform('SN-QUEUE', ['2 PERIODIC']));
      let ex = await cpe.post(null);
      assert.equal(ex.envelope?.body.method, 'GetParameterNames');
      ex = await cpe.reply(ex, {
        method: 'GetParameterNamesResponse',
        ParameterList: [
          { Name: 'Device.WiFi.', Writable: false },
          { Name: 'Device.WiFi.SSID.', Writable: true },
          { Name: 'Device.WiFi.SSID.1.', Writable: true },
          { Name: 'Device.WiFi.SSID.1.SSID', Writable: true },
        ],
      });
      assert.equal(ex.envelope?.body.method, 'GetParameterValues');
      ex = await cpe.reply(ex, { method: 'GetParameterValuesResponse', ParameterList: [param('Device.WiFi.SSID.1.SSID', 'Old')] });
      assert.deepEqual(ex.envelope?.body, requests[2]);
      ex = await cpe.reply(ex, { method: 'SetParameterValuesResponse', Status: 0 });
      assert.equal(ex.envelope?.body.method, 'AddObject');
      ex = await cpe.reply(ex, { method: 'AddObjectResponse', InstanceNumber: 2, Status: 0 });
      assert.equal(ex.envelope?.body.method, 'GetParameterAttributes');
      ex = await cpe.reply(ex, {
        method: 'GetParameterAttributesResponse',
        ParameterList: [{ Name: 'Device.WiFi.SSID.1.SSID', Notification: 2, AccessList: ['Subscriber'] }],
      });
      assert.equal(ex.status, 204);
      cpe.close();
      const params = await t.acs.store.getParameters(key, 'Device.WiFi.');
      const ssid = params.find((p) => p.path === 'Device.WiFi.SSID.1.SSID');
      assert.equal(ssid?.value, 'HomeNet', 'an accepted SetParameterValues updates the cache');
      assert.equal(ssid?.writable, true);
      assert.equal(ssid?.notification, 2);
      assert.deepEqual(ssid?.accessList, ['Subscriber']);
      assert.equal(params.find((p) => p.path === 'Device.WiFi.SSID.2.')?.kind, 'instance');
      assert.deepEqual(await t.acs.store.pendingRequests(key), []);
    });

    it('records a CPE fault with its code, string and request, and drops the request', async () => {
      const key = keyOf('SN-FAULT');
      const spv: CpeRequest = {
        method: 'SetParameterValues',
        ParameterList: [param('Device.DeviceInfo.SoftwareVersion', 'x')],
        ParameterKey: '',
      };
      await t.acs.store.enqueueRequest(key, spv);
      await t.acs.store.enqueueRequest(key, { method: 'Reboot', CommandKey: 'rb1' });
      const cpe = new ScriptedCpe(t.cwmpUrl);
      await cpe.post(inform('SN-FAULT', ['2 PERIODIC']));
      let ex = await cpe.post(null);
      ex = await cpe.reply(ex, {
        method: 'Fault',
        faultcode: 'Client',
        FaultCode: 9003,
        FaultString: 'Invalid arguments',
        SetParameterValuesFault: [{ ParameterName: 'Device.DeviceInfo.SoftwareVersion', FaultCode: 9008, FaultString: 'read-only' }],
      });
      assert.deepEqual(ex.envelope?.body, { method: 'Reboot', CommandKey: 'rb1' }, 'the next request follows a fault');
      ex = await cpe.reply(ex, { method: 'RebootResponse' });
      assert.equal(ex.status, 204);
      cpe.close();
      const device = await t.acs.store.getDevice(key);
      assert.equal(device?.faults.length, 1);
      assert.equal(device?.faults[0].code, 9003);
      assert.equal(device?.faults[0].message, 'Invalid arguments');
      assert.deepEqual(device?.faults[0].request, spv);
      assert.equal(device?.faults[0].detail?.[0].FaultCode, 9008);
      assert.deepEqual(await t.acs.store.pendingRequests(key), []);
    });

    it('answers and records the requests a CPE sends before its empty POST', async () => {
      const cpe = new ScriptedCpe(t.cwmpUrl);
      await cpe.post(inform('SN-CPEREQ', ['7 TRANSFER COMPLETE', 'M Download']));
      const fault = { FaultCode: 0, FaultString: '' };
      const tc = await cpe.post({ method: 'TransferComplete', CommandKey: 'fw1', FaultStruct: fault, StartTime: '2026-11-25T12:00:00Z', CompleteTime: '2026-11-25T12:01:00Z' });
      assert.equal(tc.envelope?.body.method, 'TransferCompleteResponse');
      const rpc = await cpe.post({ method: 'GetRPCMethods' });
      assert.equal(rpc.envelope?.body.method, 'GetRPCMethodsResponse');
      assert.ok((rpc.envelope?.body as any).MethodList.includes('TransferComplete'));
      const rd = await cpe.post({ method: 'RequestDownload', FileType: '1 Firmware Upgrade Image', FileTypeArg: [] });
      assert.equal(rd.envelope?.body.method, 'RequestDownloadResponse');
      const kicked = await cpe.post({ method: 'Kicked', Command: 'c', Referer: 'r', Arg: 'a', Next: 'http://next/' });
      assert.deepEqual(kicked.envelope?.body, { method: 'KickedResponse', NextURL: 'http://next/' });
      const atc = await cpe.post({
        method: 'AutonomousTransferComplete', AnnounceURL: '', TransferURL: 'http://f/x', IsDownload: true,
        FileType: '1 Firmware Upgrade Image', FileSize: 10, TargetFileName: 'x', FaultStruct: fault,
        StartTime: '2026-11-25T12:00:00Z', CompleteTime: '2026-11-25T12:01:00Z',
      });
      assert.equal(atc.envelope?.body.method, 'AutonomousTransferCompleteResponse');
      assert.equal((await cpe.post(null)).status, 204);
      cpe.close();
      const device = await t.acs.store.getDevice(keyOf('SN-CPEREQ'));
      const kinds = device?.history.map((h) => h.kind) ?? [];
      for (const k of ['inform', 'TransferComplete', 'RequestDownload', 'Kicked', 'AutonomousTransferComplete']) {
        assert.ok(kinds.includes(k), `history has ${k}: ${kinds.join(',')}`);
      }
      const tcEntry = device?.history.find((h) => h.kind === 'TransferComplete');
      assert.equal((tcEntry?.detail as any).CommandKey, 'fw1');
    });
  });
}
