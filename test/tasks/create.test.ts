/**
 * Creating a task, on both databases: idempotency keys (one task per key and
 * device, even when two creates race), the task returned by a create equal to
 * the task read back, the SQL round trips a create costs, and download tasks
 * whose fileName must name a file of the file store.
 */
import { strict as assert } from 'node:assert';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import type { DeviceFactsCache } from '../../src/cwmp/session/device-facts';
import { finishTasks, getTask } from '../../src/db/tasks';
import { createFileService, type FileService } from '../../src/files';
import { createLogger } from '../../src/log';
import { deviceKeyOf } from '../../src/model/device-key';
import { createNbiApp } from '../../src/nbi/app';
import { taskRoutes } from '../../src/nbi/routes/tasks';
import { fileDeps } from '../../src/tasks/service';
import { newToken, withToken } from '../helpers/api-token';
import { describeEachDriver, newDeviceId, pv, session } from '../helpers/db';
import { factsCache, serviceBench } from './helpers';

const REBOOT = { name: 'reboot', commandKey: 'rb' };

describeEachDriver('creating tasks', 'acs_test_tasks_create', (ctx) => {
  let facts: DeviceFactsCache;
  let redis: Redis;
  before(() => ({ facts, redis } = factsCache()));
  after(() => redis?.disconnect());

  /** A device the store knows, with `params` in its cached model. */
  async function device(params = [pv('Device.DeviceInfo.UpTime', '5', 'xsd:unsignedInt')]): Promise<string> {
    const result = session({ deviceId: newDeviceId('TC'), params });
    await ctx.store.commitSession(result);
    return result.deviceKey;
  }
  const rows = async (dev: string) => (await ctx.store.sql.autocommit((db) => db.select('SELECT id FROM tasks WHERE device_key = ?', [dev]))).length;
  const read = (id: number) => ctx.store.sql.autocommit((db) => getTask(db, id));

  describe('idempotency keys', () => {
    it('the same key twice gives back the same task, created once', async () => {
      const { service } = serviceBench(ctx.store, facts);
      const dev = await device();
      const first = await service.createAndConnect(dev, REBOOT, { idempotencyKey: 'nightly-1' });
      const again = await service.createAndConnect(dev, REBOOT, { idempotencyKey: 'nightly-1' });
      assert.equal(first.created, true);
      assert.equal(again.created, false);
      assert.equal(again.task.id, first.task.id);
      assert.equal(again.task.idempotencyKey, 'nightly-1');
      assert.equal(await rows(dev), 1);
      // Another key, or none, is another task.
      assert.notEqual((await service.create(dev, REBOOT, { idempotencyKey: 'nightly-2' })).id, first.task.id);
      assert.notEqual((await service.create(dev, REBOOT)).id, (await service.create(dev, REBOOT)).id);
      assert.equal(await rows(dev), 4);
    });

    it('creates racing with one key make one task, and every one of them gets it', async () => {
      const { service } = serviceBench(ctx.store, facts);
      const dev = await device();
      const created = await Promise.all(Array.from({ length: 8 }, () => service.createAndConnect(dev, REBOOT, { idempotencyKey: 'race' })));
      assert.equal(new Set(created.map((c) => c.task.id)).size, 1);
      assert.equal(created.filter((c) => c.created).length, 1);
      assert.equal(await rows(dev), 1);
    });

    it('the key is per device: two devices, one key, two tasks', async () => {
      const { service } = serviceBench(ctx.store, facts);
      const [a, b] = [await device(), await device()];
      const ta = await service.create(a, REBOOT, { idempotencyKey: 'shared' });
      const tb = await service.create(b, REBOOT, { idempotencyKey: 'shared' });
      assert.notEqual(ta.id, tb.id);
      assert.deepEqual([ta.device, tb.device], [a, b]);
    });

    it('gives back the task whatever its status, asking for a connection only while it is not finished', async () => {
      const { service, asked } = serviceBench(ctx.store, facts);
      const dev = await device();
      const first = await service.createAndConnect(dev, REBOOT, { idempotencyKey: 'cr', connectionRequest: true });
      const again = await service.createAndConnect(dev, REBOOT, { idempotencyKey: 'cr', connectionRequest: true });
      assert.deepEqual(asked, [dev, dev], 'asked again: the task is still queued');
      assert.equal(again.connectionRequest?.outcome, 'ok');
      await ctx.store.sql.transaction(async (db) => finishTasks(db, dev, 's1', [{ id: first.task.id, status: 'done', result: {} }], Date.now()));
      const finished = await service.createAndConnect(dev, REBOOT, { idempotencyKey: 'cr', connectionRequest: true });
      assert.equal(finished.task.status, 'done');
      assert.equal(finished.task.id, first.task.id);
      assert.equal(finished.connectionRequest, undefined);
      assert.deepEqual(asked, [dev, dev], 'a finished task needs no connection');
    });

    it('refuses a key over 128 characters or empty, and a key used for another kind of task', async () => {
      const { service } = serviceBench(ctx.store, facts);
      const dev = await device();
      await assert.rejects(service.create(dev, REBOOT, { idempotencyKey: 'k'.repeat(129) }), { code: 'ACS_ERR_BAD_REQUEST', message: /idempotencyKey must be a string of 1 to 128 characters/ });
      await assert.rejects(service.create(dev, REBOOT, { idempotencyKey: '' }), { code: 'ACS_ERR_BAD_REQUEST', message: /idempotencyKey/ });
      assert.equal(await rows(dev), 0);
      assert.equal((await service.create(dev, REBOOT, { idempotencyKey: 'k'.repeat(128) })).idempotencyKey, 'k'.repeat(128));
      const other = service.create(dev, { name: 'factoryReset' }, { idempotencyKey: 'k'.repeat(128) });
      await assert.rejects(other, { code: 'ACS_ERR_CONFLICT', message: /was used for task \d+ \(reboot\), not factoryReset/ });
    });
  });

  describe('round trips and the task returned', () => {
    it('a setParameterValues create costs two statements (the device with its cached types, the insert) and returns the task as read back', async () => {
      // A vendor parameter no BBF model knows: only the device's cache gives its type.
      const dev = await device([pv('Device.X_ACME_Limit', '3', 'xsd:int'), pv('Device.DeviceInfo.UpTime', '5', 'xsd:unsignedInt')]);
      const { service, statements } = serviceBench(ctx.store, facts);
      const body = { name: 'setParameterValues', parameterValues: [['Device.X_ACME_Limit', -4], ['Device.ManagementServer.PeriodicInformInterval', 60]] };
      const task = await service.create(dev, body, { due: 1_900_000_000_000, expiry: 1_900_000_600_000 });
      assert.deepEqual(statements.map((s) => s.trim().split(/\s+/)[0]), ['SELECT', 'INSERT']);
      assert.deepEqual(task, await read(task.id));
      const queued = (await ctx.store.pendingRequests(dev))[0];
      assert.deepEqual(queued.request, {
        method: 'SetParameterValues',
        ParameterList: [
          { Name: 'Device.X_ACME_Limit', Value: '-4', type: 'xsd:int' },
          { Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '60', type: 'xsd:unsignedInt' },
        ],
        ParameterKey: '',
      });
    });

    it('other tasks cost two statements too, and a task of a device the store does not know one', async () => {
      const dev = await device();
      const { service, statements } = serviceBench(ctx.store, facts);
      const task = await service.create(dev, { name: 'download', url: 'http://fw.example/a.bin', fileType: '1 Firmware Upgrade Image' });
      assert.equal(statements.length, 2);
      assert.deepEqual(task, await read(task.id));
      statements.length = 0;
      const unknown = deviceKeyOf(newDeviceId('NONE'));
      await assert.rejects(service.create(unknown, REBOOT), { code: 'ACS_ERR_NOT_FOUND', message: /no device with id/ });
      assert.equal(statements.length, 1);
    });
  });

  describe('download tasks naming a file of the file store', () => {
    let files: FileService;
    before(async () => {
      files = createFileService(ctx.store.sql, { urlBase: 'http://files.example:7567' });
      await files.store.putFile('fw 2.1.bin', Buffer.from('firmware'));
    });
    // As server.ts and acs task wire it.
    const withFiles = () => serviceBench(ctx.store, facts, fileDeps(files));

    it('an uploaded file: the task downloads it from the file server', async () => {
      const dev = await device();
      const task = await withFiles().service.create(dev, { name: 'download', fileName: 'fw 2.1.bin', fileType: '1 Firmware Upgrade Image' });
      assert.equal(task.args.url, 'http://files.example:7567/fw%202.1.bin');
      assert.equal(task.args.fileName, 'fw 2.1.bin');
      const queued = (await ctx.store.pendingRequests(dev))[0];
      assert.equal(queued.request?.method === 'Download' && queued.request.URL, 'http://files.example:7567/fw%202.1.bin');
    });

    it('a name the file store does not hold: 400 naming the field and the file, and nothing stored', async () => {
      const dev = await device();
      const { service } = withFiles();
      await assert.rejects(service.create(dev, { name: 'download', fileName: 'nope.bin', fileType: '1 Firmware Upgrade Image' }), {
        code: 'ACS_ERR_BAD_REQUEST', message: 'fileName: no file named "nope.bin" in the file store',
      });
      await assert.rejects(service.create(dev, { name: 'scheduleDownload', file: 'gone.bin', fileType: '1 Firmware Upgrade Image', timeWindows: [{ windowStart: 0, windowEnd: 60, windowMode: '1 At Any Time' }] }), {
        code: 'ACS_ERR_BAD_REQUEST', message: 'file: no file named "gone.bin" in the file store',
      });
      assert.equal(await rows(dev), 0);
    });

    it('over REST: 400 naming the unknown file; 202 with the stored file\'s URL', async () => {
      const dev = await device();
      const app = createNbiApp({ store: ctx.store, log: createLogger('silent'), routers: [taskRoutes(withFiles().service)], tokenRate: 0, searchStatementMs: 0 });
      const token = await newToken(ctx.store);
      const server = app.listen(0, '127.0.0.1');
      await once(server, 'listening');
      try {
        const post = (body: unknown) => fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/devices/${encodeURIComponent(dev)}/tasks`, withToken(token, { method: 'POST', body: JSON.stringify(body) }));
        const refused = await post({ name: 'download', fileName: 'missing.bin', fileType: '1 Firmware Upgrade Image' });
        assert.equal(refused.status, 400);
        assert.deepEqual(await refused.json(), { error: 'fileName: no file named "missing.bin" in the file store', code: 'ACS_ERR_BAD_REQUEST', field: 'body.fileName' });
        const accepted = await post({ name: 'download', fileName: 'fw 2.1.bin', fileType: '1 Firmware Upgrade Image' });
        assert.equal(accepted.status, 202);
        assert.equal(((await accepted.json()) as { url: string }).url, 'http://files.example:7567/fw%202.1.bin');
      } finally {
        server.close();
      }
    });
  });
});
