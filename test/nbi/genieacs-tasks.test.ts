/**
 * The GenieACS-compatible REST API's tasks and ping (issue 11 §2), against
 * GenieACS's documented examples: POST /devices/:id/tasks?timeout=&connection_request
 * on a percent-encoded id with a simulated CPE that answers connection
 * requests, GET /tasks/?query=, DELETE, retry, download with `file`; and
 * GET /ping/:host refusing shell tricks. Over HTTP to the real server.
 */
import { strict as assert } from 'node:assert';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { freePort } from '../helpers/private-services';
import { sleep } from '../helpers/wait';

const NOKIA = path.resolve(__dirname, '../../../shared/samples/device-models/device-9075BC-G%2D1425G%2DA-ALCLFC265D6F-2023-03-28T160833431Z.csv');

type Doc = Record<string, unknown>;

describe('GenieACS-compatible API: tasks and ping', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let base: string;
  let fleet: Fleet;
  let key: string;
  let devicePath: string;

  const call = (p: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${base}${p}`, { ...init, headers: { Authorization: `Bearer ${t.token}`, ...(init.headers as Record<string, string>) } });
  /** As curl --data sends it: a form's Content-Type, a JSON body. */
  const postTask = (query: string, body: unknown) =>
    call(`${devicePath}/tasks${query}`, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  const tasksOf = async (query: unknown): Promise<Doc[]> => (await (await call(`/tasks/?query=${encodeURIComponent(JSON.stringify(query))}`)).json()) as Doc[];

  before(async () => {
    const port = await freePort();
    t = await startTestAcs('genieacs_tasks', { genieacsNbiPort: port, connectionRequestIntervalMs: 0 });
    base = `http://127.0.0.1:${port}`;
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(NOKIA), devices: 1, serialBase: 'GTSK', connectionRequests: true });
    await fleet.connectAll();
    key = deviceKeyOf(fleet.devices[0].deviceId());
    devicePath = `/devices/${encodeURIComponent(key)}`;
    const creds = await t.nbi(`${devicePath}/connection-request-credentials`, { method: 'PUT', body: JSON.stringify({ username: 'cr-GTSK000000', password: 'crpw-GTSK000000' }) });
    assert.equal(creds.status, 204);
  });
  after(async () => {
    await fleet?.close();
    await t?.stop();
  });

  describe('POST /devices/:id/tasks', () => {
    it('?timeout=3000&connection_request (the getParameterValues example): 200 with the task once done; the value then in the device document', async () => {
      const res = await postTask('?timeout=15000&connection_request', { name: 'getParameterValues', parameterNames: ['InternetGatewayDevice.DeviceInfo.SoftwareVersion'] });
      const task = (await res.json()) as Doc;
      assert.equal(res.status, 200, JSON.stringify(task));
      assert.equal(task.device, key);
      assert.equal(task.name, 'getParameterValues');
      assert.deepEqual(task.parameterNames, ['InternetGatewayDevice.DeviceInfo.SoftwareVersion']);
      assert.match(String(task._id), /^\d+$/);
      assert.match(String(task.timestamp), /Z$/);
      assert.deepEqual(await tasksOf({ _id: task._id }), [], 'a done task is gone, as in GenieACS');
      const docs = (await (await call(`/devices/?query=${encodeURIComponent(JSON.stringify({ _id: key }))}&projection=InternetGatewayDevice.DeviceInfo.SoftwareVersion._value`)).json()) as Doc[];
      assert.deepEqual(docs, [{ _id: key, InternetGatewayDevice: { DeviceInfo: { SoftwareVersion: { _value: '3FE49568IJIJ23' } } } }]);
    });

    it('without connection_request: 202 "Task queued but not processed"; listed by GET /tasks/?query={"device": …}; DELETE cancels it (gone, 404 after)', async () => {
      // A query parameter GenieACS does not know (a client's cache buster) is ignored, as GenieACS does (our own API refuses it).
      const res = await postTask('?_=1733000000000', { name: 'reboot' });
      assert.equal(res.status, 202);
      assert.equal(res.statusText, 'Task queued but not processed');
      const task = (await res.json()) as Doc;
      assert.deepEqual((await tasksOf({ device: key })).map((d) => d._id), [task._id]);
      assert.deepEqual((await tasksOf({ device: key, name: { $in: ['factoryReset'] } })), []);
      assert.equal((await call(`/tasks/${String(task._id)}`, { method: 'DELETE' })).status, 200);
      assert.deepEqual(await tasksOf({ device: key }), []);
      assert.equal((await call(`/tasks/${String(task._id)}`, { method: 'DELETE' })).status, 404);
    });

    it('a task the CPE refuses: 202 "Task faulted" with its fault, listed with it; retry queues it again without the fault', async () => {
      await sleep(1100); // the simulated CPE answers 503 to a second connection request within a second
      const res = await postTask('?connection_request&timeout=15000', { name: 'getParameterValues', parameterNames: ['InternetGatewayDevice.NoSuchThing.'] });
      assert.equal(res.status, 202);
      assert.equal(res.statusText, 'Task faulted');
      const task = (await res.json()) as Doc & { fault: { code: unknown; message: string } };
      assert.equal(task.fault.code, 9005);
      const [listed] = await tasksOf({ _id: task._id });
      assert.equal((listed.fault as { code: unknown }).code, 9005);
      assert.deepEqual(await tasksOf({ fault: { $exists: false }, device: key }), []);
      assert.equal((await call(`/tasks/${String(task._id)}/retry`, { method: 'POST' })).status, 200);
      const [again] = await tasksOf({ _id: task._id });
      assert.equal(again.fault, undefined);
      assert.equal(again.retries, 1);
      assert.equal((await call(`/tasks/${String(task._id)}`, { method: 'DELETE' })).status, 200);
      assert.equal((await call(`/tasks/${String(task._id)}/retry`, { method: 'POST' })).status, 200, 'a cancelled task may be retried too');
      assert.equal((await call(`/tasks/${String(task._id)}`, { method: 'DELETE' })).status, 200);
    });

    it('a connection request the device refuses: 202 with "Connection request error: …" in the status line, the task queued; within a wait it is asked again', async () => {
      await sleep(1100);
      assert.equal((await postTask('?connection_request&timeout=15000', { name: 'getRPCMethods' })).status, 200);
      // The simulated CPE answers 503 to a second connection request within a second of the first: asked again within the default wait (3 s).
      assert.equal((await postTask('?connection_request', { name: 'getRPCMethods' })).status, 200, 'asked again after the 503');
      // With no wait (timeout=0) the refusal is the answer, as GenieACS gives it.
      const res = await postTask('?connection_request&timeout=0', { name: 'getRPCMethods' });
      assert.equal(res.status, 202);
      assert.match(res.statusText, /^Connection request error: .*503/);
      const task = (await res.json()) as Doc;
      assert.deepEqual((await tasksOf({ device: key })).map((d) => d._id), [task._id]);
      assert.equal((await call(`/tasks/${String(task._id)}`, { method: 'DELETE' })).status, 200);
    });

    it('download with "file" (the documented example) resolves a file of the store; an unknown file or task name is a 400 and stores nothing', async () => {
      const put = await call('/files/mipsbe-6-42-lite.xml', { method: 'PUT', body: '<config/>', headers: { fileType: '3 Vendor Configuration File' } });
      assert.equal(put.status, 200);
      const res = await postTask('', { name: 'download', file: 'mipsbe-6-42-lite.xml' });
      assert.equal(res.status, 202, await res.clone().text());
      const task = (await res.json()) as Doc;
      assert.equal(task.name, 'download');
      const missing = await postTask('', { name: 'download', file: 'nope.bin' });
      assert.equal(missing.status, 400);
      assert.match(((await missing.json()) as { error: string }).error, /file: no file named "nope.bin"/);
      const unknown = await postTask('', { name: 'explode' });
      assert.equal(unknown.status, 400);
      assert.deepEqual((await tasksOf({ device: key })).map((d) => d._id), [task._id], 'only the good download was stored');
      assert.equal((await call(`/tasks/${String(task._id)}`, { method: 'DELETE' })).status, 200);
      const ghost = `/devices/${encodeURIComponent(deviceKeyOf({ Manufacturer: 'x', OUI: '000000', ProductClass: 'p', SerialNumber: 'none' }))}/tasks`;
      assert.equal((await call(ghost, { method: 'POST', body: '{"name":"reboot"}' })).status, 404);
    });
  });

  describe('GET /ping/:host', () => {
    let bin: string;
    let savedPath: string | undefined;
    /** A stand-in for the system's ping: prints its arguments one per line; answers only for 127.0.0.1. */
    before(() => {
      bin = mkdtempSync(path.join(tmpdir(), 'acs-ping-'));
      writeFileSync(path.join(bin, 'ping'), '#!/bin/sh\nfor a in "$@"; do echo "arg:$a"; done\n[ "$6" = "127.0.0.1" ]\n');
      chmodSync(path.join(bin, 'ping'), 0o755);
      savedPath = process.env.PATH;
      process.env.PATH = `${bin}:${savedPath ?? ''}`;
    });
    after(() => {
      process.env.PATH = savedPath;
      rmSync(bin, { recursive: true, force: true });
    });

    it('runs ping without a shell, the host one argument after the options: 200 with its output; 404 when the host does not answer', async () => {
      const ok = await call('/ping/127.0.0.1');
      assert.equal(ok.status, 200);
      assert.equal(await ok.text(), ['-n', '-c', '3', '-W', '1', '127.0.0.1'].map((a) => `arg:${a}\n`).join(''));
      assert.equal((await call('/ping/example.net')).status, 404);
      assert.equal((await call(`/ping/${encodeURIComponent('2001:db8::1')}`)).status, 404, 'an IPv6 address is a host');
    });

    it('refuses a host that is not an address or a DNS name with 400 (CVE-2021-46704): "127.0.0.1;id", "-c 100", "$(id)", backticks, spaces', async () => {
      for (const host of ['127.0.0.1;id', '-c 100', '-c100', '$(id)', '`id`', 'a b', 'host|id', '127.0.0.1&&id', 'x'.repeat(300)]) {
        const r = await call(`/ping/${encodeURIComponent(host)}`);
        assert.equal(r.status, 400, host);
        assert.match(((await r.json()) as { error: string }).error, /is not an IP address or a DNS name/);
      }
    });
  });
});
