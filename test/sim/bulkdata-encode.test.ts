/**
 * The simulator's bulk data encoder against the collector's decoder: every
 * encoding, report format, timestamp option, separator, escape character
 * and compression round-trips to the values collected.
 */
import { strict as assert } from 'node:assert';
import zlib from 'node:zlib';
import { decodeReport, pathsFromNames } from '../../src/qoe/bulkdata';
import { collect, configureProfile, encodeReport, readProfiles, unescapeSeparator, type Collection, type ProfileConfig } from '../../src/sim/bulkdata';
import { createDevice, type DeviceModel } from '../../src/sim/model';
import { SimClock, TrafficModel } from '../../src/sim/traffic';
import type { RawValue } from '../../src/qoe/types';
import { tr181 } from '../unit/sim/helpers';

const T0 = Date.UTC(2026, 11, 5, 19, 30, 15);
const TRICKY = 'a,b;c|d"e\\f\tg h';

function device(): { model: DeviceModel; profile: (extra: Record<string, string>, encoding: 'JSON' | 'CSV') => ProfileConfig } {
  const model = createDevice(tr181(), { SerialNumber: 'ENC1' });
  const ssid = model.lookup('Device.WiFi.SSID.1.SSID');
  assert.ok(ssid !== undefined);
  model.setValue(ssid, TRICKY);
  const profile = (extra: Record<string, string>, encoding: 'JSON' | 'CSV'): ProfileConfig => {
    const path = configureProfile(model, {
      url: 'http://127.0.0.1:1/bd',
      encoding,
      intervalS: 300,
      parameters: [
        { reference: 'Device.IP.Interface.*.Stats.BytesReceived', name: 'RX' },
        { reference: 'Device.DeviceInfo.UpTime' },
        { reference: 'Device.WiFi.SSID.1.' },
        { reference: 'Device.WiFi.SSID.1.Stats.', exclude: true },
      ],
      extra,
    });
    const p = readProfiles(model).profiles.find((x) => x.path === path);
    assert.ok(p);
    return p;
  };
  return { model, profile };
}

/** What the decoder must give for a collection: numbers, booleans, text, by path. */
function expected(c: Collection): Record<string, RawValue> {
  return Object.fromEntries(
    c.values.map((v) => {
      if (/int|long/i.test(v.type)) return [v.path, Number(v.value)];
      if (v.type === 'xsd:boolean') return [v.path, v.value === 'true'];
      return [v.path, v.value];
    }),
  );
}

function roundTrip(config: ProfileConfig, rows: Collection[], compression: string, epochUnit: 's' | 'ms' = 's'): ReturnType<typeof decodeReport> {
  const enc = encodeReport(config, rows, { epochUnit });
  const raw = Buffer.from(enc.text, 'utf8');
  const body = compression === 'gzip' ? zlib.gzipSync(raw) : compression === 'deflate' ? zlib.deflateSync(raw) : raw;
  const csv = { fieldSeparator: config.csv.fieldSeparator, rowSeparator: config.csv.rowSeparator, escapeCharacter: config.csv.escapeCharacter };
  return decodeReport(body, { contentType: enc.contentType, contentEncoding: compression === 'none' ? undefined : compression, reportFormat: enc.reportFormat }, { csv, now: T0 });
}

function expectedTime(t: number, timestamp: string, epochUnit: 's' | 'ms'): number | undefined {
  if (timestamp === 'None') return undefined;
  return timestamp === 'Unix-Epoch' && epochUnit === 'ms' ? t : Math.floor(t / 1000) * 1000;
}

