/**
 * An alert rule end to end, on the real server (MariaDB, Redis, the worker's
 * alert engine): a simulated device's reads become series, the rule raises
 * once, a signed qoe.alert webhook reaches a receiver, and the rule's
 * workflow (IPPing diagnostics) runs on the device.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { until } from '../helpers/wait';
import { Receiver, SECRET } from '../webhooks/receiver';
import { nbiJson, type JsonReply } from './nbi-json';

const MODEL = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const ROOT = path.resolve(__dirname, '../..');

describe('QoE alerts end to end: a rule raises once, with a webhook and a workflow', function () {
  this.timeout(120_000);
  let t: TestAcs;
  let fleet: Fleet;
  let device: string;
  const receiver = new Receiver();
  const json = (p: string, init?: RequestInit): Promise<JsonReply> => nbiJson(t, p, init);

  before(async () => {
    await receiver.open();
    const presets = dirWith({ 'collect.yaml': 'events: ["2 PERIODIC"]\nchannel: qoe\nprovisions:\n  - [qoe-collect, uptime]\n' });
    t = await startTestAcs('qoe_alerts_e2e', {
      provisionsDir: path.join(ROOT, 'provisions'), workflowsDir: path.join(ROOT, 'workflows'), presetsDir: presets, qoeAlertEveryMs: 500, sessionTimeoutMs: 5000,
    });
    const profile = await json('/qoe/profiles/uptime', { method: 'PUT', body: JSON.stringify({ intervalS: 60, parameters: [{ path: 'Device.DeviceInfo.UpTime', kind: 'gauge', alias: 'UpTime' }] }) });
    assert.equal(profile.status, 201);
    const hook = await json('/webhooks', { method: 'POST', body: JSON.stringify({ url: receiver.url(), events: ['qoe.alert'], secret: SECRET }) });
    assert.equal(hook.status, 201);
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(MODEL), devices: 1, serialBase: 'QALERT', traffic: true });
    await fleet.connectAll();
    device = deviceKeyOf(fleet.devices[0].deviceId());
  });
  after(async () => {
    await fleet?.close();
    await receiver.shut();
    await t?.stop();
  });

  it('refuses a rule whose expression does not parse, naming the column', async () => {
    const bad = await json('/qoe/alert-rules', { method: 'POST', body: JSON.stringify({ name: 'bad', profile: 'uptime', expression: 'last(UpTime) = 0 in 1 h' }) });
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.body), /column \d+/);
  });

  it('raises once for the device whose series meets the rule: one signed qoe.alert, and the workflow started on it', async () => {
    const rule = await json('/qoe/alert-rules', {
      method: 'POST',
      body: JSON.stringify({ name: 'up', profile: 'uptime', expression: 'last(UpTime) > 0 in 1 h', severity: 'major', workflow: 'ipping', workflowArgs: { host: '127.0.0.1' } }),
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.body));
    await fleet.connectAll('2 PERIODIC');
    await until('the qoe.alert webhook', async () => receiver.got.some((g) => g.event === 'qoe.alert'), 30_000);
    await until('the ipping run', async () => ((await json(`/workflows/runs?device=${encodeURIComponent(device)}&workflow=ipping`)).body as unknown[]).length > 0, 15_000);
    // Later evaluations and sessions raise nothing more while the alert stays open.
    await fleet.connectAll('2 PERIODIC');
    await new Promise((r) => setTimeout(r, 2000));
    const alerts = receiver.got.filter((g) => g.event === 'qoe.alert');
    assert.equal(alerts.length, 1, JSON.stringify(alerts));
    assert.equal(receiver.bad, 0, 'every delivery signed');
    assert.equal(alerts[0].device, device);
    assert.equal(alerts[0].data.state, 'raised');
    assert.equal(alerts[0].data.severity, 'major');
    const open = (await json(`/qoe/alerts?open=true&device=${encodeURIComponent(device)}`)).body as unknown[];
    assert.equal(open.length, 1);
    assert.equal(((await json(`/workflows/runs?device=${encodeURIComponent(device)}&workflow=ipping`)).body as unknown[]).length, 1);
  });
});
