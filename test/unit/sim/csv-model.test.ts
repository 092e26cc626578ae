import { strict as assert } from 'node:assert';
import { readdirSync } from 'node:fs';
import { NodeFlag, createDevice, loadCsvModel, parseCsv } from '../../../src/sim/model';
import { DEVICE_MODELS, eg8145v5, loadTimes, readModelCsv, report, xx230v } from './helpers';

describe('sim/model: GenieACS CSV dumps', () => {
  describe('parseCsv', () => {
    it('reads quoted fields with commas, quotes and line breaks', () => {
      const rows = [...parseCsv('a,b,c\r\n"x, y","say ""hi""","line1\nline2"\n,,\n"",last,\n')];
      assert.deepEqual(rows, [
        ['a', 'b', 'c'],
        ['x, y', 'say "hi"', 'line1\nline2'],
        ['', '', ''],
        ['', 'last', ''],
      ]);
    });

    it('handles a last row without a line break and skips blank lines', () => {
      assert.deepEqual([...parseCsv('a,b\n\n\r\n1,2')], [['a', 'b'], ['1', '2']]);
    });
  });

  describe('XX230v (TR-181)', () => {
    it('keeps the Device. tree only, objects ending in "."', () => {
      const m = xx230v();
      assert.equal(m.rootPath, 'Device.');
      assert.equal(m.rootKind, 'tr181');
      assert.equal(m.roots.length, 1);
      assert.equal(m.size, 6400, 'the 6408 rows minus DeviceID.* and Events.*');
      assert.equal(m.parameterCount, 5420);
      assert.equal(m.name, 'XX230v');
      assert.equal(m.id('DeviceID.SerialNumber'), -1);
      assert.ok(m.isObject(m.id('Device.DeviceInfo.')));
      assert.equal(m.id('Device.DeviceInfo'), -1, 'objects are only found with their dot');
      for (let id = 0; id < m.size; id++) assert.equal(m.isObject(id), m.paths[id].endsWith('.'), m.paths[id]);
      report(`XX230v CSV: ${m.size} nodes, ${m.parameterCount} parameters, loaded in ${loadTimes.get('XX230v (CSV)')?.toFixed(0)} ms`);
    });

    it('keeps values, types and writability', () => {
      const m = xx230v();
      const id = m.id('Device.ManagementServer.PeriodicInformInterval');
      assert.equal(m.values[id], '60');
      assert.equal(m.typeOf(id), 'xsd:unsignedInt');
      assert.ok(m.flags[id] & NodeFlag.Writable);
      const up = m.id('Device.DeviceInfo.UpTime');
      assert.equal(m.flags[up] & NodeFlag.Writable, 0);
      assert.equal(m.typeOf(m.id('Device.ManagementServer.PeriodicInformEnable')), 'xsd:boolean');
    });

    it('marks tables, instances (numerically ordered) and empty writable tables', () => {
      const m = xx230v();
      const bridge = m.id('Device.Bridging.Bridge.');
      assert.ok(m.flags[bridge] & NodeFlag.Table);
      assert.ok(m.flags[m.id('Device.Bridging.Bridge.1.')] & NodeFlag.Instance);
      const rule = m.id('Device.Firewall.Chain.1.Rule.');
      assert.ok(m.flags[rule] & NodeFlag.Table, 'empty writable object = table');
      assert.deepEqual(m.children(rule), []);
      assert.equal(m.flags[m.id('Device.DeviceInfo.')] & NodeFlag.Table, 0);
      const ssids = m.children(m.id('Device.WiFi.SSID.')).map((c) => m.paths[c]);
      const numbers = ssids.map((p) => Number(p.split('.')[3]));
      assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
    });

    it('hides passwords and keeps the subtree ranges contiguous', () => {
      const m = xx230v();
      const pw = m.id('Device.ManagementServer.ConnectionRequestPassword');
      assert.ok(m.flags[pw] & NodeFlag.Hidden);
      const info = m.id('Device.DeviceInfo.');
      for (let i = info + 1; i < m.end[info]; i++) assert.ok(m.paths[i].startsWith('Device.DeviceInfo.'));
      assert.ok(!m.paths[m.end[info]]?.startsWith('Device.DeviceInfo.'));
    });
  });

  describe('EG8145V5 (TR-098)', () => {
    it('loads the InternetGatewayDevice. tree', () => {
      const m = eg8145v5();
      assert.equal(m.rootPath, 'InternetGatewayDevice.');
      assert.equal(m.rootKind, 'tr098');
      assert.equal(m.size, 3790);
      assert.equal(m.parameterCount, 3147);
      report(`EG8145V5 CSV: ${m.size} nodes, ${m.parameterCount} parameters, loaded in ${loadTimes.get('EG8145V5 (CSV)')?.toFixed(0)} ms`);
    });

    it('keeps multi-line quoted values', () => {
      const m = eg8145v5();
      const log = m.values[m.id('InternetGatewayDevice.DeviceInfo.DeviceLog')];
      assert.ok(log.includes('\n'), 'DeviceLog spans lines');
    });
  });

  it('loads every sample dump, including the 5-column BM632w one and odd type spellings', () => {
    for (const file of readdirSync(DEVICE_MODELS).filter((f) => f.endsWith('.csv'))) {
      const t0 = performance.now();
      const m = loadCsvModel(readModelCsv(file), { schemaFallback: false });
      const ms = performance.now() - t0;
      assert.ok(m.parameterCount > 500, file);
      const d = createDevice(m, { SerialNumber: 'X' });
      assert.equal(d.deviceId().SerialNumber, 'X', file);
      report(`${m.name}: ${m.parameterCount} parameters, ${m.macCount} own MACs, ${ms.toFixed(0)} ms`);
    }
    // The Nokia dump spells types "xsd:unsignedint" and "xsd:Int".
    const nokia = loadCsvModel(readModelCsv(readdirSync(DEVICE_MODELS).find((f) => f.includes('G%2D1425G'))!), { schemaFallback: false });
    for (let id = 0; id < nokia.size; id++) {
      if (!nokia.isObject(id)) assert.ok(['xsd:string', 'xsd:int', 'xsd:unsignedInt', 'xsd:unsignedLong', 'xsd:boolean', 'xsd:dateTime', 'xsd:base64'].includes(nokia.typeOf(id)));
    }
  });

  it('refuses CSV text without the needed columns or rows', () => {
    assert.throws(() => loadCsvModel(''), /empty CSV/);
    assert.throws(() => loadCsvModel('Parameter,Object,Writable,Value\n'), /"Value type"/);
    assert.throws(() => loadCsvModel('Parameter,Object,Writable,Value,Value type\nDeviceID.ID,false,false,x,xsd:string\n'), /no Device/);
  });

  it('accepts object rows written with their trailing dot', () => {
    const m = loadCsvModel('Parameter,Object,Writable,Value,Value type\nDevice.,true,false,,\nDevice.X.,true,true,,\nDevice.Y,false,true,1,xsd:int\n', {
      schemaFallback: false,
    });
    assert.deepEqual(m.paths, ['Device.', 'Device.X.', 'Device.Y']);
    assert.ok(m.flags[1] & NodeFlag.Table);
  });
});