describe('sim bulk data: encoder -> decoder round trips', () => {
  const { model, profile } = device();
  const traffic = new TrafficModel(new SimClock({ start: T0, speed: 1e-9 }), { initialUptimeS: 7200 }).device('ENC1');

  it('collects: wildcards expanded, a partial path, Exclude honoured, names applied', () => {
    const config = profile({}, 'JSON');
    const c = collect(model, traffic, config, T0);
    const names = c.values.map((v) => v.name);
    assert.ok(names.includes('RX.1.Stats.BytesReceived') && names.includes('RX.2.Stats.BytesReceived'));
    assert.ok(names.includes('Device.DeviceInfo.UpTime'));
    assert.ok(names.includes('Device.WiFi.SSID.1.SSID'));
    assert.ok(!names.some((n) => n.startsWith('Device.WiFi.SSID.1.Stats.')), 'Exclude');
    assert.equal(c.values.find((v) => v.name === 'Device.DeviceInfo.UpTime')?.value, '7200');
  });

  const jsonCases: [string, string, 's' | 'ms'][] = [];
  for (const format of ['ObjectHierarchy', 'NameValuePair']) {
    for (const timestamp of ['Unix-Epoch', 'ISO-8601', 'None']) jsonCases.push([format, timestamp, 's']);
    jsonCases.push([format, 'Unix-Epoch', 'ms']);
  }
  for (const [format, timestamp, unit] of jsonCases) {
    for (const compression of ['none', 'gzip', 'deflate']) {
      it(`JSON ${format}, ReportTimestamp ${timestamp}${unit === 'ms' ? ' (ms)' : ''}, ${compression}`, () => {
        const config = profile({ 'JSONEncoding.ReportFormat': format, 'JSONEncoding.ReportTimestamp': timestamp }, 'JSON');
        const rows = [collect(model, traffic, config, T0), collect(model, traffic, config, T0 + 300_000)];
        const decoded = roundTrip(config, rows, compression, unit);
        assert.equal(decoded.format, format);
        assert.equal(decoded.rows.length, 2);
        decoded.rows.forEach((row, i) => {
          assert.equal(row.time, expectedTime(rows[i].time, timestamp, unit));
          assert.deepEqual(pathsFromNames(row.values, config.parameters), expected(rows[i]));
        });
      });
    }
  }

  const separators: [string, string, string][] = [
    [',', '&#10;', '&quot;'],
    [';', '&#13;&#10;', '"'],
    ['\\t', '\\n', '"'],
    ['|', '\n', '\\'],
    ['&#44;', '&#13;&#10;', '&#92;'],
  ];
  for (const format of ['ParameterPerRow', 'ParameterPerColumn']) {
    for (const timestamp of ['Unix-Epoch', 'ISO-8601', 'None']) {
      for (const [field, row, escape] of separators) {
        const compression = field === ',' ? 'gzip' : field === ';' ? 'deflate' : 'none';
        it(`CSV ${format}, RowTimestamp ${timestamp}, field ${JSON.stringify(field)} row ${JSON.stringify(row)} escape ${JSON.stringify(escape)}, ${compression}`, () => {
          const config = profile(
            { 'CSVEncoding.ReportFormat': format, 'CSVEncoding.RowTimestamp': timestamp, 'CSVEncoding.FieldSeparator': field, 'CSVEncoding.RowSeparator': row, 'CSVEncoding.EscapeCharacter': escape },
            'CSV',
          );
          assert.equal(config.csv.fieldSeparator, unescapeSeparator(field));
          const rows = [collect(model, traffic, config, T0), collect(model, traffic, config, T0 + 300_000), collect(model, traffic, config, T0 + 600_000)];
          const decoded = roundTrip(config, rows, compression);
          assert.equal(decoded.format, format);
          if (format === 'ParameterPerRow' && timestamp === 'None') {
            // Without timestamps, a name seen again starts the next collection.
            assert.equal(decoded.rows.length, 3);
          }
          decoded.rows.forEach((r, i) => {
            assert.equal(r.time, expectedTime(rows[i].time, timestamp, 's'));
            const want = expected(rows[i]);
            const got = pathsFromNames(r.values, config.parameters);
            // ParameterPerColumn has no types: text that reads as a number is one (none of these).
            assert.deepEqual(got, want);
          });
        });
      }
    }
  }

  it('the data model defaults ("&quot;", an empty RowSeparator) mean a double quote and a line feed', () => {
    const config = profile({}, 'CSV');
    assert.deepEqual([config.csv.fieldSeparator, config.csv.rowSeparator, config.csv.escapeCharacter], [',', '\n', '"']);
    assert.equal(config.csv.format, 'ParameterPerColumn');
    assert.equal(config.csv.timestamp, 'Unix-Epoch');
  });

  it('a profile that cannot report says why', () => {
    const m = createDevice(tr181(), { SerialNumber: 'ENC2' });
    configureProfile(m, { url: 'ftp://x/', encoding: 'JSON', intervalS: 60, parameters: [] });
    const path = configureProfile(m, { url: 'http://x/', encoding: 'JSON', intervalS: 60, parameters: [], extra: { EncodingType: 'XML' } });
    const { profiles, problems } = readProfiles(m);
    assert.equal(profiles.length, 0);
    assert.match(problems.map((p) => p.reason).join('\n'), /HTTP.URL "ftp:\/\/x\/" is not an http\(s\) URL/);
    assert.ok(problems.some((p) => p.path === path && /EncodingType "XML"/.test(p.reason)));
  });
});
