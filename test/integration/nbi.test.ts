import { strict as assert } from 'node:assert';
import type { ChannelFault } from '../../src/db/types';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { newDeviceId, session } from '../helpers/db';

const channelFault = (channel: string): ChannelFault => ({
  channel, code: 'script.error', message: 'boom', preset: 'p', script: 's.js', line: 3, column: 9,
  retries: 2, firstTime: 1_700_000_000_000, time: 1_700_000_060_000, nextRetry: 1_700_000_300_000,
});

describe('northbound API', function () {
  let t: TestAcs;
  before(async () => {
    t = await startTestAcs('nbi');
  });
  after(async () => t?.stop());

  it('answers an unknown device with 404 and a JSON message naming it', async () => {
    const res = await t.nbi(`/devices/00AA11-X-NOPE`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'no device with id 00AA11-X-NOPE', code: 'ACS_ERR_NOT_FOUND' });
  });

  it('refuses a bad limit with 400 naming the parameter', async () => {
    const res = await t.nbi(`/devices?limit=abc`);
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /limit must be an integer from 0 to 1000/);
  });

  it('answers an unknown route with 404 and a wrong method with 405', async () => {
    assert.equal((await t.nbi(`/nothing`)).status, 404);
    assert.equal((await t.nbi(`/devices`, { method: 'DELETE' })).status, 405);
  });

  it('accepts tags for a device with an empty ProductClass that never informed ("OUI--Serial")', async () => {
    await t.acs.store.setTags('00AA11--SNEMPTY', ['new'], []);
    const res = await t.nbi(`/devices/00AA11--SNEMPTY`);
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { productClass: string; tags: string[] }).tags, ['new']);
  });

  it('lists devices with paging, tags included in the detail', async () => {
    await t.acs.store.setTags('00AA11-Box%2D1-SN1', ['lab'], []);
    await t.acs.store.setTags('00AA11-Box%2D1-SN2', ['lab'], []);
    // Pages of one, each naming the next by its X-Next-Cursor: every device once, in the order they were registered.
    const seen: string[] = [];
    for (let cursor: string | null = '0'; cursor !== null; ) {
      const res = await t.nbi(`/devices?limit=1&cursor=${cursor}`);
      const page = (await res.json()) as { deviceKey: string }[];
      assert.ok(page.length <= 1);
      seen.push(...page.map((d) => d.deviceKey));
      cursor = res.headers.get('x-next-cursor');
    }
    assert.deepEqual(seen.filter((k) => k.includes('Box%2D1')), ['00AA11-Box%2D1-SN1', '00AA11-Box%2D1-SN2']);
    assert.equal(new Set(seen).size, seen.length);
    const one = (await (await t.nbi(`/devices/${encodeURIComponent('00AA11-Box%2D1-SN1')}`)).json()) as { tags: string[] };
    assert.deepEqual(one.tags, ['lab']);
  });

  describe('DELETE /devices/:id/faults/:channel', () => {
    // A key with a percent-encoded "-" and a channel with a slash, a space and a non-ASCII letter.
    const deviceId = { ...newDeviceId('NBI'), ProductClass: 'Box-2' };
    const channels = ['wifi/5 GHz ü', 'voip'];
    let key = '';
    const url = (k: string, channel: string) => `/devices/${encodeURIComponent(k)}/faults/${encodeURIComponent(channel)}`;

    before(async () => {
      const s = session({ deviceId });
      key = s.deviceKey;
      assert.match(key, /%2D/);
      await t.acs.store.commitSession({ ...s, channelFaults: { set: channels.map(channelFault), cleared: [] } });
    });

    it('GET /devices/:id shows the channel faults', async () => {
      const res = await t.nbi(`/devices/${encodeURIComponent(key)}`);
      assert.equal(res.status, 200);
      assert.deepEqual(((await res.json()) as { channelFaults: ChannelFault[] }).channelFaults, ['voip', 'wifi/5 GHz ü'].map(channelFault));
    });

    it('clears the fault (204, decoded names), invalidates the device facts, then answers 404', async () => {
      const facts = t.acs.deps!.facts;
      assert.equal(await facts.write(key, '0', { credentials: null, pending: false, informHash: 'h', events: [] }), true);
      const res = await t.nbi(url(key, 'wifi/5 GHz ü'), { method: 'DELETE' });
      assert.equal(res.status, 204);
      assert.equal(await res.text(), '');
      assert.deepEqual((await t.acs.store.getChannelFaults(key)).map((f) => f.channel), ['voip']);
      const loaded = await facts.load(key, t.acs.store);
      assert.equal(loaded.version, '1:0', 'the next Inform reads the device from the database (version 1, no task mark)');
      assert.ok(loaded.queue, 'facts were dropped');

      const again = await t.nbi(url(key, 'wifi/5 GHz ü'), { method: 'DELETE' });
      assert.equal(again.status, 404);
      assert.deepEqual(await again.json(), { error: `no fault of channel wifi/5 GHz ü on device ${key}`, code: 'ACS_ERR_NOT_FOUND' });
    });

    it('answers 404 for an unknown device or a channel that never faulted, without touching the facts', async () => {
      const unknown = await t.nbi(url('00AA11-X-NOPE', 'voip'), { method: 'DELETE' });
      assert.equal(unknown.status, 404);
      assert.equal(((await unknown.json()) as { code: string }).code, 'ACS_ERR_NOT_FOUND');
      const version = (await t.acs.deps!.facts.load(key, t.acs.store)).version;
      assert.equal((await t.nbi(url(key, 'VOIP'), { method: 'DELETE' })).status, 404);
      assert.equal((await t.acs.deps!.facts.load(key, t.acs.store)).version, version);
    });

    it('refuses bad percent-encoding and invalid channel names with 400', async () => {
      const bad = [
        `/devices/${encodeURIComponent(key)}/faults/%E0%A4%A`,
        `/devices/%ZZ/faults/voip`,
        url(key, ' voip'),
        url(key, 'x'.repeat(256)),
      ];
      for (const u of bad) {
        const res = await t.nbi(u, { method: 'DELETE' });
        assert.equal(res.status, 400, u);
        const body = (await res.json()) as { error: string; code: string };
        assert.equal(body.code, 'ACS_ERR_BAD_REQUEST');
        assert.match(body.error, /percent-encoding|channel must be/);
      }
      assert.deepEqual((await t.acs.store.getChannelFaults(key)).map((f) => f.channel), ['voip']);
      assert.equal((await t.nbi(`/devices/%ZZ`)).status, 400, 'the GET route decodes the same way');
    });

    it('a raw (unencoded) "%2D" in the device id is decoded once, like the GET route', async () => {
      // "Box%2D2" sent as is names "Box-2": then the id has a part too many, and is refused as no device id.
      const res = await t.nbi(`/devices/${key}/faults/voip`, { method: 'DELETE' });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, /must be a device id/);
      assert.equal((await t.nbi(url(key, 'voip'), { method: 'DELETE' })).status, 204);
    });
  });

  describe('GET /faults, DELETE /faults/<device>:<channel>', () => {
    const keys: string[] = [];
    before(async () => {
      for (const [i, channels] of [['a:b', 'wifi'], ['wifi']].entries()) {
        const s = session({ deviceId: newDeviceId(`FLT${i}`) });
        keys.push(s.deviceKey);
        await t.acs.store.commitSession({ ...s, channelFaults: { set: channels.map(channelFault), cleared: [] } });
      }
    });

    it('lists channel faults across devices, filtered by device, channel or code', async () => {
      const all = (await (await t.nbi('/faults?code=script.error&limit=1000')).json()) as (ChannelFault & { device: string })[];
      const ours = all.filter((f) => keys.includes(f.device));
      assert.deepEqual(ours.map((f) => [keys.indexOf(f.device), f.channel]).sort(), [[0, 'a:b'], [0, 'wifi'], [1, 'wifi']]);
      assert.deepEqual(ours[0].script, 's.js');
      const one = (await (await t.nbi(`/faults?device=${encodeURIComponent(keys[1])}`)).json()) as { channel: string }[];
      assert.deepEqual(one.map((f) => f.channel), ['wifi']);
      assert.deepEqual(await (await t.nbi('/faults?channel=nothing')).json(), []);
      assert.equal((await t.nbi('/faults?limit=5000')).status, 400);
    });

    it('clears one by its GenieACS id, a channel with a colon included', async () => {
      const id = (channel: string) => encodeURIComponent(`${keys[0]}:${channel}`);
      assert.equal((await t.nbi(`/faults/${id('a:b')}`, { method: 'DELETE' })).status, 204);
      assert.deepEqual((await t.acs.store.getChannelFaults(keys[0])).map((f) => f.channel), ['wifi']);
      assert.equal((await t.nbi(`/faults/${id('a:b')}`, { method: 'DELETE' })).status, 404);
      assert.equal((await t.nbi(`/faults/${encodeURIComponent(keys[0])}`, { method: 'DELETE' })).status, 400);
    });
  });
});
