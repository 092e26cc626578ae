import { strict as assert } from 'node:assert';
import type { Download, ScheduleDownload, TimeWindowStruct, Upload } from '../../../src/cwmp/soap/types';
import { CPE_METHODS, supportedMethods } from '../../../src/sim/cpe';
import { call, fault, newDevice, ok, xx230v } from './helpers';

const UNKNOWN_TIME = '0001-01-01T00:00:00Z';

function download(over: Partial<Download> = {}): Download {
  return {
    method: 'Download',
    CommandKey: 'dl-1',
    FileType: '1 Firmware Upgrade Image',
    URL: 'http://files.example/fw.bin',
    Username: '',
    Password: '',
    FileSize: 1234,
    TargetFileName: 'fw.bin',
    DelaySeconds: 0,
    SuccessURL: '',
    FailureURL: '',
    ...over,
  };
}

function upload(over: Partial<Upload> = {}): Upload {
  return { method: 'Upload', CommandKey: 'ul-1', FileType: '2 Vendor Log File', URL: 'https://files.example/up', Username: 'u', Password: 'p', DelaySeconds: 5, ...over };
}

function window(over: Partial<TimeWindowStruct> = {}): TimeWindowStruct {
  return { WindowStart: 0, WindowEnd: 3600, WindowMode: '1 At Any Time', UserMessage: '', MaxRetries: 0, ...over };
}

function scheduleDownload(windows: TimeWindowStruct[], over: Partial<ScheduleDownload> = {}): ScheduleDownload {
  return {
    method: 'ScheduleDownload',
    CommandKey: 'sd-1',
    FileType: '1 Firmware Upgrade Image',
    URL: 'http://files.example/fw.bin',
    Username: '',
    Password: '',
    FileSize: 0,
    TargetFileName: '',
    TimeWindowList: windows,
    ...over,
  };
}

