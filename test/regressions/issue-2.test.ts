import { strict as assert } from 'node:assert';
import Redis from 'ioredis';
import { encode } from '../../src/cwmp/soap/encode';
import { deviceKeyOf } from '../../src/model/device-key';
import { inform, param, ScriptedCpe } from '../helpers/cpe';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { sleep } from '../helpers/wait';

const keyOf = (serial: string): string => deviceKeyOf(inform(serial, []).DeviceId);

/** Findings of the review of the session engine (race, stuck queue, poison Inform, replayed answers, stale locks). */
describe('regressions: session engine review', function () {
  let t: TestAcs;
  let redis: Redis;
  before(async () => {
    t = await startTestAcs('regressions', { sessionTimeoutMs: 800, cwmpAuth: 'none' });
    redis = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    redis?.disconnect();
    await t?.stop();
  });

  it('refuses an answer that arrives after its session timed out, and keeps the request queued', async () => {
    const key = keyOf('SN-LATE');
    await t.acs.store.enqueueRequest(key, { method: 'GetParameterValues', ParameterNames: ['Device.DeviceInfo.UpTime'] });
    const cpe = new ScriptedCpe(t.cwmpUrl);
    await cpe.post(inform('SN-LATE', ['2 PERIODIC']));
    const ex = await cpe.post(null);
    await sleep(t.config.sessionTimeoutMs + 1500);
    const late = await cpe.reply(ex, { method: 'GetParameterValuesResponse', ParameterList: [param('Device.DeviceInfo.UpTime', '1', 'xsd:unsignedInt')] });
    assert.equal(late.status, 400);
    assert.match(late.text, /session/);
    cpe.close();
    assert.equal((await t.acs.store.pendingRequests(key)).length, 1);
  });

  it('keeps a request answered with the wrong response pending, and sends it next session', async () => {
    const key = keyOf('SN-WRONGRESP');
    await t.acs.store.enqueueRequest(key, { method: 'GetRPCMethods' });
    const a = new ScriptedCpe(t.cwmpUrl);
    await a.post(inform('SN-WRONGRESP', ['1 BOOT']));
    const ex = await a.post(null);
    assert.equal((await a.reply(ex, { method: 'RebootResponse' })).status, 204);
    a.close();
    const b = new ScriptedCpe(t.cwmpUrl);
    await b.post(inform('SN-WRONGRESP', ['2 PERIODIC']));
    assert.equal((await b.post(null)).envelope?.body.method, 'GetRPCMethods');
    b.close();
  });

  it('asks again when a response carries another cwmp:ID (a stale duplicate), recording nothing', async () => {
    const key = keyOf('SN-WRONGID');
    await t.acs.store.enqueueRequest(key, { method: 'GetParameterValues', ParameterNames: ['Device.DeviceInfo.UpTime'] });
    const cpe = new ScriptedCpe(t.cwmpUrl);
    await cpe.post(inform('SN-WRONGID', ['2 PERIODIC']));
    const ex = await cpe.post(null);
    const resp = { method: 'GetParameterValuesResponse' as const, ParameterList: [param('Device.DeviceInfo.UpTime', '5', 'xsd:unsignedInt')] };
    const again = await cpe.post(resp, { ID: 'totally-wrong' });
    assert.equal(again.envelope?.body.method, 'GetParameterValues');
    assert.equal(again.envelope?.header.ID, ex.envelope?.header.ID);
    assert.equal((await cpe.reply(ex, resp)).status, 204);
    cpe.close();
    assert.deepEqual(await t.acs.store.pendingRequests(key), []);
  });

  it('refuses with 8003 an Inform whose parameter names the store cannot keep, and stores nothing', async () => {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const bad = inform('SN-LONGNAME', ['2 PERIODIC']);
    bad.ParameterList.push(param(`Device.${'X'.repeat(600)}`, 'v'));
    const ex = await cpe.post(bad);
    assert.equal((ex.envelope?.body as { FaultCode?: number }).FaultCode, 8003);
    cpe.close();
    assert.equal(await t.acs.store.getDevice(keyOf('SN-LONGNAME')), null);
    const ok = new ScriptedCpe(t.cwmpUrl);
    assert.equal((await ok.post(inform('SN-LONGNAME', ['2 PERIODIC']))).envelope?.body.method, 'InformResponse', 'the device is not locked out');
    assert.equal((await ok.post(null)).status, 204);
    ok.close();
  });

  it('breaks a lock whose session no longer exists (its process died), instead of refusing the device', async () => {
    await redis.set(`${t.config.redisPrefix}lock:${keyOf('SN-STALELOCK')}`, 'dead-session', 'PX', 60_000);
    const cpe = new ScriptedCpe(t.cwmpUrl);
    assert.equal((await cpe.post(inform('SN-STALELOCK', ['2 PERIODIC']))).envelope?.body.method, 'InformResponse');
    assert.equal((await cpe.post(null)).status, 204);
    cpe.close();
  });

  it('leaves nothing in Redis for an Inform refused by authentication', async () => {
    const locked = await startTestAcs('regressions_auth', { cwmpAuth: 'digest', cwmpUsername: 'u', cwmpPassword: 'p' });
    try {
      const cpe = new ScriptedCpe(locked.cwmpUrl);
      const xml = encode({ header: { ID: '1' }, body: inform('SN-NOAUTH', ['2 PERIODIC']), namespace: 'urn:dslforum-org:cwmp-1-2' });
      assert.equal((await cpe.postRaw(xml)).status, 401);
      cpe.close();
      assert.deepEqual(await redis.keys(`${locked.config.redisPrefix}dev:*`), []);
    } finally {
      await locked.stop();
    }
  });
});
