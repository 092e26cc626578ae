/**
 * A task of several RPCs cut midway resumes where it was, not from its first
 * RPC: its progress (next request, the answers its result needs) is committed
 * with the session however the session ends. End to end through the real
 * server: the simulator dropping the connection on the SetParameterValues of
 * an addObject, and a hand-driven CPE abandoning a refreshObject after its
 * GetParameterNames.
 */
import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { CwmpMessage } from '../../src/cwmp/soap/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { inform, ScriptedCpe } from '../helpers/cpe';
import { until } from '../helpers/wait';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
const PM = 'Device.NAT.PortMapping.';

interface TaskView {
  id: number;
  status: string;
  result: unknown;
}

describe('tasks of several RPCs resume where a cut session left them', function () {
  this.timeout(60_000);
  let t: TestAcs;
  const fleets: Fleet[] = [];

  before(async () => {
    // Short: the cut session is ended by the sweeper (and its progress committed) within seconds.
    t = await startTestAcs('tasks_resume', { sessionTimeoutMs: 1500 });
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
  });

  const getTask = async (id: number) => (await (await t.nbi(`/tasks/${id}`)).json()) as TaskView;
  async function postTask(device: string, body: unknown): Promise<TaskView> {
    const res = await t.nbi(`/devices/${encodeURIComponent(device)}/tasks`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 202, await res.clone().text());
    return (await res.json()) as TaskView;
  }
  /** The session that sent task `id` is over: ended by the sweeper, its log committed. */
  async function sessionEnded(device: string): Promise<void> {
    await until('the cut session ended', async () => {
      const history = (await t.acs.store.getDevice(device))?.history ?? [];
      return history.some((h) => h.kind === 'session-timeout');
    });
  }

  it('addObject with values: the CPE drops on the SetParameterValues; the next session sends only that, one instance, done with its InstanceNumber', async () => {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase: 'RESUMEADD' });
    fleets.push(fleet);
    await fleet.connectAll();
    const device = fleet.devices[0];
    const key = deviceKeyOf(device.deviceId());
    const task = await postTask(key, { name: 'addObject', objectName: PM, parameterValues: [['ExternalPort', 8443], ['Enable', true]], parameterKey: 'pm-1' });

    // AddObject answered, the SetParameterValues on the new instance dropped unanswered.
    device.dropAtRequest = 2;
    fleet.connect(device);
    await fleet.idle();
    fleet.cancel(device, 'retry');
    assert.equal(fleet.stats.failed, 1);
    assert.ok(device.model.lookup(`${PM}1.`) !== undefined, 'the first session created instance 1');
    assert.notEqual(device.model.getValue(`${PM}1.ExternalPort`), '8443', 'the dropped SetParameterValues was not applied');
    await sessionEnded(key);
    assert.equal((await getTask(task.id)).status, 'sent');

    device.dropAtRequest = null;
    fleet.connect(device);
    await fleet.idle();
    assert.equal(device.model.lookup(`${PM}2.`), undefined, 'no second instance: AddObject was not sent again');
    assert.equal(device.model.getValue(`${PM}1.ExternalPort`), '8443');
    assert.equal(device.model.getValue(`${PM}1.Enable`), 'true');
    assert.equal(device.model.getValue('Device.ManagementServer.ParameterKey'), 'pm-1');
    const done = await getTask(task.id);
    assert.equal(done.status, 'done');
    assert.deepEqual(done.result, { InstanceNumber: 1, Status: 0, setStatus: 0 });
    assert.deepEqual(await t.acs.store.pendingRequests(key), []);
  });

  it('refreshObject: a CPE gone after its GetParameterNamesResponse gets the GetParameterValues of those leaves next session, and the task is done with the values', async () => {
    const serial = 'RESUMEREFRESH';
    const key = deviceKeyOf(inform(serial, []).DeviceId);
    const first = new ScriptedCpe(t.cwmpUrl);
    assert.equal((await first.post(inform(serial, ['0 BOOTSTRAP', '1 BOOT']))).envelope?.body.method, 'InformResponse');
    assert.equal((await first.post(null)).status, 204);
    first.close();
    const task = await postTask(key, { name: 'refreshObject', objectName: 'Device.WiFi.SSID.1.' });

    const cut = new ScriptedCpe(t.cwmpUrl);
    assert.equal((await cut.post(inform(serial, ['2 PERIODIC']))).envelope?.body.method, 'InformResponse');
    const gpn = await cut.post(null);
    assert.equal(gpn.envelope?.body.method, 'GetParameterNames');
    const listing: CwmpMessage = {
      method: 'GetParameterNamesResponse',
      ParameterList: [
        { Name: 'Device.WiFi.SSID.1.', Writable: false },
        { Name: 'Device.WiFi.SSID.1.SSID', Writable: true },
        { Name: 'Device.WiFi.SSID.1.Enable', Writable: true },
      ],
    };
    const gpv = await cut.reply(gpn, listing);
    assert.deepEqual(gpv.envelope?.body, { method: 'GetParameterValues', ParameterNames: ['Device.WiFi.SSID.1.SSID', 'Device.WiFi.SSID.1.Enable'] });
    cut.close(); // gone without answering
    await sessionEnded(key);

    const next = new ScriptedCpe(t.cwmpUrl);
    try {
      assert.equal((await next.post(inform(serial, ['2 PERIODIC']))).envelope?.body.method, 'InformResponse');
      const resumed = await next.post(null);
      assert.deepEqual(resumed.envelope?.body, gpv.envelope?.body, 'the GetParameterValues again, not the GetParameterNames');
      const values = [
        { Name: 'Device.WiFi.SSID.1.SSID', Value: 'home', type: 'xsd:string' as const },
        { Name: 'Device.WiFi.SSID.1.Enable', Value: 'true', type: 'xsd:boolean' as const },
      ];
      assert.equal((await next.reply(resumed, { method: 'GetParameterValuesResponse', ParameterList: values })).status, 204);
      const done = await getTask(task.id);
      assert.equal(done.status, 'done');
      assert.deepEqual(done.result, { ParameterList: values });
    } finally {
      next.close();
    }
  });

  it('a retried task starts over from its first request', async () => {
    const serial = 'RESUMERETRY';
    const key = deviceKeyOf(inform(serial, []).DeviceId);
    const cpe = new ScriptedCpe(t.cwmpUrl);
    try {
      assert.equal((await cpe.post(inform(serial, ['0 BOOTSTRAP', '1 BOOT']))).envelope?.body.method, 'InformResponse');
      assert.equal((await cpe.post(null)).status, 204);
      const task = await postTask(key, { name: 'addObject', objectName: PM, parameterValues: [['ExternalPort', 80]] });
      assert.equal((await cpe.post(inform(serial, ['2 PERIODIC']))).envelope?.body.method, 'InformResponse');
      const add = await cpe.post(null);
      assert.equal(add.envelope?.body.method, 'AddObject');
      const spv = await cpe.reply(add, { method: 'AddObjectResponse', InstanceNumber: 4, Status: 0 });
      assert.equal(spv.envelope?.body.method, 'SetParameterValues');
      const end = await cpe.reply(spv, { method: 'Fault', faultcode: 'Server', FaultCode: 9002, FaultString: 'Internal error' });
      assert.equal(end.status, 204);
      assert.equal((await getTask(task.id)).status, 'fault');
      assert.equal((await t.nbi(`/tasks/${task.id}/retry`, { method: 'POST' })).status, 200);
      assert.equal((await cpe.post(inform(serial, ['2 PERIODIC']))).envelope?.body.method, 'InformResponse');
      assert.equal((await cpe.post(null)).envelope?.body.method, 'AddObject');
    } finally {
      cpe.close();
    }
  });
});

