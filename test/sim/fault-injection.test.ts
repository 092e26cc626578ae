/**
 * Fault injection for campaigns and benchmarks: which devices of a fleet are
 * chosen (a pure function of the index), and that exactly those refuse
 * SetParameterValues and fail Downloads, through whole sessions.
 */
import { strict as assert } from 'node:assert';
import type { Download, Fault } from '../../src/cwmp/soap/types';
import { checkFaultInjection, faultInjectionFromFlags, handleRequest, injectedFaults, isFaultyDevice, type FaultInjection } from '../../src/sim/cpe';
import { Fleet } from '../../src/sim/fleet';
import { fileServer, type FileServer } from '../helpers/file-server';
import { until } from '../helpers/wait';
import { newDevice, tr098, tr181 } from '../unit/sim/helpers';
import { ScriptedAcs } from './scripted-acs';

const chosen = (injection: FaultInjection, n: number, first = 0): number[] =>
  Array.from({ length: n }, (_v, i) => first + i).filter((i) => isFaultyDevice(injection, i));

describe('sim fault injection', function () {
  this.timeout(20_000);

  it('every N chooses the indexes that are multiples of N', () => {
    assert.deepEqual(chosen({ every: 3, spv: 9002 }, 12), [0, 3, 6, 9]);
    assert.deepEqual(chosen({ every: 1, spv: 9002 }, 3), [0, 1, 2]);
  });

  it('a seeded fraction chooses about that share, the same devices for the same seed, other devices for another seed', () => {
    const a = chosen({ fraction: 0.25, seed: 7, spv: 9007 }, 4000);
    assert.ok(a.length > 850 && a.length < 1150, `${a.length} of 4000`);
    assert.deepEqual(chosen({ fraction: 0.25, seed: 7, spv: 9007 }, 4000), a);
    assert.notDeepEqual(chosen({ fraction: 0.25, seed: 8, spv: 9007 }, 4000), a);
    assert.deepEqual(chosen({ fraction: 0, spv: 9007 }, 100), []);
    assert.equal(chosen({ fraction: 1, spv: 9007 }, 100).length, 100);
  });

  it('bad injections are refused with a clear error', () => {
    assert.throws(() => checkFaultInjection({ every: 0, spv: 9002 }), /every must be an integer >= 1/);
    assert.throws(() => checkFaultInjection({ fraction: 1.5, spv: 9002 }), /fraction must be 0-1/);
    assert.throws(() => checkFaultInjection({ every: 2, spv: 9005 as 9002 }), /spv must be 9002 or 9007/);
    assert.throws(() => checkFaultInjection({ spv: 9002 }), /give every or fraction/);
    assert.throws(() => checkFaultInjection({ every: 2 }), /give spv and\/or download/);
    assert.throws(() => faultInjectionFromFlags({ every: 'x', spv: '9002' }), /--fault-every x: expected a number/);
    assert.equal(faultInjectionFromFlags({}), undefined);
    assert.deepEqual(faultInjectionFromFlags({ fraction: '0.1', seed: '3', spv: '9007', download: true }), { every: undefined, fraction: 0.1, seed: 3, spv: 9007, download: true });
  });

  it('9002: the chosen device answers SetParameterValues with a plain Internal error and changes nothing; 9007: fault 9003 with 9007 per parameter', () => {
    for (const base of [tr181(), tr098()]) {
      const device = newDevice(base);
      const name = `${device.root}ManagementServer.PeriodicInformInterval`;
      const req = { method: 'SetParameterValues' as const, ParameterList: [{ Name: name, Value: '77', type: 'xsd:unsignedInt' as const }], ParameterKey: 'k' };
      const plain = handleRequest(device, req, injectedFaults({ every: 1, spv: 9002 }, 5)).response as Fault;
      assert.equal(plain.FaultCode, 9002);
      assert.equal(plain.SetParameterValuesFault, undefined);
      const detailed = handleRequest(device, req, injectedFaults({ every: 1, spv: 9007 }, 5)).response as Fault;
      assert.equal(detailed.FaultCode, 9003);
      assert.deepEqual(detailed.SetParameterValuesFault?.map((f) => [f.ParameterName, f.FaultCode]), [[name, 9007]]);
      assert.notEqual(device.getValue(name), '77');
      assert.deepEqual(injectedFaults({ every: 2, spv: 9007 }, 5), {}, 'index 5 is not chosen by every 2');
    }
  });

  describe('a fleet with FleetOptions.faults, through sessions', () => {
    let acs: ScriptedAcs;
    let files: FileServer;
    let fleet: Fleet;
    before(async () => {
      acs = new ScriptedAcs();
      files = await fileServer({ '/cfg.bin': Buffer.from('config') });
      fleet = await Fleet.create({
        acsUrl: await acs.start(), model: tr181(), devices: 8, firstIndex: 10, serialBase: 'FI-',
        faults: { every: 3, spv: 9007, download: true },
      });
    });
    after(async () => {
      await fleet.close();
      await acs.close();
      await files.close();
    });

    it('exactly the chosen devices (index 12 and 15 of 10-17) refuse SetParameterValues and fail Downloads with 9010', async () => {
      const download: Download = {
        method: 'Download', CommandKey: 'cfg', FileType: '3 Vendor Configuration File', URL: `${files.url}/cfg.bin`,
        Username: '', Password: '', FileSize: 0, TargetFileName: '', DelaySeconds: 0, SuccessURL: '', FailureURL: '',
      };
      const serials = fleet.devices.map((d) => d.deviceId().SerialNumber);
      for (const s of serials) {
        acs.queue(s, { method: 'SetParameterValues', ParameterList: [{ Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '600', type: 'xsd:unsignedInt' }], ParameterKey: 'c1' }, download);
      }
      await fleet.connectAll();
      await until('every TransferComplete', async () => serials.every((s) => acs.messages(s, 'TransferComplete').length === 1));
      await fleet.idle();
      const refused = serials.filter((s) => acs.messages(s, 'Fault').length === 1);
      const failed = serials.filter((s) => acs.messages(s, 'TransferComplete')[0].FaultStruct.FaultCode === 9010);
      assert.deepEqual(refused, ['FI-000012', 'FI-000015']);
      assert.deepEqual(failed, refused);
      assert.deepEqual(chosen({ every: 3, spv: 9007 }, 8, 10), [12, 15], 'the test can compute the set');
      for (const s of serials.filter((x) => !refused.includes(x))) {
        assert.equal(acs.messages(s, 'SetParameterValuesResponse').length, 1, s);
        assert.equal(acs.messages(s, 'TransferComplete')[0].FaultStruct.FaultCode, 0, s);
      }
      const f = acs.messages('FI-000012', 'Fault')[0];
      assert.equal(f.FaultCode, 9003);
      assert.equal(f.SetParameterValuesFault?.[0].FaultCode, 9007);
    });
  });
});