describe('sim/cpe control RPCs', () => {
  const device = () => newDevice(xx230v());

  describe('GetRPCMethods and disabled methods', () => {
    it('lists every implemented method', () => {
      const r = ok(device(), { method: 'GetRPCMethods' }, 'GetRPCMethodsResponse');
      assert.deepEqual(r.MethodList, [...CPE_METHODS]);
      assert.equal(r.MethodList.length, 18);
    });

    it('answers a disabled method with 9000 and leaves it out of GetRPCMethods', () => {
      const options = { disabledMethods: ['Upload', 'ScheduleDownload'] };
      const f = fault(device(), upload(), 9000, options);
      assert.equal(f.FaultString, 'Method not supported');
      assert.equal(f.faultcode, 'Server');
      const r = ok(device(), { method: 'GetRPCMethods' }, 'GetRPCMethodsResponse', options);
      assert.ok(!r.MethodList.includes('Upload') && !r.MethodList.includes('ScheduleDownload'));
      assert.deepEqual(supportedMethods({ disabledMethods: new Set(['GetRPCMethods']) }).length, 17);
      fault(device(), { method: 'GetRPCMethods' }, 9000, { disabledMethods: new Set(['GetRPCMethods']) });
    });

    it('answers a method it does not know with 9000', () => {
      const bogus = { method: 'SetVouchers' } as unknown as Parameters<typeof call>[1];
      fault(device(), bogus, 9000);
    });
  });

  describe('Reboot, FactoryReset, ScheduleInform', () => {
    it('Reboot answers at once and leaves a reboot effect with the CommandKey', () => {
      const d = device();
      const r = call(d, { method: 'Reboot', CommandKey: 'rb-7' });
      assert.deepEqual(r, { response: { method: 'RebootResponse' }, effects: [{ kind: 'reboot', CommandKey: 'rb-7' }] });
      fault(d, { method: 'Reboot', CommandKey: 'k'.repeat(33) }, 9003);
    });

    it('FactoryReset leaves a factoryReset effect; the model changes only when the simulator applies it', () => {
      const d = device();
      ok(d, { method: 'SetParameterValues', ParameterList: [{ Name: 'Device.WiFi.SSID.1.SSID', Value: 'x', type: 'xsd:string' }], ParameterKey: 'k' }, 'SetParameterValuesResponse');
      const r = call(d, { method: 'FactoryReset' });
      assert.deepEqual(r, { response: { method: 'FactoryResetResponse' }, effects: [{ kind: 'factoryReset' }] });
      assert.equal(d.getValue('Device.WiFi.SSID.1.SSID'), 'x', 'still in the session');
      d.reset();
      assert.notEqual(d.getValue('Device.WiFi.SSID.1.SSID'), 'x');
      assert.equal(d.getValue('Device.ManagementServer.ParameterKey'), '');
    });

    it('ScheduleInform needs DelaySeconds > 0', () => {
      const r = call(device(), { method: 'ScheduleInform', DelaySeconds: 30, CommandKey: 'si' });
      assert.deepEqual(r, { response: { method: 'ScheduleInformResponse' }, effects: [{ kind: 'scheduleInform', DelaySeconds: 30, CommandKey: 'si' }] });
      fault(device(), { method: 'ScheduleInform', DelaySeconds: 0, CommandKey: 'si' }, 9003);
    });
  });

  describe('Download and Upload', () => {
    it('Download queues the transfer: Status 1, Unknown Time, a download effect', () => {
      const d = device();
      const req = download();
      const r = call(d, req);
      assert.deepEqual(r.response, { method: 'DownloadResponse', Status: 1, StartTime: UNKNOWN_TIME, CompleteTime: UNKNOWN_TIME });
      assert.equal(r.effects.length, 1);
      const e = r.effects[0];
      assert.ok(e.kind === 'download');
      assert.equal(e.request, req);
      assert.deepEqual(d.transfers.get(e.transferId)?.State, 1);
    });

    it('Upload queues the transfer: Status 1, Unknown Time, an upload effect', () => {
      const d = device();
      const r = call(d, upload());
      assert.deepEqual(r.response, { method: 'UploadResponse', Status: 1, StartTime: UNKNOWN_TIME, CompleteTime: UNKNOWN_TIME });
      assert.equal(r.effects[0].kind, 'upload');
    });

    it('refuses bad arguments with 9003 and unsupported URL schemes with 9013', () => {
      fault(device(), download({ FileType: 'firmware' }), 9003);
      fault(device(), download({ URL: '' }), 9003);
      fault(device(), download({ URL: 'not a url' }), 9003);
      fault(device(), download({ CommandKey: 'c'.repeat(33) }), 9003);
      fault(device(), download({ URL: 'http://x/' + 'a'.repeat(260) }), 9003);
      fault(device(), download({ URL: 'tftp://files.example/fw.bin' }), 9013);
      fault(device(), upload({ URL: 'sftp://files.example/' }), 9013);
      ok(device(), download({ FileType: 'X 00D09E Vendor Thing' }), 'DownloadResponse');
      ok(device(), download({ URL: 'tftp://f/x' }), 'DownloadResponse', { transferSchemes: ['tftp'] });
    });

    it('refuses a 17th queued transfer with 9004', () => {
      const d = device();
      for (let i = 0; i < 16; i++) ok(d, download({ CommandKey: `k${i}` }), 'DownloadResponse');
      fault(d, download({ CommandKey: 'k16' }), 9004);
    });
  });

  describe('ScheduleDownload', () => {
    it('queues a transfer with 1 or 2 time windows', () => {
      const d = device();
      const r = call(d, scheduleDownload([window(), window({ WindowStart: 3600, WindowEnd: 7200, WindowMode: '2 Immediately' })]));
      assert.deepEqual(r.response, { method: 'ScheduleDownloadResponse' });
      assert.equal(r.effects[0].kind, 'scheduleDownload');
      assert.equal(d.transfers.list().length, 1);
    });

    it('faults 9003 on 0 or 3 windows, inverted or overlapping windows, unknown modes', () => {
      fault(device(), scheduleDownload([]), 9003);
      fault(device(), scheduleDownload([window(), window({ WindowStart: 4000, WindowEnd: 5000 }), window({ WindowStart: 6000, WindowEnd: 7000 })]), 9003);
      fault(device(), scheduleDownload([window({ WindowStart: 100, WindowEnd: 50 })]), 9003);
      fault(device(), scheduleDownload([window(), window({ WindowStart: 1800, WindowEnd: 7200 })]), 9003);
      fault(device(), scheduleDownload([window({ WindowMode: '5 Whenever' })]), 9003);
      fault(device(), scheduleDownload([window({ MaxRetries: -2 })]), 9003);
    });
  });

  describe('queued transfers and CancelTransfer', () => {
    it('GetQueuedTransfers and GetAllQueuedTransfers report the queue', () => {
      const d = device();
      assert.deepEqual(ok(d, { method: 'GetQueuedTransfers' }, 'GetQueuedTransfersResponse').TransferList, []);
      ok(d, download({ CommandKey: 'a', FileSize: 10, TargetFileName: 't' }), 'DownloadResponse');
      ok(d, upload({ CommandKey: 'b', FileType: '1 Vendor Configuration File' }), 'UploadResponse');
      assert.deepEqual(ok(d, { method: 'GetQueuedTransfers' }, 'GetQueuedTransfersResponse').TransferList, [
        { CommandKey: 'a', State: 1 },
        { CommandKey: 'b', State: 1 },
      ]);
      assert.deepEqual(ok(d, { method: 'GetAllQueuedTransfers' }, 'GetAllQueuedTransfersResponse').TransferList, [
        { CommandKey: 'a', State: 1, IsDownload: true, FileType: '1 Firmware Upgrade Image', FileSize: 10, TargetFileName: 't' },
        { CommandKey: 'b', State: 1, IsDownload: false, FileType: '1 Vendor Configuration File', FileSize: 0, TargetFileName: '' },
      ]);
      const id = d.transfers.list()[0].id;
      d.transfers.setState(id, 2);
      assert.equal(ok(d, { method: 'GetQueuedTransfers' }, 'GetQueuedTransfersResponse').TransferList[0].State, 2);
      d.transfers.remove(id);
      assert.equal(ok(d, { method: 'GetQueuedTransfers' }, 'GetQueuedTransfersResponse').TransferList.length, 1);
    });

    it('CancelTransfer removes not-started transfers with the CommandKey and says which', () => {
      const d = device();
      ok(d, download({ CommandKey: 'same' }), 'DownloadResponse');
      ok(d, scheduleDownload([window()], { CommandKey: 'same' }), 'ScheduleDownloadResponse');
      ok(d, download({ CommandKey: 'other' }), 'DownloadResponse');
      const ids = d.transfers.byCommandKey('same').map((t) => t.id);
      const r = call(d, { method: 'CancelTransfer', CommandKey: 'same' });
      assert.deepEqual(r, { response: { method: 'CancelTransferResponse' }, effects: [{ kind: 'cancelTransfer', CommandKey: 'same', transferIds: ids }] });
      assert.deepEqual(d.transfers.list().map((t) => t.CommandKey), ['other']);
    });

    it('CancelTransfer of a transfer in progress is 9021; of an unknown CommandKey 9003', () => {
      const d = device();
      ok(d, download({ CommandKey: 'busy' }), 'DownloadResponse');
      d.transfers.setState(d.transfers.list()[0].id, 2);
      const f = fault(d, { method: 'CancelTransfer', CommandKey: 'busy' }, 9021);
      assert.equal(f.FaultString, 'Cancelation of file transfer not permitted in current transfer state');
      assert.equal(d.transfers.list().length, 1);
      fault(d, { method: 'CancelTransfer', CommandKey: 'never' }, 9003);
    });

    it('a factory reset empties the queue', () => {
      const d = device();
      ok(d, download(), 'DownloadResponse');
      d.reset();
      assert.deepEqual(ok(d, { method: 'GetAllQueuedTransfers' }, 'GetAllQueuedTransfersResponse').TransferList, []);
    });
  });

  describe('ChangeDUState', () => {
    it('leaves a changeDUState effect', () => {
      const req = {
        method: 'ChangeDUState' as const,
        CommandKey: 'du',
        Operations: [{ op: 'Install' as const, URL: 'http://files.example/app.ipk' }, { op: 'Uninstall' as const, UUID: '6ba7b810-9dad-11d1-80b4-00c04fd430c8' }],
      };
      const r = call(device(), req);
      assert.deepEqual(r, { response: { method: 'ChangeDUStateResponse' }, effects: [{ kind: 'changeDUState', request: req }] });
    });

    it('faults 9003 without operations, an Install without URL or an Uninstall without UUID', () => {
      fault(device(), { method: 'ChangeDUState', CommandKey: '', Operations: [] }, 9003);
      fault(device(), { method: 'ChangeDUState', CommandKey: '', Operations: [{ op: 'Install', URL: '' }] }, 9003);
      fault(device(), { method: 'ChangeDUState', CommandKey: '', Operations: [{ op: 'Uninstall', UUID: '' }] }, 9003);
    });
  });
});
