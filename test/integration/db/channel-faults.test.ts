import assert from 'node:assert/strict';
import type { ChannelFault, SessionResult } from '../../../src/db/types';
import { deviceKeyOf } from '../../../src/model/device-key';
import { acknowledged, describeEachDriver, newDeviceId, pv, session, type SessionSpec } from '../../helpers/db';

const T0 = 1_700_000_000_000;
const MIN = 60_000;

function fault(channel: string, extra: Partial<ChannelFault> = {}): ChannelFault {
  return {
    channel,
    code: 'script.error',
    message: `ReferenceError in ${channel}`,
    retries: 1,
    firstTime: T0,
    time: T0,
    nextRetry: T0 + 5 * MIN,
    ...extra,
  };
}

const full = (channel: string) =>
  fault(channel, { preset: 'wifi-defaults', script: 'provisions/wifi.js', line: 12, column: 7, code: 'cwmp.9007' });

function withChanges(spec: SessionSpec, changes: Pick<SessionResult, 'channelFaults' | 'tags'>): SessionResult {
  return { ...session(spec), ...changes };
}

describeEachDriver('db channel faults and session tags', 'acs_test_db_channel_faults', (ctx) => {
  it('commits channel faults, read back sorted by channel with the optional fields as given', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    const set = [fault('wifi'), full('Default'), fault('fw/upgrade ü')];
    await ctx.store.commitSession(withChanges({ deviceId }, { channelFaults: { set, cleared: [] } }));
    const expected = [full('Default'), fault('fw/upgrade ü'), fault('wifi')];
    assert.deepEqual(await ctx.store.getChannelFaults(key), expected);
    assert.deepEqual((await ctx.store.getDevice(key))?.channelFaults, expected);
    assert.equal('preset' in (await ctx.store.getChannelFaults(key))[2], false, 'absent optionals stay absent');
  });

  it('a later session updates, clears, and leaves unmentioned channels alone', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    await ctx.store.commitSession(withChanges({ deviceId }, { channelFaults: { set: [fault('a'), full('b'), fault('c')], cleared: [] } }));
    // b faults again (its preset/script now unknown), a ran clean, c was not run; "zzz" never faulted.
    const again = fault('b', { retries: 2, time: T0 + MIN, nextRetry: T0 + 20 * MIN, message: 'timeout', code: 'script.timeout' });
    await ctx.store.commitSession(withChanges({ deviceId, time: T0 + MIN }, { channelFaults: { set: [again], cleared: ['a', 'zzz'] } }));
    assert.deepEqual(await ctx.store.getChannelFaults(key), [again, fault('c')]);
  });

  it('a channel both set and cleared ends up cleared; the last of duplicates wins', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    const set = [fault('x'), fault('y'), fault('y', { retries: 3 })];
    await ctx.store.commitSession(withChanges({ deviceId }, { channelFaults: { set, cleared: ['x'] } }));
    assert.deepEqual(await ctx.store.getChannelFaults(key), [fault('y', { retries: 3 })]);
  });

  it('channel names are case-sensitive', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    await ctx.store.commitSession(withChanges({ deviceId }, { channelFaults: { set: [fault('wifi'), fault('WiFi')], cleared: [] } }));
    assert.deepEqual((await ctx.store.getChannelFaults(key)).map((f) => f.channel), ['WiFi', 'wifi']);
    await ctx.store.commitSession(withChanges({ deviceId, time: T0 + 1 }, { channelFaults: { set: [], cleared: ['WIFI', 'wifi'] } }));
    assert.deepEqual((await ctx.store.getChannelFaults(key)).map((f) => f.channel), ['WiFi']);
  });

  it('committing the same result twice gives the same data', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    await ctx.store.commitSession(withChanges({ deviceId }, { channelFaults: { set: [fault('old')], cleared: [] }, tags: { add: ['gone'], remove: [] } }));
    const s = withChanges(
      { deviceId, time: T0 + MIN, params: [pv('Device.DeviceInfo.SoftwareVersion', '2.0')] },
      { channelFaults: { set: [full('new'), fault('other', { retries: 4 })], cleared: ['old'] }, tags: { add: ['fw-2', 'lab'], remove: ['gone'] } },
    );
    await ctx.store.commitSession(s);
    const first = await ctx.store.getDevice(key);
    await ctx.store.commitSession(s);
    assert.deepEqual(await ctx.store.getDevice(key), first);
    assert.deepEqual(first?.channelFaults.map((f) => f.channel), ['new', 'other']);
    assert.deepEqual(first?.tags, ['fw-2', 'lab']);
  });

  it('tags through commitSession: add, remove, both (removed), alongside setTags', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    await ctx.store.commitSession(withChanges({ deviceId }, { tags: { add: ['provisioned', 'b', 'b'], remove: [] } }));
    await ctx.store.setTags(key, ['operator'], []);
    assert.deepEqual(await ctx.store.getTags(key), ['b', 'operator', 'provisioned']);
    await ctx.store.commitSession(withChanges({ deviceId, time: T0 + 1 }, { tags: { add: ['c', 'flip'], remove: ['b', 'flip', 'never-there'] } }));
    assert.deepEqual(await ctx.store.getTags(key), ['c', 'operator', 'provisioned']);
    assert.deepEqual((await ctx.store.getDevice(key))?.tags, ['c', 'operator', 'provisioned']);
    // "pad" and "pad " are two tags (NO PAD collation): adding both must not fail.
    await ctx.store.commitSession(withChanges({ deviceId, time: T0 + 1 }, { tags: { add: ['pad', 'pad '], remove: [] } }));
    await ctx.store.setTags(key, ['pad '], ['pad', 'pad ']);
    // A result without the optional fields changes neither.
    await ctx.store.commitSession(session({ deviceId, time: T0 + 2 }));
    assert.deepEqual(await ctx.store.getTags(key), ['c', 'operator', 'provisioned']);
  });

  it('tags and channel faults on the first commit of a device that never informed', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    await ctx.store.commitSession(withChanges({ deviceId }, { tags: { add: ['new'], remove: [] }, channelFaults: { set: [fault('c')], cleared: [] } }));
    assert.deepEqual(await ctx.store.getTags(key), ['new']);
    assert.deepEqual(await ctx.store.getChannelFaults(key), [fault('c')]);
  });

  it('unknown devices: no tags, no channel faults, nothing to clear', async () => {
    const key = deviceKeyOf(newDeviceId('NEVER'));
    assert.deepEqual(await ctx.store.getTags(key), []);
    assert.deepEqual(await ctx.store.getChannelFaults(key), []);
    assert.equal(await ctx.store.clearChannelFault(key, 'default'), false);
    assert.equal(await ctx.store.getDevice(key), null, 'reads create no device');
  });

  it('a BOOTSTRAP Inform clears the cached model but keeps channel faults and tags', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    const values = { op: 'values' as const, parameters: [pv('Device.WiFi.SSID.1.SSID', 'home')], time: T0 };
    await ctx.store.commitSession(withChanges({ deviceId, ops: [values] }, { channelFaults: { set: [full('wifi')], cleared: [] }, tags: { add: ['lab'], remove: [] } }));
    await ctx.store.commitSession(await acknowledged(ctx.store, session({ deviceId, events: ['0 BOOTSTRAP', '1 BOOT'], time: T0 + MIN })));
    const d = await ctx.store.getDevice(key);
    assert.deepEqual(d?.parameters, []);
    assert.equal(d?.lastBootstrap, T0 + MIN);
    assert.deepEqual(d?.channelFaults, [full('wifi')]);
    assert.deepEqual(d?.tags, ['lab']);
    // And a bootstrap session may itself set them.
    await ctx.store.commitSession(await acknowledged(ctx.store, withChanges({ deviceId, events: ['0 BOOTSTRAP'], time: T0 + 2 * MIN }, { channelFaults: { set: [fault('wifi', { retries: 2 })], cleared: [] }, tags: { add: ['reset'], remove: [] } })));
    assert.deepEqual(await ctx.store.getChannelFaults(key), [fault('wifi', { retries: 2 })]);
    assert.deepEqual(await ctx.store.getTags(key), ['lab', 'reset']);
  });

  it('clearChannelFault drops one channel of one device, then reports there is none', async () => {
    const a = newDeviceId();
    const b = newDeviceId();
    for (const deviceId of [a, b]) {
      await ctx.store.commitSession(withChanges({ deviceId }, { channelFaults: { set: [fault('wifi'), fault('voip')], cleared: [] } }));
    }
    assert.equal(await ctx.store.clearChannelFault(deviceKeyOf(a), 'wifi'), true);
    assert.equal(await ctx.store.clearChannelFault(deviceKeyOf(a), 'wifi'), false);
    assert.equal(await ctx.store.clearChannelFault(deviceKeyOf(a), 'WIFI'), false);
    assert.deepEqual((await ctx.store.getChannelFaults(deviceKeyOf(a))).map((f) => f.channel), ['voip']);
    assert.deepEqual((await ctx.store.getChannelFaults(deviceKeyOf(b))).map((f) => f.channel), ['voip', 'wifi']);
    await assert.rejects(ctx.store.clearChannelFault(deviceKeyOf(a), ''), /Invalid channel/);
  });

  it('an invalid channel fault or tag rolls the whole session back', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    const bad: [Pick<SessionResult, 'channelFaults' | 'tags'>, RegExp][] = [
      [{ channelFaults: { set: [fault('x'.repeat(256))], cleared: [] } }, /Invalid channel/],
      [{ channelFaults: { set: [fault(' padded ')], cleared: [] } }, /Invalid channel/],
      [{ channelFaults: { set: [], cleared: [''] } }, /Invalid channel/],
      [{ channelFaults: { set: [fault('ok', { retries: 1.5 })], cleared: [] } }, /retries must be an integer/],
      [{ channelFaults: { set: [fault('ok', { code: '' })], cleared: [] } }, /code must be/],
      [{ tags: { add: [''], remove: [] } }, /Invalid tag/],
    ];
    for (const [changes, message] of bad) {
      await assert.rejects(ctx.store.commitSession(withChanges({ deviceId }, changes)), message);
      assert.equal(await ctx.store.getDevice(key), null);
    }
    // The longest channel name fits, exactly.
    const longest = 'c'.repeat(255);
    await ctx.store.commitSession(withChanges({ deviceId }, { channelFaults: { set: [fault(longest)], cleared: [] } }));
    assert.deepEqual((await ctx.store.getChannelFaults(key)).map((f) => f.channel), [longest]);
  });

  it('a huge message is clipped, not a failed commit', async () => {
    const deviceId = newDeviceId();
    const key = deviceKeyOf(deviceId);
    const s = withChanges({ deviceId }, { channelFaults: { set: [fault('big', { message: 'ü'.repeat(100_000) })], cleared: [] } });
    await ctx.store.commitSession(s);
    await ctx.store.commitSession(s);
    const [stored] = await ctx.store.getChannelFaults(key);
    assert.equal(stored.message.length, 16_384);
    assert.ok(stored.message.endsWith('…'));
  });
});
