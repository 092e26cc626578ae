import assert from 'node:assert/strict';
import { describeEachDriver, newDeviceId, pv, session } from '../helpers/db';

const T0 = 1_700_000_000_000;

/**
 * A first contact's database work in fewer round trips (issue 15 (b)): a
 * transaction's last statements carry its COMMIT, an acknowledgement's new
 * device row is inserted with what follows it, and the reads of a device the
 * facts cache does not know are coalesced with other sessions'. Each keeps
 * the all-or-nothing of its transaction.
 */
describeEachDriver('db first contact', 'acs_test_first_contact', (ctx) => {
  const sql = () => ctx.store.sql;
  const count = async (k: string) => Number((await sql().autocommit((db) => db.select('SELECT COUNT(*) AS n FROM first_contact WHERE k = ?', [k])))[0].n);
  const deviceRows = async (deviceKey: string) => Number((await sql().autocommit((db) => db.select('SELECT COUNT(*) AS n FROM devices WHERE device_key = ?', [deviceKey])))[0].n);

  before(async () => {
    await sql().autocommit((db) => db.run('CREATE TABLE first_contact (k VARCHAR(32) PRIMARY KEY, v INTEGER NOT NULL)'));
  });

  it('a last batch commits the transaction with its statements and the deferred writes; nothing can follow it', async () => {
    const rows = await sql().transaction(async (db) => {
      db.later('INSERT INTO first_contact (k, v) VALUES (?, ?)', ['last-deferred', 1]);
      const [inserted, read] = await db.batch(
        [{ sql: 'INSERT INTO first_contact (k, v) VALUES (?, ?)', params: ['last-batched', 2] }, { sql: 'SELECT v FROM first_contact WHERE k = ?', params: ['last-deferred'] }],
        { last: true },
      );
      assert.equal(inserted.affected, 1);
      await assert.rejects(db.run('INSERT INTO first_contact (k, v) VALUES (?, ?)', ['last-after', 3]), /after the end of its transaction/);
      return read.rows;
    });
    assert.deepEqual(rows.map((r) => Number(r.v)), [1]);
    assert.equal(await count('last-deferred'), 1);
    assert.equal(await count('last-batched'), 1);
    assert.equal(await count('last-after'), 0);
  });

  it('a last batch that fails leaves nothing of its transaction, and its connections carry no open transaction afterwards', async () => {
    await sql().autocommit((db) => db.run('INSERT INTO first_contact (k, v) VALUES (?, ?)', ['taken', 0]));
    // More failing transactions than the pool has connections: each one's connection is reused below.
    for (let i = 0; i < 12; i++) {
      await assert.rejects(
        sql().transaction(async (db) => {
          await db.run('INSERT INTO first_contact (k, v) VALUES (?, ?)', [`half-run-${i}`, i]);
          db.later('INSERT INTO first_contact (k, v) VALUES (?, ?)', [`half-later-${i}`, i]);
          await db.batch([{ sql: 'INSERT INTO first_contact (k, v) VALUES (?, ?)', params: ['taken', i] }], { last: true });
        }),
      );
    }
    for (let i = 0; i < 12; i++) {
      assert.equal(await count(`half-run-${i}`), 0);
      assert.equal(await count(`half-later-${i}`), 0);
    }
    // Were a rollback missing, these inserts would join a stale transaction and vanish with it.
    await Promise.all(Array.from({ length: 12 }, (_, i) => sql().transaction((db) => db.run('INSERT INTO first_contact (k, v) VALUES (?, ?)', [`whole-${i}`, i]))));
    for (let i = 0; i < 12; i++) assert.equal(await count(`whole-${i}`), 1);
  });

  it('a new device acknowledged without events is stored with its history (its INSERT went with the COMMIT)', async () => {
    const result = session({ deviceId: newDeviceId('FC'), events: ['0 BOOTSTRAP', '1 BOOT'], time: T0, params: [pv('Device.DeviceInfo.SoftwareVersion', '1.0')] });
    const entry = { time: T0, kind: 'inform', detail: ['0 BOOTSTRAP', '1 BOOT'], sessionId: result.sessionId };
    const ack = await ctx.store.acknowledgeInform({ sessionId: result.sessionId, deviceKey: result.deviceKey, inform: result.inform, events: [], history: [entry] });
    assert.deepEqual(ack, { pending: null, model: 'new', firstInform: true });
    const detail = await ctx.store.getDevice(result.deviceKey);
    assert.equal(detail?.softwareVersion, '1.0');
    assert.deepEqual(detail?.history, [entry]);
    assert.deepEqual(await ctx.store.pendingEvents(result.deviceKey), []);
  });

  it('a new device acknowledged with events has them pending, recorded under its new row', async () => {
    const result = session({ deviceId: newDeviceId('FC'), events: ['0 BOOTSTRAP', 'M Download'], time: T0 });
    const events = [{ code: '0 BOOTSTRAP', commandKey: '' }, { code: 'M Download', commandKey: 'fw-1' }];
    const ack = await ctx.store.acknowledgeInform({ sessionId: result.sessionId, deviceKey: result.deviceKey, inform: result.inform, events, history: [] });
    assert.equal(ack.model, 'new');
    assert.deepEqual(ack.pending?.map((e) => [e.code, e.commandKey, e.time, e.sessionId]), [['0 BOOTSTRAP', '', T0, result.sessionId], ['M Download', 'fw-1', T0, result.sessionId]]);
    assert.deepEqual(await ctx.store.pendingEvents(result.deviceKey), ack.pending);
    assert.equal(await deviceRows(result.deviceKey), 1);
  });

  it('an acknowledgement whose events cannot be stored leaves no device row behind (the deferred INSERT is rolled back with them)', async () => {
    const result = session({ deviceId: newDeviceId('FC'), events: ['1 BOOT'], time: T0 });
    // A code the column cannot hold (NOT NULL) fails the statement that carries the device row's INSERT.
    const events = [{ code: null as unknown as string, commandKey: '' }];
    await assert.rejects(ctx.store.acknowledgeInform({ sessionId: result.sessionId, deviceKey: result.deviceKey, inform: result.inform, events, history: [] }));
    assert.equal(await deviceRows(result.deviceKey), 0);
    assert.equal(await ctx.store.getDevice(result.deviceKey), null);
  });

  it('first Informs of one device acknowledged at once make one row holding the history entry of each', async () => {
    const deviceId = newDeviceId('FC');
    const acks = [0, 1, 2].map((i) => {
      const result = session({ deviceId, events: ['1 BOOT'], time: T0 + i });
      const entry = { time: T0 + i, kind: 'inform', detail: ['1 BOOT'], sessionId: `race-${i}` };
      return ctx.store.acknowledgeInform({ sessionId: `race-${i}`, deviceKey: result.deviceKey, inform: result.inform, events: [], history: [entry] });
    });
    const models = (await Promise.all(acks)).map((a) => a.model);
    assert.equal(models.filter((m) => m === 'new').length, 1);
    const key = session({ deviceId }).deviceKey;
    assert.equal(await deviceRows(key), 1);
    assert.deepEqual((await ctx.store.getDevice(key))?.history.map((h) => h.sessionId).sort(), ['race-0', 'race-1', 'race-2']);
  });

  it("a fresh model's commit writes the Inform's parameters over none (no rows read), and a later commit reads them back", async () => {
    const deviceId = newDeviceId('FC');
    const params = [pv('Device.DeviceInfo.SoftwareVersion', '1.0'), pv('Device.ManagementServer.ConnectionRequestURL', 'http://192.0.2.1/cr')];
    const first = session({ deviceId, events: ['0 BOOTSTRAP'], time: T0, params });
    await ctx.store.commitSession({ ...first, fresh: true });
    const again = session({ deviceId, time: T0 + 1000, params: [pv('Device.DeviceInfo.SoftwareVersion', '1.1'), params[1]] });
    const { valueChanges } = await ctx.store.commitSession(again);
    assert.deepEqual(valueChanges, [{ path: 'Device.DeviceInfo.SoftwareVersion', old: '1.0', value: '1.1', type: 'xsd:string' }]);
    const leaves = (await ctx.store.getParameters(first.deviceKey)).filter((p) => p.kind === 'leaf').map((p) => [p.path, p.value]);
    assert.deepEqual(leaves, [['Device.DeviceInfo.SoftwareVersion', '1.1'], ['Device.ManagementServer.ConnectionRequestURL', 'http://192.0.2.1/cr']]);
  });

  it('a commit reports every value it changed, thousands included (the webhooks keep those subscribed to; capped here, a refresh cut off the rest)', async () => {
    const deviceId = newDeviceId('VC');
    const counters = (v: string) => Array.from({ length: 1500 }, (_, i) => pv(`Device.X_Stats.${i}.Bytes`, v));
    await ctx.store.commitSession({ ...session({ deviceId, events: ['0 BOOTSTRAP'], time: T0, params: counters('0') }), fresh: true });
    const { valueChanges } = await ctx.store.commitSession(session({ deviceId, time: T0 + 1000, params: counters('7') }));
    assert.equal(valueChanges.length, 1500);
    assert.deepEqual(valueChanges[1499], { path: 'Device.X_Stats.1499.Bytes', old: '0', value: '7', type: 'xsd:string' });
  });

  it('reads of unknown devices made at once each get their own answer (coalesced credentials, events and tasks)', async () => {
    const ids = Array.from({ length: 30 }, () => newDeviceId('FC'));
    const keys = ids.map((deviceId) => session({ deviceId }).deviceKey);
    await ctx.store.setCpeCredentials(keys[3], { username: 'u3', password: 'p3' });
    await ctx.store.enqueueRequest(keys[5], { method: 'Reboot', CommandKey: 'r5' });
    const booted = session({ deviceId: ids[7], events: ['1 BOOT'], time: T0 });
    await ctx.store.acknowledgeInform({ sessionId: booted.sessionId, deviceKey: keys[7], inform: booted.inform, events: [{ code: '1 BOOT', commandKey: '' }], history: [] });
    const read = await Promise.all(keys.map(async (k) => Promise.all([ctx.store.getCpeCredentials(k), ctx.store.pendingRequests(k), ctx.store.pendingEvents(k)])));
    read.forEach(([credentials, requests, events], i) => {
      assert.deepEqual(credentials, i === 3 ? { username: 'u3', password: 'p3' } : null, `credentials of device ${i}`);
      assert.deepEqual(requests.map((r) => r.request?.method), i === 5 ? ['Reboot'] : [], `requests of device ${i}`);
      assert.deepEqual(events.map((e) => e.code), i === 7 ? ['1 BOOT'] : [], `events of device ${i}`);
    });
  });
});
