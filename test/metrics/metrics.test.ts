/**
 * Issue 12 §2: Prometheus /metrics on the METRICS_PORT server and on the
 * REST API, token-protected, moving under load: simulated devices run real
 * sessions against the real server (MariaDB + Redis) and the counters grow.
 * /health and /ready answer on every server of the process.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { newToken } from '../helpers/api-token';
import { freePort } from '../helpers/private-services';
import { until } from '../helpers/wait';
import { families, sample, scrape, type Samples } from './scrape';

const MODEL = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const DEVICES = 20;

describe('metrics: /metrics token-protected and moving under load, /health and /ready on every server', function () {
  this.timeout(120_000);
  let t: TestAcs;
  let fleet: Fleet;
  let read: string;
  let metricsUrl: string;

  before(async () => {
    t = await startTestAcs('metrics_load', { metricsPort: await freePort(), metricsHost: '127.0.0.1', sessionTimeoutMs: 5_000 });
    read = await newToken(t.acs.store, 'read');
    metricsUrl = `http://127.0.0.1:${t.acs.metricsPort}/metrics`;
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(MODEL), devices: DEVICES, serialBase: 'MET-', concurrency: 10, report: () => undefined });
  });
  after(async () => {
    await fleet?.close();
    await t?.stop();
  });

  it('refuses /metrics without a token (401) and with an unknown one, on both the metrics port and the REST API', async () => {
    for (const url of [metricsUrl, `${t.nbiUrl}/metrics`]) {
      const anonymous = await fetch(url);
      assert.equal(anonymous.status, 401, url);
      assert.equal(((await anonymous.json()) as { code: string }).code, 'ACS_ERR_TOKEN');
      assert.equal((await fetch(url, { headers: { Authorization: 'Bearer nope' } })).status, 401, url);
      assert.equal((await fetch(url, { headers: { Authorization: `Bearer ${read}` } })).status, 200, url);
    }
  });

  it('answers /health and /ready (200, every check ok) on the CWMP, file, REST API and metrics servers, without a token', async () => {
    const bases = [t.cwmpUrl.replace(/\/$/, ''), `http://127.0.0.1:${t.acs.fsPort}`, t.nbiUrl, `http://127.0.0.1:${t.acs.metricsPort}`];
    for (const base of bases) {
      const health = await fetch(`${base}/health`);
      assert.equal(health.status, 200, `${base}/health`);
      const ready = await fetch(`${base}/ready`);
      assert.equal(ready.status, 200, `${base}/ready`);
      assert.deepEqual(await ready.json(), { status: 'ready', checks: { redis: 'ok', database: 'ok', migrations: 'ok' } });
    }
  });

  it('counts sessions, Informs, HTTP requests and queues as simulated devices bootstrap, then inform periodically', async () => {
    const before = (await scrape(metricsUrl, read)).samples;
    await fleet.connectAll();
    const booted = (await scrape(metricsUrl, read)).samples;
    await fleet.connectAll('2 PERIODIC');
    await fleet.connectAll('2 PERIODIC');
    const after = (await scrape(metricsUrl, read)).samples;
    assert.equal(fleet.stats.violations, 0);
    const grew = (s0: Samples, s1: Samples, name: string, labels: Record<string, string> = {}) => sample(s1, name, labels) - sample(s0, name, labels);
    assert.equal(grew(before, booted, 'acs_informs_total', { event: '0 BOOTSTRAP' }), DEVICES);
    assert.equal(grew(before, booted, 'acs_sessions_total', { outcome: 'completed' }), DEVICES, 'a first contact commits');
    assert.equal(grew(booted, after, 'acs_informs_total', { event: '2 PERIODIC' }), 2 * DEVICES);
    assert.equal(grew(booted, after, 'acs_sessions_total', { outcome: 'quiet' }), 2 * DEVICES, 'a periodic Inform that changed nothing is quiet');
    assert.equal(grew(before, after, 'acs_session_duration_seconds_count', { outcome: 'quiet' }), 2 * DEVICES);
    // Inform + empty POST per session, at least.
    assert.ok(grew(before, after, 'acs_http_request_duration_seconds_count', { server: 'cwmp' }) >= 6 * DEVICES);
    assert.ok(sample(after, 'acs_queue_jobs', { queue: 'engine-steps', state: 'waiting' }) >= 0);
    assert.ok(after.has('acs_queue_jobs{queue="webhook-deliveries",state="failed"}'), 'queue depths sampled at scrape');
    assert.ok(after.has('acs_queue_oldest_waiting_seconds{queue="engine-steps"}'));
    // The webhook events waiting for their first attempts: a stream, sampled as a queue.
    assert.ok(after.has('acs_queue_jobs{queue="webhook-events",state="waiting"}'));
    assert.ok(after.has('acs_queue_oldest_waiting_seconds{queue="webhook-events"}'));
    assert.ok(sample(after, 'process_resident_memory_bytes') > 0, 'Node\'s process metrics');
  });

  it('docker/grafana-dashboard.json is valid JSON whose every metric is in a scrape', async () => {
    const dashboard = JSON.parse(readFileSync(path.resolve(__dirname, '../../docker/grafana-dashboard.json'), 'utf8')) as { panels: { targets?: { expr: string }[] }[] };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((x) => x.expr);
    assert.ok(exprs.length >= 15, `${exprs.length} queries`);
    const scraped = families((await scrape(metricsUrl, read)).text);
    const names = new Set(exprs.flatMap((e) => [...e.matchAll(/\b(?:acs|process|nodejs)_[a-z0-9_]+/g)].map((m) => m[0])));
    for (const name of names) assert.ok(scraped.has(name) || scraped.has(name.replace(/_(bucket|sum|count)$/, '')), `${name} is not in a scrape`);
    for (const family of [...scraped].filter((f) => f.startsWith('acs_'))) {
      assert.ok([...names].some((n) => n.startsWith(family)), `${family} has a panel`);
    }
  });

  it('counts webhook deliveries by outcome: delivered, and failed while the receiver answers 500', async () => {
    let status = 200;
    const receiver = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(status).end()));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
      assert.equal((await t.nbi('/webhooks', { method: 'POST', body: JSON.stringify({ url: hook, events: ['device.inform'] }) })).status, 201);
      const count = async (outcome: string) => sample((await scrape(metricsUrl, read)).samples, 'acs_webhook_deliveries_total', { outcome });
      const delivered = await count('delivered');
      // The emitter re-reads subscriptions on a timer: inform until one delivery went out.
      await until('a delivery', async () => {
        await fleet.connectAll('2 PERIODIC');
        return (await count('delivered')) > delivered;
      }, 15_000);
      status = 500;
      const failed = await count('failed');
      fleet.connect(fleet.devices[1], '2 PERIODIC');
      await fleet.idle();
      await until('a failed attempt', async () => (await count('failed')) > failed, 15_000);
    } finally {
      receiver.close();
    }
  });

  it('counts the RPCs a task sends, by method and fault', async () => {
    const device = fleet.devices[0];
    const before = (await scrape(`${t.nbiUrl}/metrics`, read)).samples;
    const r = await t.nbi(`/devices/${encodeURIComponent(deviceKeyOf(device.deviceId()))}/tasks`, {
      method: 'POST', body: JSON.stringify({ name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] }),
    });
    assert.ok([200, 201, 202].includes(r.status), await r.text());
    fleet.connect(device, '6 CONNECTION REQUEST');
    await fleet.idle();
    const after = (await scrape(`${t.nbiUrl}/metrics`, read)).samples;
    assert.equal(sample(after, 'acs_rpcs_total', { method: 'GetParameterValues', fault: 'none' }) - sample(before, 'acs_rpcs_total', { method: 'GetParameterValues', fault: 'none' }), 1);
    assert.equal(sample(after, 'acs_informs_total', { event: '6 CONNECTION REQUEST' }) - sample(before, 'acs_informs_total', { event: '6 CONNECTION REQUEST' }), 1);
  });
});

describe('metrics: the engine\'s metrics move as the shipped presets provision devices', function () {
  this.timeout(120_000);
  let t: TestAcs;
  let fleet: Fleet;

  before(async () => {
    const root = path.resolve(__dirname, '../..');
    t = await startTestAcs('metrics_engine', { presetsDir: path.join(root, 'presets'), provisionsDir: path.join(root, 'provisions') });
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(MODEL), devices: 5, serialBase: 'ENG-', report: () => undefined });
  });
  after(async () => {
    await fleet?.close();
    await t?.stop();
  });

  it('counts engine steps, their wait and duration, sandbox runs and the RPCs they send', async () => {
    const before = (await scrape(`${t.nbiUrl}/metrics`, t.token)).samples;
    await fleet.connectAll();
    const after = (await scrape(`${t.nbiUrl}/metrics`, t.token)).samples;
    const grew = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    assert.ok(grew('acs_engine_steps_total') >= 5, `${grew('acs_engine_steps_total')} steps`);
    assert.ok(grew('acs_engine_step_wait_seconds_count') >= 5);
    assert.ok(grew('acs_engine_step_duration_seconds_count') >= 5);
    assert.ok(grew('acs_sandbox_runs_total') >= 5);
    assert.ok(grew('acs_sandbox_seconds_total') > 0);
    assert.ok(grew('acs_engine_step_seconds_total') >= grew('acs_sandbox_seconds_total'), 'the sandbox runs within the steps');
    const rpcs = [...after.keys()].filter((k) => k.startsWith('acs_rpcs_total{')).reduce((n, k) => n + (after.get(k) ?? 0) - (before.get(k) ?? 0), 0);
    assert.ok(rpcs >= 5, `${rpcs} RPCs answered`);
  });
});

describe('metrics: a worker process gets the metrics server', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let base: string;

  before(async () => {
    t = await startTestAcs('metrics_worker', { metricsPort: await freePort(), metricsHost: '127.0.0.1', metricsAuth: 'none' }, 'worker');
    base = `http://127.0.0.1:${t.acs.metricsPort}`;
  });
  after(async () => {
    await t?.stop();
  });

  it('serves /health, /ready and, with METRICS_AUTH=none, /metrics without a token; nothing else', async () => {
    assert.equal(t.acs.nbiPort, null);
    assert.equal(t.acs.cwmpPort, null);
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    const { text } = await scrape(`${base}/metrics`, null);
    assert.match(text, /^# TYPE acs_engine_steps_total counter$/m);
    assert.match(text, /^acs_queue_jobs\{queue="engine-steps",state="waiting"\} \d+$/m);
    assert.equal((await fetch(`${base}/devices`)).status, 401, 'any other path still needs a token');
    assert.equal((await fetch(`${base}/devices`, { headers: { Authorization: `Bearer ${t.token}` } })).status, 404);
  });
});
