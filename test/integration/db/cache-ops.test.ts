import assert from 'node:assert/strict';
import type { ParameterInfoStruct } from '../../../src/cwmp/soap/types';
import type { CacheOp, CachedParameter } from '../../../src/db/types';
import { deviceKeyOf } from '../../../src/model/device-key';
import { describeEachDriver, newDeviceId, pv, session, type StoreContext } from '../../helpers/db';

const T0 = 1_700_000_000_000;

/** Commits `ops` as one session of a fresh device (or of `deviceId`); returns its key. */
async function commit(ctx: StoreContext, ops: CacheOp[], deviceId = newDeviceId(), time = T0): Promise<string> {
  await ctx.store.commitSession(session({ deviceId, ops, time }));
  return deviceKeyOf(deviceId);
}

const info = (Name: string, Writable = false): ParameterInfoStruct => ({ Name, Writable });
const paths = (rows: CachedParameter[]) => rows.map((r) => r.path);

/** The object rows and leaves of "Device.IP.Interface.{1,10}." plus a "_" sibling. */
const ipModel = (): ParameterInfoStruct[] =>
  ['Device.IP.', 'Device.IP.Interface.', 'Device.IP.Interface.1.', 'Device.IP.Interface.1.Name', 'Device.IP.Interface.10.',
    'Device.IP.Interface.10.Name', 'Device.IP.X_VEN_Flag', 'Device.IP.XAVENAFlag'].map((n) => info(n));

