/**
 * Tasks through the northbound API, end to end over HTTP with a scripted CPE:
 * GenieACS's task shapes in, CWMP requests out at the device's next session,
 * status and results kept and listed, waiting with ?timeout, cancel, retry,
 * expiry, multi-RPC tasks; bad tasks refused with a message naming the field.
 */
import { strict as assert } from 'node:assert';
import type { CwmpMessage } from '../../src/cwmp/soap/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { inform, ScriptedCpe, type Exchange } from '../helpers/cpe';

interface TaskView {
  id: number;
  _id: string;
  device: string;
  name: string;
  status: string;
  result: unknown;
  fault: { code: number | string; message: string; detail?: unknown } | null;
  retries: number;
  [field: string]: unknown;
}

describe('northbound API: tasks', function () {
  let t: TestAcs;
  before(async () => {
    const provisions = dirWith({
      'set-tag.js': "declare('Tags.' + args[0], null, { value: true }); log('tagged ' + args[0]);",
      'read-uptime.js': "declare('Device.DeviceInfo.UpTime', { value: Date.now() });",
    });
    // Only for devices tagged "ordered": the other tests' sessions stay free of preset RPCs.
    const presets = dirWith({ 'ordered.yaml': 'precondition: Tags.ordered\nprovisions:\n  - read-uptime\n' });
    t = await startTestAcs('nbi_tasks', { provisionsDir: provisions, presetsDir: presets });
  });
  after(async () => t?.stop());

  const keyOf = (serial: string) => deviceKeyOf(inform(serial, []).DeviceId);
  const post = (device: string, body: unknown, query = ''): Promise<Response> =>
    t.nbi(`/devices/${encodeURIComponent(device)}/tasks${query}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  const json = async <T = TaskView>(res: Response | Promise<Response>): Promise<T> => (await (await res).json()) as T;
  const task = (id: number) => json(t.nbi(`/tasks/${id}`));

  /** A device the ACS knows: its first session, with nothing queued. */
  async function register(serial: string): Promise<string> {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    try {
      assert.equal((await cpe.post(inform(serial, ['0 BOOTSTRAP', '1 BOOT']))).envelope?.body.method, 'InformResponse');
      assert.equal((await cpe.post(null)).status, 204);
    } finally {
      cpe.close();
    }
    return keyOf(serial);
  }

  /** A session in which the CPE answers each ACS request with `answer(request)`; returns the requests seen. */
  async function session(serial: string, answer: (request: CwmpMessage) => CwmpMessage): Promise<CwmpMessage[]> {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const seen: CwmpMessage[] = [];
    try {
      assert.equal((await cpe.post(inform(serial, ['2 PERIODIC']))).envelope?.body.method, 'InformResponse');
      let ex: Exchange = await cpe.post(null);
      while (ex.status === 200 && ex.envelope) {
        seen.push(ex.envelope.body);
        ex = await cpe.reply(ex, answer(ex.envelope.body));
      }
      assert.equal(ex.status, 204);
    } finally {
      cpe.close();
    }
    return seen;
  }

  it('refuses a task for a device the ACS does not know with 404', async () => {
    const res = await post(keyOf('NEVER-SEEN'), { name: 'reboot' });
    assert.equal(res.status, 404);
    assert.match((await json<{ error: string }>(res)).error, /no device with id/);
  });

  it('keeps a task through its life: queued, sent at the next session, done with the CPE answer, and the cache updated', async () => {
    const key = await register('TASK-1');
    const res = await post(key, { name: 'setParameterValues', parameterValues: [['Device.ManagementServer.PeriodicInformInterval', 600, 'xsd:unsignedInt']] });
    assert.equal(res.status, 202);
    const created = await json(res);
    assert.equal(created.status, 'queued');
    assert.equal(created.device, key);
    assert.equal(created._id, String(created.id));
    assert.deepEqual(created.parameterValues, [['Device.ManagementServer.PeriodicInformInterval', '600', 'xsd:unsignedInt']]);
    const seen = await session('TASK-1', () => ({ method: 'SetParameterValuesResponse', Status: 0 }));
    assert.deepEqual(seen.map((m) => m.method), ['SetParameterValues']);
    const done = await task(created.id);
    assert.equal(done.status, 'done');
    assert.deepEqual(done.result, { Status: 0 });
    assert.equal((await t.acs.store.getParameters(key, 'Device.ManagementServer.PeriodicInformInterval'))[0]?.value, '600');
    const listed = await json<TaskView[]>(t.nbi(`/tasks?device=${encodeURIComponent(key)}&status=done`));
    assert.deepEqual(listed.map((x) => x.id), [created.id]);
  });

  it('records a CPE fault with its SetParameterValuesFault details, and retry queues it again', async () => {
    const key = await register('TASK-2');
    const created = await json(post(key, { name: 'setParameterValues', parameterValues: [['Device.WiFi.SSID.1.SSID', 'x']] }));
    await session('TASK-2', () => ({
      method: 'Fault', faultcode: 'Client', FaultCode: 9003, FaultString: 'Invalid arguments',
      SetParameterValuesFault: [{ ParameterName: 'Device.WiFi.SSID.1.SSID', FaultCode: 9007, FaultString: 'Invalid parameter value' }],
    }));
    const faulted = await task(created.id);
    assert.equal(faulted.status, 'fault');
    assert.equal(faulted.fault?.code, 9003);
    assert.deepEqual(faulted.fault?.detail, [{ ParameterName: 'Device.WiFi.SSID.1.SSID', FaultCode: 9007, FaultString: 'Invalid parameter value' }]);
    const retried = await json(t.nbi(`/tasks/${created.id}/retry`, { method: 'POST' }));
    assert.equal(retried.status, 'queued');
    assert.equal(retried.retries, 1);
    assert.equal(retried.fault, null);
    const seen = await session('TASK-2', () => ({ method: 'SetParameterValuesResponse', Status: 0 }));
    assert.deepEqual(seen.map((m) => m.method), ['SetParameterValues']);
    assert.equal((await task(created.id)).status, 'done');
    // A done task cannot be retried, a finished one cannot be cancelled: 409 naming the status.
    const again = await t.nbi(`/tasks/${created.id}/retry`, { method: 'POST' });
    assert.equal(again.status, 409);
    assert.match((await json<{ error: string }>(again)).error, /task \d+ is done/);
    assert.equal((await t.nbi(`/tasks/${created.id}`, { method: 'DELETE' })).status, 409);
  });

  it('runs tasks in creation order; a cancelled one is never sent', async () => {
    const key = await register('TASK-3');
    const a = await json(post(key, { name: 'getRPCMethods' }));
    const b = await json(post(key, { name: 'reboot', commandKey: 'rb-3' }));
    const c = await json(post(key, { name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] }));
    const cancelled = await json(t.nbi(`/tasks/${b.id}`, { method: 'DELETE' }));
    assert.equal(cancelled.status, 'cancelled');
    const seen = await session('TASK-3', (m) =>
      m.method === 'GetRPCMethods'
        ? { method: 'GetRPCMethodsResponse', MethodList: ['GetRPCMethods', 'Reboot'] }
        : { method: 'GetParameterValuesResponse', ParameterList: [{ Name: 'Device.DeviceInfo.UpTime', Value: '42', type: 'xsd:unsignedInt' }] },
    );
    assert.deepEqual(seen.map((m) => m.method), ['GetRPCMethods', 'GetParameterValues']);
    assert.deepEqual((await task(a.id)).result, { MethodList: ['GetRPCMethods', 'Reboot'] });
    assert.deepEqual((await task(c.id)).result, { ParameterList: [{ Name: 'Device.DeviceInfo.UpTime', Value: '42', type: 'xsd:unsignedInt' }] });
    assert.equal((await task(b.id)).status, 'cancelled');
  });

  it('sends the tasks first, then what presets plan', async () => {
    const key = await register('TASK-9');
    await t.acs.store.setTags(key, ['ordered'], []);
    const created = await json(post(key, { name: 'getRPCMethods' }));
    const seen = await session('TASK-9', (m) =>
      m.method === 'GetRPCMethods'
        ? { method: 'GetRPCMethodsResponse', MethodList: [] }
        : { method: 'GetParameterValuesResponse', ParameterList: [{ Name: 'Device.DeviceInfo.UpTime', Value: '5', type: 'xsd:unsignedInt' }] },
    );
    assert.deepEqual(seen.map((m) => m.method), ['GetRPCMethods', 'GetParameterValues']);
    assert.equal((await task(created.id)).status, 'done');
  });

  it('never sends an expired task, and does not send a task before it is due', async () => {
    const key = await register('TASK-4');
    const expired = await json(post(key, { name: 'reboot' }, `?expiry=${Date.now() + 150}`));
    const later = await json(post(key, { name: 'factoryReset' }, `?due=${Date.now() + 3_600_000}`));
    await new Promise((resolve) => setTimeout(resolve, 250));
    const seen = await session('TASK-4', () => ({ method: 'RebootResponse' }));
    assert.deepEqual(seen, []);
    assert.equal((await task(expired.id)).status, 'expired');
    assert.equal((await task(later.id)).status, 'queued');
  });

  it('carries out multi-RPC tasks: addObject with values, refreshObject', async () => {
    const key = await register('TASK-5');
    const add = await json(post(key, {
      name: 'addObject', objectName: 'Device.NAT.PortMapping.',
      parameterValues: [['ExternalPort', 8080, 'xsd:unsignedInt'], ['Enable', true, 'xsd:boolean']],
    }));
    const refresh = await json(post(key, { name: 'refreshObject', objectName: 'Device.DeviceInfo.' }));
    const seen = await session('TASK-5', (m) => {
      switch (m.method) {
        case 'AddObject':
          return { method: 'AddObjectResponse', InstanceNumber: 4, Status: 0 };
        case 'SetParameterValues':
          return { method: 'SetParameterValuesResponse', Status: 0 };
        case 'GetParameterNames':
          return { method: 'GetParameterNamesResponse', ParameterList: [{ Name: 'Device.DeviceInfo.', Writable: false }, { Name: 'Device.DeviceInfo.UpTime', Writable: false }, { Name: 'Device.DeviceInfo.SerialNumber', Writable: false }] };
        default:
          return { method: 'GetParameterValuesResponse', ParameterList: [{ Name: 'Device.DeviceInfo.UpTime', Value: '7', type: 'xsd:unsignedInt' }, { Name: 'Device.DeviceInfo.SerialNumber', Value: 'TASK-5', type: 'xsd:string' }] };
      }
    });
    assert.deepEqual(seen.map((m) => m.method), ['AddObject', 'SetParameterValues', 'GetParameterNames', 'GetParameterValues']);
    const spv = seen[1] as Extract<CwmpMessage, { method: 'SetParameterValues' }>;
    assert.deepEqual(spv.ParameterList.map((p) => [p.Name, p.Value, p.type]), [
      ['Device.NAT.PortMapping.4.ExternalPort', '8080', 'xsd:unsignedInt'], ['Device.NAT.PortMapping.4.Enable', 'true', 'xsd:boolean'],
    ]);
    assert.deepEqual((await task(add.id)).result, { InstanceNumber: 4, Status: 0, setStatus: 0 });
    assert.equal((await task(refresh.id)).status, 'done');
    assert.equal((await t.acs.store.getParameters(key, 'Device.NAT.PortMapping.4.ExternalPort'))[0]?.value, '8080');
    assert.equal((await t.acs.store.getParameters(key, 'Device.DeviceInfo.UpTime'))[0]?.value, '7');
  });

  it('runs a provision task once, in its own channel; a provision that does not exist is refused', async () => {
    const key = await register('TASK-6');
    const created = await json(post(key, { name: 'provision', provision: 'set-tag', args: ['gold'] }));
    await session('TASK-6', () => ({ method: 'GetRPCMethodsResponse', MethodList: [] }));
    const done = await task(created.id);
    assert.equal(done.status, 'done', JSON.stringify(done));
    assert.deepEqual(await t.acs.store.getTags(key), ['gold']);
    // Once done it does not run again.
    await t.acs.store.setTags(key, [], ['gold']);
    await session('TASK-6', () => ({ method: 'GetRPCMethodsResponse', MethodList: [] }));
    assert.deepEqual(await t.acs.store.getTags(key), []);
    const res = await post(key, { name: 'provision', provision: 'no-such-script' });
    assert.equal(res.status, 400);
    assert.match((await json<{ error: string }>(res)).error, /unknown provision "no-such-script"/);
  });

  it('runs a task of several provisions in one session, in its one channel, with a result per provision', async () => {
    const key = await register('TASK-6B');
    const created = await json(post(key, { name: 'provision', provisions: [{ provision: 'set-tag', args: ['silver'] }, { provision: 'set-tag', args: ['bronze'] }] }));
    assert.deepEqual(created.args, { provisions: [{ provision: 'set-tag', args: ['silver'] }, { provision: 'set-tag', args: ['bronze'] }] });
    await session('TASK-6B', () => ({ method: 'GetRPCMethodsResponse', MethodList: [] }));
    const done = await task(created.id);
    assert.equal(done.status, 'done', JSON.stringify(done));
    assert.deepEqual((await t.acs.store.getTags(key)).sort(), ['bronze', 'silver']);
    assert.deepEqual((done.result as { provisions: { provision: string; logs: string[] }[] }).provisions, [{ provision: 'set-tag', logs: ['tagged silver'] }, { provision: 'set-tag', logs: ['tagged bronze'] }], 'each run\'s own log lines');
    const res = await post(key, { name: 'provision', provisions: [{ provision: 'set-tag' }, { provision: 'no-such-script' }] });
    assert.equal(res.status, 400);
    assert.match((await json<{ error: string }>(res)).error, /provisions\[1\]\.provision: unknown provision "no-such-script"/);
  });

  it('?timeout waits: 200 with the result when the session finishes in time, 202 with the task when not', async () => {
    const key = await register('TASK-7');
    const started = Date.now();
    const queued = await post(key, { name: 'getRPCMethods' }, '?timeout=300');
    assert.equal(queued.status, 202);
    assert.ok(Date.now() - started >= 280, 'waited for the timeout');
    assert.equal((await json(queued)).status, 'queued');
    const waiting = post(key, { name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] }, '?timeout=10000');
    // The device connects while the request waits (the connection request is the CPE's part).
    await new Promise((resolve) => setTimeout(resolve, 200));
    await session('TASK-7', (m) =>
      m.method === 'GetRPCMethods'
        ? { method: 'GetRPCMethodsResponse', MethodList: [] }
        : { method: 'GetParameterValuesResponse', ParameterList: [{ Name: 'Device.DeviceInfo.UpTime', Value: '99', type: 'xsd:unsignedInt' }] },
    );
    const res = await waiting;
    assert.equal(res.status, 200);
    const body = await json(res);
    assert.equal(body.status, 'done');
    assert.deepEqual(body.result, { ParameterList: [{ Name: 'Device.DeviceInfo.UpTime', Value: '99', type: 'xsd:unsignedInt' }] });
  });

  it('Idempotency-Key: a POST repeated with the same key answers the first task (Idempotent-Replayed: true); the POST answers what GET shows', async () => {
    const key = await register('TASK-IDEM');
    const withKey = (k: string) => t.nbi(`/devices/${encodeURIComponent(key)}/tasks`, {
      method: 'POST', headers: { 'Idempotency-Key': k }, body: JSON.stringify({ name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] }),
    });
    const first = await withKey('wf-1:step');
    assert.equal(first.status, 202);
    assert.equal(first.headers.get('idempotent-replayed'), null);
    const created = await json(first);
    assert.equal(created.idempotencyKey, 'wf-1:step');
    assert.deepEqual(created, await task(created.id), 'the POST answers the task as GET reads it');
    const again = await withKey('wf-1:step');
    assert.equal(again.status, 202);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal((await json(again)).id, created.id);
    // Done in a session: the same key still answers it, now 200 with its result.
    await session('TASK-IDEM', () => ({ method: 'GetParameterValuesResponse', ParameterList: [{ Name: 'Device.DeviceInfo.UpTime', Value: '7', type: 'xsd:unsignedInt' }] }));
    const done = await withKey('wf-1:step');
    assert.equal(done.status, 200);
    assert.equal((await json(done)).status, 'done');
    assert.equal((await json<TaskView[]>(t.nbi(`/devices/${encodeURIComponent(key)}/tasks`))).length, 1);
    const long = await withKey('k'.repeat(129));
    assert.equal(long.status, 400);
    assert.match((await json<{ error: string }>(long)).error, /Idempotency-Key header must be at most 128 characters/);
  });

  it('refuses bad tasks and bad queries with 400 naming the problem, and queues nothing', async () => {
    const key = await register('TASK-8');
    const cases: [unknown, RegExp, string?][] = [
      ['{not json', /body is not JSON/],
      [{ name: 'explode' }, /name must be one of getParameterNames, getParameterValues/],
      [{ name: 'getParameterValues' }, /parameterNames/],
      [{ name: 'reboot', commandKey: 'k'.repeat(33) }, /commandKey/],
      [{ name: 'setParameterValues', parameterValues: [['Device.ManagementServer.PeriodicInformInterval', 'soon']] }, /parameterValues\[0\].*unsignedInt/],
      [{ name: 'setParameterValues', parameterValues: [['Device.X']] }, /parameterValues\[0\]/],
      [{ name: 'deleteObject', objectName: 'Device.NAT.PortMapping.' }, /objectName/],
      [{ name: 'reboot' }, /query parameter timeout/, '?timeout=soon'],
      [{ name: 'reboot' }, /query parameter expiry/, '?expiry=tomorrow-ish'],
      [{ name: 'reboot' }, /query parameter connection_request/, '?connection_request=maybe'],
    ];
    for (const [body, reason, query] of cases) {
      const res = await post(key, body, query);
      assert.equal(res.status, 400, JSON.stringify(body));
      const answer = await json<{ error: string; code: string }>(res);
      assert.match(answer.error, reason);
      assert.equal(answer.code, 'ACS_ERR_BAD_REQUEST');
    }
    assert.equal((await post('not-a-device-id-at-all', { name: 'reboot' })).status, 400);
    assert.equal((await t.nbi('/tasks?status=lost')).status, 400);
    assert.equal((await t.nbi('/tasks/abc')).status, 400);
    assert.equal((await t.nbi('/tasks/999999')).status, 404);
    assert.deepEqual(await t.acs.store.pendingRequests(key), []);
  });
});
