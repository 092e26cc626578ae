/**
 * Simulated CPEs posting bulk data reports to a collector (a local HTTP
 * server here): on schedule (TimeReference-aligned, on a sped-up clock), in
 * the configured encoding and compression, with the profile's credentials,
 * retrying per HTTP.RetryEnable, carrying retained failed reports; and a
 * whole fleet configured by an ACS through SetParameterValues.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { digestResponse, parseAuthParams } from '../../src/cwmp/http/auth';
import { decodeReport, type DecodedReport } from '../../src/qoe/bulkdata';
import { BulkDataReporter, configureProfile, nextDue, retryWaitS, type BulkDataDevice, type ProfileSetup, type ReportAttempt } from '../../src/sim/bulkdata';
import { Fleet } from '../../src/sim/fleet';
import { createDevice } from '../../src/sim/model';
import { SimClock, TrafficModel } from '../../src/sim/traffic';
import { until } from '../helpers/wait';
import { tr181 } from '../unit/sim/helpers';
import { ScriptedAcs } from './scripted-acs';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  report: DecodedReport;
}

/** A collector: decodes every report; `answer` picks each response's status (and headers). */
class Collector {
  readonly received: Received[] = [];
  answer: (req: http.IncomingMessage, n: number) => { status: number; headers?: Record<string, string> } = () => ({ status: 204 });
  private requests = 0;
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { status, headers } = this.answer(req, this.requests++);
      if (status < 300) {
        const report = decodeReport(Buffer.concat(chunks), {
          contentType: req.headers['content-type'],
          contentEncoding: req.headers['content-encoding'],
          reportFormat: req.headers['bbf-report-format'] as string | undefined,
        }, { now: Date.now() + YEAR_MS });
        this.received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, report });
      }
      res.writeHead(status, headers).end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/bulk`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const START = Date.UTC(2026, 11, 5, 18, 0, 7);
/** The simulated clocks run ahead of the real one: the collector takes their times as they come. */
const YEAR_MS = 365 * 86_400_000;

function reportingDevice(clock: SimClock, key: string, setup: ProfileSetup): BulkDataDevice {
  const model = createDevice(tr181(), { SerialNumber: key });
  configureProfile(model, setup);
  return { key, model, traffic: new TrafficModel(clock, { initialUptimeS: 100 }).device(key) };
}

describe('sim bulk data: reports on schedule', function () {
  this.timeout(20_000);
  let collector: Collector;
  let url: string;
  let reporter: BulkDataReporter | undefined;

  beforeEach(async () => {
    collector = new Collector();
    url = await collector.start();
  });
  afterEach(async () => {
    reporter?.close();
    await collector.close();
  });

  it('interval ends fall on TimeReference + k x ReportingInterval', () => {
    const ref = Date.UTC(2020, 0, 1, 0, 0, 30);
    assert.equal(nextDue(ref, 60_000, Date.UTC(2026, 0, 1, 10, 0, 0)), Date.UTC(2026, 0, 1, 10, 0, 30));
    assert.equal(nextDue(ref, 60_000, Date.UTC(2026, 0, 1, 10, 0, 30)), Date.UTC(2026, 0, 1, 10, 1, 30));
    // A TimeReference in the future sets the phase just the same.
    assert.equal(nextDue(Date.UTC(2030, 0, 1), 3_600_000, Date.UTC(2026, 0, 1, 10, 20)), Date.UTC(2026, 0, 1, 11, 0));
  });

  it('retry waits follow RetryMinimumWaitInterval x RetryIntervalMultiplier^(n-1) .. ^n', () => {
    const config = { retryMinWaitS: 5, retryMultiplier: 2 } as Parameters<typeof retryWaitS>[0];
    assert.equal(retryWaitS(config, 1, 0), 5);
    assert.equal(retryWaitS(config, 1, 1), 10);
    assert.equal(retryWaitS(config, 3, 0), 20);
    assert.equal(retryWaitS(config, 3, 1), 40);
  });

  it('posts JSON NameValuePair, gzip, Basic credentials and the Request-URI parameters, every interval, aligned to TimeReference', async () => {
    const clock = new SimClock({ start: START, speed: 600 });
    const device = reportingDevice(clock, 'BD1', {
      url,
      encoding: 'JSON',
      intervalS: 60,
      timeReference: '2026-01-01T00:00:30Z',
      compression: 'GZIP',
      username: 'collector-user',
      password: 'pw:with:colons',
      parameters: [{ reference: 'Device.IP.Interface.1.Stats.BytesReceived' }, { reference: 'Device.DeviceInfo.UpTime', name: 'Up' }],
      uriParameters: [{ name: 'sn', reference: 'Device.DeviceInfo.SerialNumber' }],
      extra: { 'JSONEncoding.ReportFormat': 'NameValuePair' },
    });
    reporter = new BulkDataReporter({ clock, tickMs: 10 });
    reporter.refresh(device);
    await until('3 reports', async () => collector.received.length >= 3);
    const [a, b, c] = collector.received;
    assert.equal(a.method, 'POST');
    assert.equal(a.url, '/bulk?sn=BD1');
    assert.equal(a.headers['content-encoding'], 'gzip');
    assert.equal(a.headers['bbf-report-format'], 'NameValuePair');
    assert.match(String(a.headers['content-type']), /^application\/json; charset=UTF-8/);
    assert.equal(a.headers.authorization, 'Basic ' + Buffer.from('collector-user:pw:with:colons').toString('base64'));
    assert.ok(a.headers.date, 'UseDateHeader defaults to true');
    const times = [a, b, c].map((r) => r.report.rows[0].time ?? NaN);
    for (const t of times) assert.equal(t % 60_000, 30_000, `${new Date(t).toISOString()} is not at :30`);
    assert.deepEqual([times[1] - times[0], times[2] - times[1]], [60_000, 60_000]);
    const rx = [a, b, c].map((r) => Number(r.report.rows[0].values['Device.IP.Interface.1.Stats.BytesReceived']));
    assert.ok(rx[0] < rx[1] && rx[1] < rx[2], `counters grow: ${rx.join(' ')}`);
    const up = [a, b, c].map((r) => Number(r.report.rows[0].values.Up));
    assert.deepEqual([up[1] - up[0], up[2] - up[1]], [60, 60]);
  });

  it('CSV ParameterPerRow with deflate and PUT, as configured', async () => {
    const clock = new SimClock({ start: START, speed: 600 });
    const device = reportingDevice(clock, 'BD2', {
      url,
      encoding: 'CSV',
      intervalS: 30,
      compression: 'Deflate',
      method: 'PUT',
      parameters: [{ reference: 'Device.Ethernet.Interface.*.Stats.BytesSent' }],
      extra: { 'CSVEncoding.ReportFormat': 'ParameterPerRow', 'CSVEncoding.RowTimestamp': 'ISO-8601', 'CSVEncoding.FieldSeparator': ';' },
    });
    reporter = new BulkDataReporter({ clock, tickMs: 10 });
    reporter.refresh(device);
    await until('a report', async () => collector.received.length >= 1);
    const r = collector.received[0];
    assert.equal(r.method, 'PUT');
    assert.equal(r.headers['content-encoding'], 'deflate');
    assert.equal(r.headers.authorization, undefined, 'no credentials configured, none sent');
    assert.equal(r.report.format, 'ParameterPerRow');
    assert.deepEqual(Object.keys(r.report.rows[0].values), ['Device.Ethernet.Interface.1.Stats.BytesSent', 'Device.Ethernet.Interface.2.Stats.BytesSent']);
  });

  it('RetryEnable: a failed report is sent again after the retry waits, within the interval', async () => {
    const clock = new SimClock({ start: START, speed: 600 });
    const attempts: ReportAttempt[] = [];
    collector.answer = (_req, n) => ({ status: n < 2 ? 503 : 200 });
    const device = reportingDevice(clock, 'BD3', { url, encoding: 'JSON', intervalS: 600, retryEnable: true, retryMinWaitS: 2, retryMultiplier: 2000, parameters: [{ reference: 'Device.DeviceInfo.UpTime' }] });
    reporter = new BulkDataReporter({ clock, tickMs: 10, onAttempt: (a) => attempts.push(a) });
    reporter.refresh(device);
    await until('the third attempt', async () => attempts.length >= 3);
    assert.deepEqual(attempts.slice(0, 3).map((a) => [a.retry, a.outcome.status]), [[0, 503], [1, 503], [2, 200]]);
    assert.equal(collector.received.length, 1);
    assert.equal(collector.received[0].report.rows.length, 1);
    assert.deepEqual(reporter.stats, { sent: 1, failed: 2, retries: 2, bytes: reporter.stats.bytes });
  });

  it('NumberOfRetainedFailedReports: failed collections go with the next report (without retries)', async () => {
    const clock = new SimClock({ start: START, speed: 600 });
    collector.answer = (_req, n) => ({ status: n < 3 ? 500 : 200 });
    const device = reportingDevice(clock, 'BD4', { url, encoding: 'CSV', intervalS: 30, retained: 2, parameters: [{ reference: 'Device.DeviceInfo.UpTime' }] });
    reporter = new BulkDataReporter({ clock, tickMs: 10 });
    reporter.refresh(device);
    await until('a report accepted', async () => collector.received.length >= 1);
    const rows = collector.received[0].report.rows;
    // Three failed (the oldest dropped: only 2 retained), then the current one.
    assert.equal(rows.length, 3);
    assert.deepEqual([rows[1].time! - rows[0].time!, rows[2].time! - rows[1].time!], [30_000, 30_000]);
  });

  it('a Digest challenge is answered with the profile credentials', async () => {
    const clock = new SimClock({ start: START, speed: 600 });
    collector.answer = (req) => {
      const auth = req.headers.authorization ?? '';
      if (!auth.startsWith('Digest ')) return { status: 401, headers: { 'WWW-Authenticate': 'Digest realm="bulk", nonce="n1", qop="auth"' } };
      const ok = digestResponse(parseAuthParams(auth.slice(7)), 'secret', req.method ?? '') === parseAuthParams(auth.slice(7)).response;
      return { status: ok ? 200 : 403 };
    };
    const device = reportingDevice(clock, 'BD5', { url, encoding: 'JSON', intervalS: 60, username: 'u', password: 'secret', parameters: [{ reference: 'Device.DeviceInfo.UpTime' }] });
    reporter = new BulkDataReporter({ clock, tickMs: 10 });
    reporter.refresh(device);
    await until('a report accepted', async () => collector.received.length >= 1);
    assert.match(String(collector.received[0].headers.authorization), /^Digest username="u", realm="bulk"/);
  });

  it('with the Unknown Time, the first interval begins at once; unknownPhase random spreads a fleet over the interval', async () => {
    const clock = new SimClock({ start: START, speed: 600 });
    const attempts: ReportAttempt[] = [];
    reporter = new BulkDataReporter({ clock, tickMs: 10, unknownPhase: 'random', onAttempt: (a) => attempts.push(a) });
    const devices = Array.from({ length: 20 }, (_v, i) => reportingDevice(clock, `P${i}`, { url, encoding: 'JSON', intervalS: 600, parameters: [{ reference: 'Device.DeviceInfo.UpTime' }] }));
    const configured = clock.now();
    for (const d of devices) reporter.refresh(d);
    await until('every device reported', async () => new Set(attempts.map((a) => a.device)).size === 20);
    // At 600x a device may report its second interval before the last one's first report arrives;
    // a second report comes at least one interval after the configuration, so the 20 earliest are the firsts.
    const times = collector.received.map((r) => r.report.rows[0].time ?? NaN).sort((x, y) => x - y).slice(0, 20);
    // Spread over the 10-minute interval, all within it.
    assert.ok(times[0] >= configured - 1000 && times[times.length - 1] <= configured + 601_000, times.map((t) => t - configured).join(' '));
    assert.ok(times[times.length - 1] - times[0] > 120_000, 'not in lockstep');
  });

  it('disabling the profile stops its reports; one wheel holds every profile of the fleet', async () => {
    const clock = new SimClock({ start: START, speed: 1 });
    reporter = new BulkDataReporter({ clock, tickMs: 10 });
    const devices = Array.from({ length: 200 }, (_v, i) => reportingDevice(clock, `W${i}`, { url, encoding: 'JSON', intervalS: 3600, parameters: [{ reference: 'Device.DeviceInfo.UpTime' }] }));
    for (const d of devices) reporter.refresh(d);
    assert.equal(reporter.scheduled, 200);
    const first = devices[0];
    const enable = first.model.lookup(`${reporter.profilesOf(first)[0].path}Enable`);
    assert.ok(enable !== undefined);
    first.model.setValue(enable, 'false');
    reporter.refresh(first);
    assert.equal(reporter.scheduled, 199);
    assert.deepEqual(reporter.profilesOf(first), []);
  });
});

describe('sim bulk data: a fleet configured by the ACS', function () {
  this.timeout(20_000);
  let acs: ScriptedAcs;
  let collector: Collector;
  let fleet: Fleet | undefined;

  beforeEach(async () => {
    acs = new ScriptedAcs();
    collector = new Collector();
  });
  afterEach(async () => {
    await fleet?.close();
    await acs.close();
    await collector.close();
  });

  it('profiles written into the devices\' models report after Fleet.refreshBulkData, each device its own values', async () => {
    await acs.start();
    const url = await collector.start();
    fleet = await Fleet.create({ acsUrl: 'http://127.0.0.1:1/', devices: 3, model: tr181(), clock: new SimClock({ speed: 600 }), traffic: true, bulkData: { tickMs: 10 } });
    for (const d of fleet.devices) {
      configureProfile(d.model, { url, encoding: 'JSON', intervalS: 60, reuseFirst: true, parameters: [{ reference: 'Device.DeviceInfo.SerialNumber' }, { reference: 'Device.DeviceInfo.UpTime' }] });
      // The base model's Profile.1 and Parameter.1 were used; one Parameter entry was added.
      assert.equal(d.model.getValue('Device.BulkData.Profile.1.Parameter.1.Reference'), 'Device.DeviceInfo.SerialNumber');
      assert.equal(d.model.getValue('Device.BulkData.Profile.1.Parameter.2.Reference'), 'Device.DeviceInfo.UpTime');
      assert.equal(d.model.lookup('Device.BulkData.Profile.2.'), undefined);
    }
    fleet.refreshBulkData();
    await until('a report from each device', async () => new Set(collector.received.map((r) => r.report.rows[0].values['Device.DeviceInfo.SerialNumber'])).size === 3);
  });

  it('AddObject + SetParameterValues make the device report; a Reboot starts its counters and uptime again', async () => {
    const acsUrl = await acs.start();
    const url = await collector.start();
    fleet = await Fleet.create({ acsUrl, devices: 1, model: tr181(), clock: new SimClock({ speed: 600 }), traffic: { initialUptimeS: 86_400 }, bulkData: { tickMs: 10 } });
    const serial = fleet.devices[0].deviceId().SerialNumber;
    const p = 'Device.BulkData.Profile.2.';
    const s = (Name: string, Value: string, type = 'xsd:string'): { Name: string; Value: string; type: 'xsd:string' } => ({ Name, Value, type: type as 'xsd:string' });
    acs.queue(
      serial,
      { method: 'AddObject', ObjectName: 'Device.BulkData.Profile.', ParameterKey: 'bd1' },
      { method: 'AddObject', ObjectName: `${p}Parameter.`, ParameterKey: 'bd2' },
      {
        method: 'SetParameterValues',
        ParameterKey: 'bd3',
        ParameterList: [
          s('Device.BulkData.Enable', 'true', 'xsd:boolean'),
          s(`${p}Enable`, 'true', 'xsd:boolean'),
          s(`${p}Protocol`, 'HTTP'),
          s(`${p}EncodingType`, 'CSV'),
          s(`${p}ReportingInterval`, '60', 'xsd:unsignedInt'),
          s(`${p}HTTP.URL`, url),
          s(`${p}HTTP.Username`, 'cpe'),
          s(`${p}HTTP.Password`, 'cpe-secret'),
          s(`${p}HTTP.Compression`, 'GZIP'),
          s(`${p}Parameter.1.Reference`, 'Device.DeviceInfo.UpTime'),
          s(`${p}CSVEncoding.ReportFormat`, 'ParameterPerRow'),
        ],
      },
    );
    await fleet.connectAll();
    const spv = acs.messages(serial, 'SetParameterValuesResponse');
    assert.equal(spv.length, 1, JSON.stringify(acs.received.map((x) => x.message.method)));
    await until('a report', async () => collector.received.length >= 1);
    const first = collector.received[0];
    assert.equal(first.headers.authorization, 'Basic ' + Buffer.from('cpe:cpe-secret').toString('base64'));
    assert.equal(first.headers['content-encoding'], 'gzip');
    assert.equal(first.report.format, 'ParameterPerRow');
    assert.ok(Number(first.report.rows[0].values['Device.DeviceInfo.UpTime']) >= 86_400);
    acs.queue(serial, { method: 'Reboot', CommandKey: 'r1' });
    await fleet.connectAll();
    const seen = collector.received.length;
    await until('a report after the reboot', async () => collector.received.length > seen);
    const after = collector.received[collector.received.length - 1];
    assert.ok(Number(after.report.rows[0].values['Device.DeviceInfo.UpTime']) < 3600, JSON.stringify(after.report.rows));
  });
});