describe('a task resumes in the session that replaces the cut one (the CPE retries at once)', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let fleet: Fleet | null = null;

  before(async () => {
    // Long: the cut session is still open when the CPE comes back, so its new Inform (RetryCount > 0) takes it over.
    t = await startTestAcs('tasks_resume_takeover', { sessionTimeoutMs: 30_000 });
  });
  after(async () => {
    await fleet?.close();
    await t?.stop();
  });

  it('addObject: the takeover commits the cut session first and the new one sends only the SetParameterValues', async () => {
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase: 'RESUMETAKE' });
    await fleet.connectAll();
    const device = fleet.devices[0];
    const key = deviceKeyOf(device.deviceId());
    const res = await t.nbi(`/devices/${encodeURIComponent(key)}/tasks`, {
      method: 'POST',
      body: JSON.stringify({ name: 'addObject', objectName: PM, parameterValues: [['ExternalPort', 8443]] }),
    });
    assert.equal(res.status, 202, await res.clone().text());
    const task = (await res.json()) as TaskView;

    device.dropAtRequest = 2;
    fleet.connect(device);
    await fleet.idle();
    fleet.cancel(device, 'retry');
    assert.ok(device.retryCount > 0, 'the CPE counts the failed session');
    device.dropAtRequest = null;
    fleet.connect(device);
    await fleet.idle();

    assert.equal(device.model.lookup(`${PM}2.`), undefined, 'no second instance');
    assert.equal(device.model.getValue(`${PM}1.ExternalPort`), '8443');
    const done = (await (await t.nbi(`/tasks/${task.id}`)).json()) as TaskView;
    assert.equal(done.status, 'done');
    assert.deepEqual(done.result, { InstanceNumber: 1, Status: 0, setStatus: 0 });
  });
});
