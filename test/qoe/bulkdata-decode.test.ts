/**
 * decodeReport: TR-069 Annex N bulk data reports as CPEs send them, every
 * encoding option, and malformed bodies refused with an error naming the
 * problem (AcsError code, line or field).
 */
import { strict as assert } from 'node:assert';
import zlib from 'node:zlib';
import { decodeReport, pathsFromNames, reportName, type ReportHeaders } from '../../src/qoe/bulkdata';

const T = 1364529149;
const MOCA = 'Device.MoCA.Interface.1.Stats.';

function decode(text: string | Buffer, headers: ReportHeaders = {}, options = {}): ReturnType<typeof decodeReport> {
  return decodeReport(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), headers, options);
}

/** Runs `fn` and returns the AcsError it throws. */
function failure(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    return err as { code: string; message: string };
  }
  assert.fail('expected an error');
}

describe('qoe bulk data: decodeReport', () => {
  describe('the TR-069 Annex N examples', () => {
    it('CSV ParameterPerRow: "ReportTimestamp,ParameterName,ParameterValue,ParameterType" and typed rows', () => {
      const body =
        'ReportTimestamp,ParameterName,ParameterValue,ParameterType\n' +
        `${T},${MOCA}BroadPktSent,25248,unsignedLong\n` +
        `${T},${MOCA}BytesReceived,200543250,unsignedLong\n` +
        `${T},${MOCA}BytesSent,7682161,unsignedLong\n` +
        `${T},${MOCA}MultiPktReceived,890682272,unsignedLong\n`;
      const r = decode(body, { contentType: 'text/csv; charset=UTF-8; header=present', reportFormat: 'ParameterPerRow' });
      assert.equal(r.encoding, 'CSV');
      assert.equal(r.format, 'ParameterPerRow');
      assert.deepEqual(r.rows, [
        { time: T * 1000, values: { [`${MOCA}BroadPktSent`]: 25248, [`${MOCA}BytesReceived`]: 200543250, [`${MOCA}BytesSent`]: 7682161, [`${MOCA}MultiPktReceived`]: 890682272 } },
      ]);
    });

    it('CSV ParameterPerColumn: one row per collection, the retained failed ones first', () => {
      const body = `ReportTimestamp,${MOCA}BroadPktSent,${MOCA}BytesReceived\n${T},25248,200543250\n${T + 300},25249,200553250\n`;
      const r = decode(body, { contentType: 'text/csv; charset=UTF-8; header=present', reportFormat: 'ParameterPerColumn' });
      assert.equal(r.format, 'ParameterPerColumn');
      assert.deepEqual(r.rows, [
        { time: T * 1000, values: { [`${MOCA}BroadPktSent`]: 25248, [`${MOCA}BytesReceived`]: 200543250 } },
        { time: (T + 300) * 1000, values: { [`${MOCA}BroadPktSent`]: 25249, [`${MOCA}BytesReceived`]: 200553250 } },
      ]);
    });

    it('JSON ObjectHierarchy flattens to TR-181 paths', () => {
      const body = JSON.stringify({
        Report: [{ CollectionTime: T, Device: { MoCA: { Interface: { '1': { Stats: { BroadPktSent: 25248, BytesReceived: 200543250 } } } }, DeviceInfo: { UpTime: 86400, Enable: true, Name: 'gw' } } }],
      });
      const r = decode(body, { contentType: 'application/json; charset=UTF-8', reportFormat: 'ObjectHierarchy' });
      assert.equal(r.format, 'ObjectHierarchy');
      assert.deepEqual(r.rows, [
        {
          time: T * 1000,
          values: { [`${MOCA}BroadPktSent`]: 25248, [`${MOCA}BytesReceived`]: 200543250, 'Device.DeviceInfo.UpTime': 86400, 'Device.DeviceInfo.Enable': true, 'Device.DeviceInfo.Name': 'gw' },
        },
      ]);
    });

    it('JSON NameValuePair, several reports in the "Report" array', () => {
      const body = JSON.stringify({ Report: [{ CollectionTime: T, [`${MOCA}BytesSent`]: 1 }, { CollectionTime: T + 60, [`${MOCA}BytesSent`]: 2 }] });
      const r = decode(body, { contentType: 'application/json' });
      assert.equal(r.format, 'NameValuePair');
      assert.deepEqual(r.rows.map((x) => [x.time, x.values[`${MOCA}BytesSent`]]), [[T * 1000, 1], [(T + 60) * 1000, 2]]);
    });
  });

  describe('timestamps (RowTimestamp / ReportTimestamp)', () => {
    const cases: [string, unknown, number | undefined][] = [
      ['Unix-Epoch in seconds', T, T * 1000],
      ['Unix-Epoch in milliseconds (as TR-181 says)', T * 1000 + 250, T * 1000 + 250],
      ['Unix-Epoch as text', String(T), T * 1000],
      ['ISO-8601 in UTC', '2013-03-29T03:52:29Z', Date.UTC(2013, 2, 29, 3, 52, 29)],
      ['ISO-8601 with an offset', '2013-03-29T04:52:29+01:00', Date.UTC(2013, 2, 29, 3, 52, 29)],
      ['ISO-8601 with fractions and no zone (UTC)', '2013-03-29T03:52:29.5', Date.UTC(2013, 2, 29, 3, 52, 29, 500)],
      ['a time since boot (no clock): no time', 3600, undefined],
      ['the Unknown Time: no time', '0001-01-01T00:00:00Z', undefined],
      ['milliseconds since boot (41 days), which would read as seconds in 2081: no time', 3_542_400_000, undefined],
    ];
    for (const [what, stamp, expected] of cases) {
      it(`JSON CollectionTime: ${what}`, () => {
        const r = decode(JSON.stringify({ Report: [{ CollectionTime: stamp, 'Device.X.Y': 1 }] }));
        assert.equal(r.rows[0].time, expected);
      });
    }

    it('RowTimestamp None: no timestamp column, in either CSV format; no CollectionTime in JSON', () => {
      const perRow = decode('ParameterName,ParameterValue,ParameterType\nDevice.A,1,int\nDevice.B,x,string\n');
      assert.deepEqual(perRow.rows, [{ time: undefined, values: { 'Device.A': 1, 'Device.B': 'x' } }]);
      const perColumn = decode('Device.A,Device.B\n1,x\n2,y\n');
      assert.deepEqual(perColumn.rows, [{ time: undefined, values: { 'Device.A': 1, 'Device.B': 'x' } }, { time: undefined, values: { 'Device.A': 2, 'Device.B': 'y' } }]);
      assert.deepEqual(decode('{"Report":[{"Device.A":1}]}').rows, [{ values: { 'Device.A': 1 } }]);
    });

    it('ParameterPerRow rows without timestamps: a name seen again starts the next collection', () => {
      const r = decode('ParameterName,ParameterValue\nDevice.A,1\nDevice.B,2\nDevice.A,3\nDevice.B,4\n');
      assert.deepEqual(r.rows.map((x) => x.values), [{ 'Device.A': 1, 'Device.B': 2 }, { 'Device.A': 3, 'Device.B': 4 }]);
    });

    it('ParameterPerRow with several timestamps: one row per timestamp, in order', () => {
      const r = decode(`ReportTimestamp,ParameterName,ParameterValue\n${T},Device.A,1\n${T},Device.B,2\n${T + 60},Device.A,3\n`);
      assert.deepEqual(r.rows, [{ time: T * 1000, values: { 'Device.A': 1, 'Device.B': 2 } }, { time: (T + 60) * 1000, values: { 'Device.A': 3 } }]);
    });
  });

  describe('CSV syntax (FieldSeparator, RowSeparator, EscapeCharacter)', () => {
    for (const sep of [',', ';', '\t', '|']) {
      it(`field separator ${JSON.stringify(sep)} guessed from the header row`, () => {
        const body = ['ReportTimestamp', 'Device.A', 'Device.B'].join(sep) + '\n' + [T, '5', 'a b'].join(sep) + '\n';
        assert.deepEqual(decode(body).rows, [{ time: T * 1000, values: { 'Device.A': 5, 'Device.B': 'a b' } }]);
      });
    }

    it('a multi-character field separator and row separator given by the profile', () => {
      const body = `ReportTimestamp::Device.A::Device.B##${T}::1::2##`;
      const r = decode(body, {}, { csv: { fieldSeparator: '::', rowSeparator: '##' } });
      assert.deepEqual(r.rows, [{ time: T * 1000, values: { 'Device.A': 1, 'Device.B': 2 } }]);
    });

    it('CR LF, LF and CR row separators, mixed, and blank lines', () => {
      const body = `ReportTimestamp,Device.A\r\n${T},1\n\n${T + 1},2\r${T + 2},3\r\n`;
      assert.deepEqual(decode(body).rows.map((r) => r.values['Device.A']), [1, 2, 3]);
    });

    it('RFC 4180 fields enclosed in quotes: separators, doubled quotes and line breaks inside', () => {
      const body = `ParameterName,ParameterValue,ParameterType\r\nDevice.SSID,"a,b ""c""",string\r\nDevice.Note,"line1\r\nline2",string\r\n`;
      assert.deepEqual(decode(body).rows[0].values, { 'Device.SSID': 'a,b "c"', 'Device.Note': 'line1\r\nline2' });
    });

    it('a backslash escape character: enclosed fields and escaped separators', () => {
      const bs = '\\';
      // Device.A enclosed in backslashes (a doubled one inside stands for itself); Device.B escapes its separator.
      const body = ['ParameterName;ParameterValue\n', 'Device.A;', bs, 'a;b', bs + bs, 'c', bs, '\n', 'Device.B;plain', bs, ';semi\n'].join('');
      const r = decode(body, {}, { csv: { fieldSeparator: ';', escapeCharacter: bs } });
      assert.deepEqual(r.rows[0].values, { 'Device.A': `a;b${bs}c`, 'Device.B': 'plain;semi' });
    });

    it('header=absent ParameterPerRow rows are read by their number of columns', () => {
      const four = decode(`${T},Device.A,1,int\n${T},Device.B,true,boolean\n`, { contentType: 'text/csv; header=absent' });
      assert.deepEqual(four.rows, [{ time: T * 1000, values: { 'Device.A': 1, 'Device.B': true } }]);
      const three = decode('Device.A,1,int\nDevice.B,2,int\n', { contentType: 'text/csv; header=absent' });
      assert.deepEqual(three.rows[0].values, { 'Device.A': 1, 'Device.B': 2 });
      const two = decode('Device.A,1\n', { reportFormat: 'ParameterPerRow', contentType: 'text/csv; header=absent' });
      assert.deepEqual(two.rows[0].values, { 'Device.A': 1 });
    });

    it('ParameterPerRow header columns found by name, in any order and case', () => {
      const r = decode(`parametertype,parametervalue,parametername,reporttimestamp\nstring,007,Device.Serial,${T}\n`);
      assert.deepEqual(r.rows, [{ time: T * 1000, values: { 'Device.Serial': '007' } }]);
    });
  });

  describe('values', () => {
    it('numbers as numbers, booleans as booleans, the rest as text; "00123" stays text', () => {
      const r = decode('{"Report":[{"A":"12","B":"-3.5","C":"true","D":"00123","E":"1e3","F":null,"G":[1,2,3],"H":"x"}]}');
      assert.deepEqual(r.rows[0].values, { A: 12, B: -3.5, C: true, D: '00123', E: 1000, F: '', G: '1,2,3', H: 'x' });
    });

    it('padding around numbers is dropped, text keeps its spaces; "toString" is a name like any other', () => {
      const r = decode('ParameterName,ParameterValue\nDevice.A, 12 \nDevice.B, two words \ntoString,1\nvalueOf,2\n');
      assert.deepEqual(r.rows, [{ time: undefined, values: { 'Device.A': 12, 'Device.B': ' two words ', toString: 1, valueOf: 2 } }]);
    });

    it('ParameterType decides in ParameterPerRow: a string type keeps digits as text, boolean takes 1/0', () => {
      const r = decode('ParameterName,ParameterValue,ParameterType\nA,123,string\nB,1,boolean\nC,42,xsd:unsignedInt\nD,abc,int\n');
      assert.deepEqual(r.rows[0].values, { A: '123', B: true, C: 42, D: 'abc' });
    });

    it('an unsignedLong beyond 2^53 is a number with its low digits rounded (documented precision loss)', () => {
      const r = decode('{"Report":[{"A":18446744073709551615}]}');
      assert.equal(r.rows[0].values.A, 2 ** 64);
    });

    it('JSON variants: a single report without "Report", a top-level array, Name/Value objects, instance arrays', () => {
      assert.deepEqual(decode('{"CollectionTime":1364529149,"Device.A":1}').rows, [{ time: T * 1000, values: { 'Device.A': 1 } }]);
      assert.deepEqual(decode('[{"Device.A":1},{"Device.A":2}]').rows.map((r) => r.values), [{ 'Device.A': 1 }, { 'Device.A': 2 }]);
      assert.deepEqual(decode('{"Report":[{"Device.X":[{"Name":"A","Value":1},{"name":"B","value":"z"}]}]}').rows[0].values, { 'Device.X.A': 1, 'Device.X.B': 'z' });
      assert.deepEqual(decode('{"Report":[{"Device":{"IP":{"Interface":[{"Enable":true},{"Enable":false}]}}}]}').rows[0].values, {
        'Device.IP.Interface.1.Enable': true,
        'Device.IP.Interface.2.Enable': false,
      });
    });
  });

  describe('Content-Encoding', () => {
    const body = `ReportTimestamp,Device.A\n${T},7\n`;
    const expected = [{ time: T * 1000, values: { 'Device.A': 7 } }];
    const cases: [string, Buffer][] = [
      ['gzip', zlib.gzipSync(body)],
      ['x-gzip', zlib.gzipSync(body)],
      ['deflate', zlib.deflateSync(body)],
      ['deflate', zlib.deflateRawSync(body)],
      ['identity', Buffer.from(body)],
      ['gzip, deflate', zlib.deflateSync(zlib.gzipSync(body))],
    ];
    cases.forEach(([encoding, bytes], i) => {
      it(`${encoding} (${i})`, () => assert.deepEqual(decode(bytes, { contentEncoding: encoding, contentType: 'text/csv' }).rows, expected));
    });
  });

  describe('names (Parameter.{i}.Name, TR-069 N.3.1)', () => {
    const params = [
      { name: 'Assoc', reference: 'Device.WiFi.AccessPoint.1.AssociatedDevice.*.SignalStrength' },
      { name: 'WAN', reference: 'Device.IP.Interface.1.Stats.' },
      { name: 'Up', reference: 'Device.DeviceInfo.UpTime' },
      { reference: 'Device.Ethernet.Interface.*.Stats.BytesSent' },
    ];
    it('the name stands for the reference up to its first wildcard (the whole partial path)', () => {
      assert.equal(reportName(params[0], 'Device.WiFi.AccessPoint.1.AssociatedDevice.3.SignalStrength'), 'Assoc.3.SignalStrength');
      assert.equal(reportName(params[1], 'Device.IP.Interface.1.Stats.BytesSent'), 'WAN.BytesSent');
      assert.equal(reportName(params[2], 'Device.DeviceInfo.UpTime'), 'Up');
      assert.equal(reportName(params[3], 'Device.Ethernet.Interface.2.Stats.BytesSent'), 'Device.Ethernet.Interface.2.Stats.BytesSent');
    });
    it('pathsFromNames maps a report back to paths', () => {
      const values = { 'Assoc.3.SignalStrength': -60, 'WAN.BytesSent': 5, Up: 100, 'Device.Ethernet.Interface.2.Stats.BytesSent': 9, Other: 1 };
      assert.deepEqual(pathsFromNames(values, params), {
        'Device.WiFi.AccessPoint.1.AssociatedDevice.3.SignalStrength': -60,
        'Device.IP.Interface.1.Stats.BytesSent': 5,
        'Device.DeviceInfo.UpTime': 100,
        'Device.Ethernet.Interface.2.Stats.BytesSent': 9,
        Other: 1,
      });
    });
  });

  describe('malformed reports are refused with what is wrong', () => {
    it('JSON that does not parse: ACS_ERR_BAD_BODY with line and column', () => {
      const e = failure(() => decode('{"Report": [\n  {"A": 1,}\n]}', { contentType: 'application/json' }));
      assert.equal(e.code, 'ACS_ERR_BAD_BODY');
      assert.match(e.message, /line 2, column \d+/);
    });

    it('JSON of the wrong shape: a Report that is not an array, a report that is not an object', () => {
      assert.match(failure(() => decode('{"Report": 5}')).message, /"Report" is number/);
      assert.match(failure(() => decode('{"Report": [5]}')).message, /Report\[0\] is number/);
      assert.match(failure(() => decode('"text"', { contentType: 'application/json' })).message, /body is string/);
      assert.match(failure(() => decode('{"Report":[{"CollectionTime":"yesterday"}]}')).message, /Report\[0\]: CollectionTime "yesterday"/);
    });

    it('ragged CSV rows name the line and the field counts', () => {
      const e = failure(() => decode(`ReportTimestamp,Device.A,Device.B\n${T},1,2\n${T},1\n`));
      assert.equal(e.code, 'ACS_ERR_BAD_BODY');
      assert.match(e.message, /line 3: 2 fields, the header has 3/);
      assert.match(failure(() => decode(`ReportTimestamp,ParameterName,ParameterValue\n${T},Device.A,1,extra\n`)).message, /line 2: 4 fields, the header has 3/);
    });

    it('an enclosed CSV field never closed names the line it opens on', () => {
      assert.match(failure(() => decode('ParameterName,ParameterValue\nDevice.A,1\nDevice.B,"open\n')).message, /line 3: field opened with "\\"" is never closed/);
    });

    it('a CSV timestamp that is no time names the line', () => {
      assert.match(failure(() => decode('ReportTimestamp,Device.A\nsoon,1\n')).message, /line 2: timestamp "soon" is neither Unix epoch nor ISO-8601/);
    });

    it('a gzip bomb is refused once it expands beyond the decompressed limit (413)', () => {
      const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
      assert.ok(bomb.length < 100_000);
      const e = failure(() => decode(bomb, { contentEncoding: 'gzip' }, { maxDecodedBytes: 1024 * 1024 }));
      assert.equal(e.code, 'ACS_ERR_BODY_TOO_LARGE');
      assert.match(e.message, /decompressed body larger than 1048576 bytes/);
    });

    it('a body beyond the body limit is refused before anything is read (413)', () => {
      const e = failure(() => decode(Buffer.alloc(2000, 0x20), {}, { maxBodyBytes: 1000 }));
      assert.equal(e.code, 'ACS_ERR_BODY_TOO_LARGE');
    });

    it('a wrong Content-Encoding: gzip announced, plain text sent (400); deflate that is not', () => {
      const e = failure(() => decode('{"Report":[]}', { contentEncoding: 'gzip' }));
      assert.equal(e.code, 'ACS_ERR_BAD_BODY');
      assert.match(e.message, /Content-Encoding is gzip but the body is not gzip data/);
      assert.match(failure(() => decode('plain text', { contentEncoding: 'deflate' })).message, /deflate body could not be decompressed/);
      assert.match(failure(() => decode(zlib.gzipSync('x').subarray(0, 12), { contentEncoding: 'gzip' })).message, /gzip body could not be decompressed/);
    });

    it('an unsupported Content-Encoding, Content-Type or charset: ACS_ERR_BAD_ENCODING (415)', () => {
      for (const headers of [{ contentEncoding: 'br' }, { contentEncoding: 'compress' }, { contentType: 'application/xml' }, { contentType: 'text/csv; charset=ISO-8859-1' }]) {
        assert.equal(failure(() => decode('a,b\n1,2\n', headers)).code, 'ACS_ERR_BAD_ENCODING', JSON.stringify(headers));
      }
    });

    it('bytes that are not UTF-8, and an empty JSON body', () => {
      assert.match(failure(() => decode(Buffer.from([0x41, 0x2c, 0xff, 0x0a]))).message, /not valid UTF-8/);
      assert.match(failure(() => decode('', { contentType: 'application/json' })).message, /empty body/);
    });

    it('mangled reports (bytes cut, changed, inserted) decode or fail with an AcsError code, never anything else', () => {
      const seeds = [
        `ReportTimestamp,ParameterName,ParameterValue,ParameterType\n${T},Device.A,"x,""y""",string\n${T},Device.B,2,int\n`,
        `ReportTimestamp;Device.A;Device.B\r\n${T};1;"a;b"\r\n`,
        JSON.stringify({ Report: [{ CollectionTime: T, Device: { A: { '1': { B: 1, C: 'x' } } } }, { CollectionTime: '2013-03-29T03:52:29Z', 'Device.A': [1, { Name: 'n', Value: 2 }] }] }),
      ];
      // A small deterministic generator: the same cases every run.
      let state = 12345;
      const rand = (n: number): number => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return state % n;
      };
      const alphabet = ',;"\n\r{}[]:.0123456789aZ \\\t-+eE';
      for (let i = 0; i < 3000; i++) {
        let text = seeds[i % seeds.length];
        for (let k = 0; k < 1 + rand(4); k++) {
          const at = rand(text.length + 1);
          const op = rand(3);
          const c = alphabet[rand(alphabet.length)];
          text = op === 0 ? text.slice(0, at) + text.slice(at + 1) : op === 1 ? text.slice(0, at) + c + text.slice(at + 1) : text.slice(0, at) + c + text.slice(at);
        }
        try {
          const r = decode(text);
          assert.ok(Array.isArray(r.rows));
        } catch (err) {
          assert.match(String((err as { code?: string }).code), /^ACS_ERR_/, `${(err as Error).message} for ${JSON.stringify(text)}`);
        }
      }
    });

    it('JSON nested deeper than any data model is refused, not a stack overflow', () => {
      const deep = '{"a":'.repeat(200) + '1' + '}'.repeat(200);
      assert.match(failure(() => decode(deep)).message, /nested deeper than 64 levels/);
    });
  });
});