describeEachDriver('db cache ops', 'acs_test_db_cache_ops', (ctx) => {
  it('values: creates leaves with their ancestors and always refreshes value_time', async () => {
    const id = newDeviceId();
    const op = (time: number): CacheOp => ({ op: 'values', parameters: [pv('Device.WiFi.SSID.2.SSID', 'guest')], time });
    const key = await commit(ctx, [op(T0)], id);
    await commit(ctx, [op(T0 + 1000)], id, T0 + 1000);
    const rows = await ctx.store.getParameters(key);
    assert.deepEqual(rows.map((r) => [r.path, r.kind]), [
      ['Device.', 'object'], ['Device.WiFi.', 'object'], ['Device.WiFi.SSID.', 'object'],
      ['Device.WiFi.SSID.2.', 'instance'], ['Device.WiFi.SSID.2.SSID', 'leaf'],
    ]);
    assert.equal(rows[4].valueTime, T0 + 1000, 'an explicit read refreshes value_time even if unchanged');
  });

  it('names: kinds, writability and names_time', async () => {
    const key = await commit(ctx, [{ op: 'names', path: 'Device.IP.', nextLevel: false, parameters: [info('Device.IP.', true), ...ipModel().slice(1)], time: T0 }]);
    const rows = await ctx.store.getParameters(key, 'Device.IP.');
    const byPath = new Map(rows.map((r) => [r.path, r]));
    assert.equal(byPath.get('Device.IP.')?.writable, true);
    assert.equal(byPath.get('Device.IP.Interface.')?.kind, 'object');
    assert.equal(byPath.get('Device.IP.Interface.10.')?.kind, 'instance');
    assert.equal(byPath.get('Device.IP.X_VEN_Flag')?.kind, 'leaf');
    assert.equal(byPath.get('Device.IP.X_VEN_Flag')?.namesTime, T0);
    assert.equal(byPath.get('Device.IP.X_VEN_Flag')?.writable, false);
  });

  it('names with nextLevel=false deletes what vanished from the subtree', async () => {
    const id = newDeviceId();
    const key = await commit(ctx, [
      { op: 'names', path: 'Device.IP.', nextLevel: false, parameters: ipModel(), time: T0 },
      { op: 'values', parameters: [pv('Device.IPsec.Enable', 'true', 'xsd:boolean')], time: T0 },
    ], id);
    const without10 = ipModel().filter((p) => !p.Name.startsWith('Device.IP.Interface.10.'));
    await commit(ctx, [{ op: 'names', path: 'Device.IP.', nextLevel: false, parameters: without10, time: T0 + 1 }], id);
    const after = paths(await ctx.store.getParameters(key));
    assert.ok(!after.some((p) => p.startsWith('Device.IP.Interface.10.')));
    assert.ok(after.includes('Device.IP.Interface.1.Name'));
    assert.ok(after.includes('Device.IPsec.Enable'), 'a sibling sharing the prefix "Device.IP" is outside the subtree');
  });

  it('names with nextLevel=true deletes unlisted direct children and their subtrees only', async () => {
    const id = newDeviceId();
    const key = await commit(ctx, [{ op: 'names', path: 'Device.IP.', nextLevel: false, parameters: ipModel(), time: T0 }], id);
    const children = [info('Device.IP.Interface.1.', true)];
    await commit(ctx, [{ op: 'names', path: 'Device.IP.Interface.', nextLevel: true, parameters: children, time: T0 + 1 }], id);
    assert.deepEqual(paths(await ctx.store.getParameters(key, 'Device.IP.')), [
      'Device.IP.', 'Device.IP.Interface.', 'Device.IP.Interface.1.', 'Device.IP.Interface.1.Name', 'Device.IP.XAVENAFlag', 'Device.IP.X_VEN_Flag',
    ]);
    // A leaf GetParameterNames (no trailing ".") deletes nothing.
    await commit(ctx, [{ op: 'names', path: 'Device.IP.X_VEN_Flag', nextLevel: false, parameters: [info('Device.IP.X_VEN_Flag', true)], time: T0 + 2 }], id);
    assert.equal((await ctx.store.getParameters(key, 'Device.IP.')).length, 6);
  });

  it('names with nextLevel=true stamps the listed object, so an empty table is known to be empty', async () => {
    const key = await commit(ctx, [{ op: 'names', path: 'Device.NAT.PortMapping.', nextLevel: true, parameters: [], time: T0 + 3 }]);
    const rows = await ctx.store.getParameters(key, 'Device.NAT.PortMapping.');
    // The stamp is the object's valueTime (when its children were listed); the listing says nothing of its own writability.
    assert.deepEqual(rows.map((r) => [r.path, r.kind, r.valueTime, r.namesTime]), [['Device.NAT.PortMapping.', 'object', T0 + 3, null]]);
  });

  it('attributes and set-attributes', async () => {
    const id = newDeviceId();
    const name = 'Device.DeviceInfo.ProvisioningCode';
    const key = await commit(ctx, [{ op: 'attributes', parameters: [{ Name: name, Notification: 2, AccessList: ['Subscriber'] }], time: T0 }], id);
    let [row] = await ctx.store.getParameters(key, name);
    assert.deepEqual([row.notification, row.accessList, row.attributesTime, row.kind], [2, ['Subscriber'], T0, 'leaf']);
    await commit(ctx, [{ op: 'set-attributes', parameters: [{ Name: name, Notification: 1 }], time: T0 + 5 }], id);
    [row] = await ctx.store.getParameters(key, name);
    assert.deepEqual([row.notification, row.accessList, row.attributesTime], [1, ['Subscriber'], T0 + 5]);
    await commit(ctx, [{ op: 'set-attributes', parameters: [{ Name: name, AccessList: [] }], time: T0 + 6 }], id);
    [row] = await ctx.store.getParameters(key, name);
    assert.deepEqual([row.notification, row.accessList], [1, []]);
  });

  it('add-instance creates the instance object row', async () => {
    const key = await commit(ctx, [{ op: 'add-instance', path: 'Device.NAT.PortMapping.3.', time: T0 }]);
    const rows = await ctx.store.getParameters(key, 'Device.NAT.');
    assert.deepEqual(rows.map((r) => [r.path, r.kind]), [
      ['Device.NAT.', 'object'], ['Device.NAT.PortMapping.', 'object'], ['Device.NAT.PortMapping.3.', 'instance'],
    ]);
  });

  it('delete-subtree removes exactly the instance, not a sibling sharing its prefix or "_" look-alikes', async () => {
    const id = newDeviceId();
    const extra = ['Device.IP.Interface.1_X.Name', 'Device.IP.Interface.1X.Name'].map((n) => pv(n, 'x'));
    const key = await commit(ctx, [
      { op: 'names', path: 'Device.IP.', nextLevel: false, parameters: ipModel(), time: T0 },
      { op: 'values', parameters: extra, time: T0 },
    ], id);
    await commit(ctx, [{ op: 'delete-subtree', path: 'Device.IP.Interface.1.', time: T0 + 1 }], id);
    const after = paths(await ctx.store.getParameters(key, 'Device.IP.Interface.'));
    assert.deepEqual(after, [
      'Device.IP.Interface.', 'Device.IP.Interface.10.', 'Device.IP.Interface.10.Name',
      'Device.IP.Interface.1X.', 'Device.IP.Interface.1X.Name', 'Device.IP.Interface.1_X.', 'Device.IP.Interface.1_X.Name',
    ]);
    // "_" is LIKE's any-character: deleting X_VEN. must not take XAVEN. with it.
    const lookAlikes = ['Device.X_VEN.A', 'Device.XAVEN.A', 'Device.X_VEN%.A'].map((n) => pv(n, 'x'));
    await commit(ctx, [{ op: 'values', parameters: lookAlikes, time: T0 + 2 }], id);
    await commit(ctx, [{ op: 'delete-subtree', path: 'Device.X_VEN.', time: T0 + 3 }], id);
    assert.deepEqual(paths(await ctx.store.getParameters(key, 'Device.X')), [
      'Device.XAVEN.', 'Device.XAVEN.A', 'Device.X_VEN%.', 'Device.X_VEN%.A',
    ]);
  });

  it('applies ops in order: delete, re-add, then values under it', async () => {
    const id = newDeviceId();
    const key = await commit(ctx, [{ op: 'values', parameters: [pv('Device.NAT.PortMapping.1.Enable', 'true', 'xsd:boolean')], time: T0 }], id);
    await commit(ctx, [
      { op: 'delete-subtree', path: 'Device.NAT.PortMapping.1.', time: T0 + 1 },
      { op: 'add-instance', path: 'Device.NAT.PortMapping.1.', time: T0 + 2 },
      { op: 'values', parameters: [pv('Device.NAT.PortMapping.1.Description', 'ssh')], time: T0 + 3 },
    ], id, T0 + 3);
    assert.deepEqual(paths(await ctx.store.getParameters(key, 'Device.NAT.PortMapping.1.')), [
      'Device.NAT.PortMapping.1.', 'Device.NAT.PortMapping.1.Description',
    ]);
  });

  it('getParameters matches a plain prefix, sorted by path', async () => {
    const key = await commit(ctx, [{ op: 'values', parameters: ['B', 'a', 'A_1', 'A%'].map((n) => pv(`Device.T.${n}`, n)), time: T0 }]);
    assert.deepEqual(paths(await ctx.store.getParameters(key, 'Device.T.A')), ['Device.T.A%', 'Device.T.A_1']);
    assert.deepEqual(paths(await ctx.store.getParameters(key, 'Device.T.')), ['Device.T.', 'Device.T.A%', 'Device.T.A_1', 'Device.T.B', 'Device.T.a']);
    assert.deepEqual(await ctx.store.getParameters('no-such-device'), []);
  });
});
