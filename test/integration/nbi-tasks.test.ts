/**
 * Tasks through the northbound API (GenieACS's task shape): each becomes one
 * CWMP request in the device's persisted queue, sent at its next session and
 * dropped from the queue once answered; bad tasks get 400 naming the field.
 */
import { strict as assert } from 'node:assert';
import type { CpeRequest } from '../../src/cwmp/soap/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { inform, ScriptedCpe } from '../helpers/cpe';

describe('northbound API: tasks', function () {
  let t: TestAcs;
  before(async () => {
    t = await startTestAcs('nbi_tasks');
  });
  after(async () => t?.stop());

  const post = (id: string, body: unknown): Promise<Response> =>
    fetch(`${t.nbiUrl}/devices/${encodeURIComponent(id)}/tasks`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('queues a task for a device not seen yet; its first session carries it out and the queue empties', async () => {
    const serial = 'TASK-1';
    const key = deviceKeyOf(inform(serial, []).DeviceId);
    const res = await post(key, { name: 'setParameterValues', parameterValues: [['Device.ManagementServer.PeriodicInformInterval', 600, 'xsd:unsignedInt']] });
    assert.equal(res.status, 202);
    const created = (await res.json()) as { id: number; request: CpeRequest };
    assert.deepEqual(created.request, {
      method: 'SetParameterValues', ParameterKey: '', ParameterList: [{ Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '600', type: 'xsd:unsignedInt' }],
    });
    const listed = (await (await fetch(`${t.nbiUrl}/devices/${encodeURIComponent(key)}/tasks`)).json()) as { id: number }[];
    assert.deepEqual(listed.map((x) => x.id), [created.id]);

    const cpe = new ScriptedCpe(t.cwmpUrl);
    try {
      assert.equal((await cpe.post(inform(serial, ['0 BOOTSTRAP', '1 BOOT']))).envelope?.body.method, 'InformResponse');
      const rpc = await cpe.post(null);
      assert.equal(rpc.envelope?.body.method, 'SetParameterValues');
      assert.equal((await cpe.reply(rpc, { method: 'SetParameterValuesResponse', Status: 0 })).status, 204);
    } finally {
      cpe.close();
    }
    assert.deepEqual(await (await fetch(`${t.nbiUrl}/devices/${encodeURIComponent(key)}/tasks`)).json(), []);
    assert.equal((await t.acs.store.getParameters(key, 'Device.ManagementServer.PeriodicInformInterval'))[0]?.value, '600');
  });

  it('maps each task name to its RPC', async () => {
    const key = deviceKeyOf(inform('TASK-2', []).DeviceId);
    const cases: [unknown, string][] = [
      [{ name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] }, 'GetParameterValues'],
      [{ name: 'addObject', objectName: 'Device.NAT.PortMapping.' }, 'AddObject'],
      [{ name: 'deleteObject', objectName: 'Device.NAT.PortMapping.3.' }, 'DeleteObject'],
      [{ name: 'reboot' }, 'Reboot'],
      [{ name: 'factoryReset' }, 'FactoryReset'],
    ];
    for (const [task, method] of cases) {
      const res = await post(key, task);
      assert.equal(res.status, 202, JSON.stringify(task));
      assert.equal(((await res.json()) as { request: CpeRequest }).request.method, method);
    }
  });

  it('refuses bad tasks with 400 naming the problem, and queues nothing', async () => {
    const key = deviceKeyOf(inform('TASK-3', []).DeviceId);
    const cases: [unknown, RegExp][] = [
      ['{not json', /body is not JSON/],
      [[1, 2], /must be a JSON object/],
      [{ name: 'explode' }, /task name must be one of getParameterValues, setParameterValues/],
      [{ name: 'getParameterValues' }, /parameterNames must be a non-empty array/],
      [{ name: 'getParameterValues', parameterNames: ['Device.\u0000X'] }, /parameterNames\[0\] contains a control character/],
      [{ name: 'getParameterValues', parameterNames: ['D'.repeat(300)] }, /longer than 256 characters/],
      [{ name: 'setParameterValues', parameterValues: [['Device.X', 1, 'xsd:float']] }, /unknown type "xsd:float"/],
      [{ name: 'setParameterValues', parameterValues: [['Device.X', 2 ** 60, 'xsd:unsignedLong']] }, /not an exact integer/],
      [{ name: 'setParameterValues', parameterValues: [['Device.X']] }, /must be \[name, value, type\?\]/],
      [{ name: 'addObject', objectName: 'Device.NAT.PortMapping' }, /must name an object/],
      [{ name: 'deleteObject', objectName: 'Device.NAT.PortMapping.' }, /must name an instance/],
    ];
    for (const [body, reason] of cases) {
      const res = await post(key, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const answer = (await res.json()) as { error: string; code: string };
      assert.match(answer.error, reason);
      assert.equal(answer.code, 'ACS_ERR_BAD_REQUEST');
    }
    assert.equal((await post('not-a-device-id-at-all', { name: 'reboot' })).status, 400);
    assert.deepEqual(await t.acs.store.pendingRequests(key), []);
  });
});
