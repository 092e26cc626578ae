import assert from 'node:assert/strict';
import path from 'node:path';
import Redis from 'ioredis';
import { ConnectionRequester, loadBinding, startStunServer, type StunServer } from '../../src/connreq';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { until } from '../helpers/wait';
import { log } from './helpers';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');

describe('connection requests end to end (ACS, simulator, STUN)', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let redis: Redis;
  let stun: StunServer;
  const fleets: Fleet[] = [];

  before(async () => {
    t = await startTestAcs('connreq_e2e');
    redis = new Redis(TEST_REDIS_URL);
    stun = await startStunServer({ port: 0, host: '127.0.0.1', redis, prefix: t.config.redisPrefix, store: t.acs.store, log, lookupCacheMs: 0 });
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await stun?.close();
    const keys = await redis.keys(`${t.config.redisPrefix}cr:*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
    await t?.stop();
  });

  const requester = (): ConnectionRequester =>
    new ConnectionRequester({ store: t.acs.store, redis, prefix: t.config.redisPrefix, log, stun }, { deviceIntervalMs: 0, udp: { copies: 3, intervalMs: 10 } });

  async function informedWith(key: string, event: string): Promise<boolean> {
    const device = await t.acs.store.getDevice(key);
    return (device?.history ?? []).some((h) => h.kind === 'inform' && JSON.stringify(h.detail).includes(event));
  }

  it('HTTP: the ACS reads the cached ConnectionRequestURL and the device opens a "6 CONNECTION REQUEST" session', async () => {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase: 'CRH', connectionRequests: true });
    fleets.push(fleet);
    await fleet.connectAll();
    const key = deviceKeyOf(fleet.devices[0].deviceId());
    const cr = requester();
    // The simulator's credentials are cr-<serial> / crpw-<serial>; the ACS cannot read the password back.
    await cr.setCredentials(key, { username: 'cr-CRH000000', password: 'crpw-CRH000000' });
    const outcome = await cr.request(key);
    assert.equal(outcome.outcome, 'ok', outcome.message);
    await until('the connection-request session', () => informedWith(key, '6 CONNECTION REQUEST'));
  });

  it('UDP: the simulated CPE binds through STUN from its connection-request port; the signed datagram brings a session', async () => {
    const fleet = await Fleet.create({
      acsUrl: t.cwmpUrl,
      model: loadModel(TR181),
      devices: 1,
      serialBase: 'CRU',
      udpConnectionRequests: true,
      stun: { host: '127.0.0.1', port: stun.port, keepAliveMs: 200 },
    });
    fleets.push(fleet);
    await fleet.connectAll();
    const key = deviceKeyOf(fleet.devices[0].deviceId());
    const cr = requester();
    await cr.setCredentials(key, { username: 'cr-CRU000000', password: 'crpw-CRU000000' });
    // Its first Binding Requests came before the credentials were stored (401); a keep-alive brings the binding.
    await until('the STUN binding', async () => (await loadBinding(redis, t.config.redisPrefix, key)) !== null);
    assert.ok((fleet.stun?.stats.challenged ?? 0) >= 1, 'the server requested MESSAGE-INTEGRITY');
    const outcome = await cr.request(key);
    assert.equal(outcome.outcome, 'udp-sent', outcome.message);
    await until('the connection-request session', () => informedWith(key, '6 CONNECTION REQUEST'));
    assert.equal(fleet.stats.violations, 0);
  });
});
