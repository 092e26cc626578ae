/**
 * Issue 8 regressions of the session and the engine: an answered event is
 * carried by later sessions until its provisioning is done; an action is done
 * once, whatever the BOOTSTRAP that follows it clears.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CpeRequest, CwmpMessage } from '../../src/cwmp/soap/types';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import Redis from 'ioredis';
import { readCookie, SESSION_COOKIE } from '../../src/cwmp/http/cookies';
import { RedisSessionStore } from '../../src/cwmp/session/redis-store';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { inform, ScriptedCpe, type Exchange } from '../helpers/cpe';
import { sleep, until } from '../helpers/wait';
import { dirWith } from '../helpers/files';

const TR181 = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');


/** A strict enough CPE for these tests: every value it is asked for exists, as an empty string; every write is taken. */
function answerOf(request: CpeRequest): CwmpMessage {
  switch (request.method) {
    case 'GetParameterValues':
      return { method: 'GetParameterValuesResponse', ParameterList: request.ParameterNames.map((Name) => ({ Name, Value: '', type: 'xsd:string' })) };
    case 'SetParameterValues':
      return { method: 'SetParameterValuesResponse', Status: 0 };
    default:
      throw new Error(`unexpected ${request.method}`);
  }
}

/** Serves the ACS's requests until 204; returns the methods it sent. */
async function serve(c: ScriptedCpe, first: Exchange): Promise<string[]> {
  const sent: string[] = [];
  let ex = first;
  while (ex.status === 200 && ex.envelope) {
    const request = ex.envelope.body as CpeRequest;
    sent.push(request.method);
    ex = await c.reply(ex, answerOf(request));
  }
  assert.equal(ex.status, 204, ex.text);
  return sent;
}

describe('issue 8: an answered event is carried until its provisioning is done', function () {
  this.timeout(60_000);
  let t: TestAcs;
  const cpes: ScriptedCpe[] = [];
  before(async () => {
    const presets = dirWith({ 'first.yaml': 'events: ["0 BOOTSTRAP"]\nchannel: first\nprovisions:\n  - [first]\n' });
    const provisions = dirWith({ 'first.js': "declare('Device.DeviceInfo.ProvisioningCode', { value: 1 }, { value: 'CARRIED' });\n" });
    t = await startTestAcs('issue8_carried', { sessionTimeoutMs: 1000, presetsDir: presets, provisionsDir: provisions });
  });
  after(async () => {
    cpes.forEach((c) => c.close());
    await t?.stop();
  });

  it('a BOOTSTRAP session cut after its InformResponse: the next periodic session runs the BOOTSTRAP preset, then the event is done with', async () => {
    const serial = 'CARRY-1';
    const key = deviceKeyOf(inform(serial, []).DeviceId);
    const c = new ScriptedCpe(t.cwmpUrl);
    cpes.push(c);
    assert.equal((await c.post(inform(serial, ['0 BOOTSTRAP', '1 BOOT']))).envelope?.body.method, 'InformResponse');
    // The CPE goes away; the session times out and is committed without its provisioning.
    await until('the cut session to be ended', async () => ((await t.acs.store.getDevice(key))?.history ?? []).some((h) => h.kind === 'session-timeout'), 10_000);
    assert.deepEqual((await t.acs.store.pendingEvents(key)).map((e) => e.code), ['0 BOOTSTRAP', '1 BOOT']);

    // Its next Inform is a periodic one (the CPE never reports an answered event again).
    c.forgetCookie();
    assert.equal((await c.post(inform(serial, ['2 PERIODIC']))).envelope?.body.method, 'InformResponse');
    const sent = await serve(c, await c.post(null));
    assert.deepEqual(sent, ['GetParameterValues', 'SetParameterValues']);
    assert.deepEqual(await t.acs.store.pendingEvents(key), [], 'done with');
    assert.equal((await t.acs.store.getParameters(key, 'Device.DeviceInfo.ProvisioningCode'))[0]?.value, 'CARRIED');

    // And the session after that has nothing to do.
    assert.equal((await c.post(inform(serial, ['2 PERIODIC']))).envelope?.body.method, 'InformResponse');
    assert.deepEqual(await serve(c, await c.post(null)), []);
  });

  it('an event no preset listens to is kept in the history, not as pending work', async () => {
    const serial = 'CARRY-2';
    const key = deviceKeyOf(inform(serial, []).DeviceId);
    const c = new ScriptedCpe(t.cwmpUrl);
    cpes.push(c);
    assert.equal((await c.post(inform(serial, ['0 BOOTSTRAP', '1 BOOT']))).envelope?.body.method, 'InformResponse');
    await serve(c, await c.post(null));
    assert.equal((await c.post(inform(serial, ['6 CONNECTION REQUEST']))).envelope?.body.method, 'InformResponse');
    assert.deepEqual(await t.acs.store.pendingEvents(key), []);
    // Not acknowledged (a connection request is not redelivered): the session's commit stores its history entry.
    assert.deepEqual(await serve(c, await c.post(null)), []);
    assert.ok((await t.acs.store.getDevice(key))?.history.some((h) => h.kind === 'inform' && JSON.stringify(h.detail) === '["6 CONNECTION REQUEST"]'));
  });
});

describe('issue 8: an action is done once', function () {
  this.timeout(90_000);
  let t: TestAcs;
  let fleet: Fleet | null = null;
  let presets = '';
  before(async () => {
    presets = dirWith({});
    const provisions = dirWith({ 'reset.js': "declare('FactoryReset', null, { value: args[0] });\n" });
    t = await startTestAcs('issue8_reset', { sessionTimeoutMs: 2000, presetsDir: presets, provisionsDir: provisions });
  });
  after(async () => {
    await fleet?.close();
    await t?.stop();
  });

  it('FactoryReset "since a time" is sent exactly once, across 5 periodic sessions after the reset', async () => {
    const reports: string[] = [];
    fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model: loadModel(TR181), devices: 1, serialBase: 'RESET-', concurrency: 1, report: (k, m) => reports.push(`${k}: ${m}`) });
    const f = fleet;
    const device = f.devices[0];
    const key = deviceKeyOf(device.deviceId());
    await f.connectAll();
    const bootstraps = async (): Promise<number> =>
      ((await t.acs.store.getDevice(key))?.history ?? []).filter((h) => h.kind === 'inform' && Array.isArray(h.detail) && h.detail.includes('0 BOOTSTRAP')).length;
    // Wanted from now on: a factory reset at or after a time later than the device's first contact.
    await sleep(10);
    writeFileSync(path.join(presets, 'reset.yaml'), `channel: reset\nprovisions:\n  - [reset, ${Date.now()}]\n`);
    // Periodic sessions until the preset is loaded and the reset done: the device comes back with 0 BOOTSTRAP (BOOT_MS later).
    await until('the device to come back from its reset', async () => {
      await f.connectAll('2 PERIODIC');
      return (await bootstraps()) === 2;
    }, 20_000);
    await f.idle();
    for (let i = 0; i < 5; i++) await f.connectAll('2 PERIODIC');
    assert.equal(await bootstraps(), 2, 'one reset, not one per periodic session');
    assert.deepEqual((await t.acs.store.getDevice(key))?.channelFaults, []);
    assert.equal(f.stats.violations, 0, reports.join('\n'));
  });
});

describe('issue 8: after a front end died while ending a session, the CPE retrying gets its session at once', function () {
  this.timeout(30_000);
  let t: TestAcs;
  let redis: Redis;
  before(async () => {
    // The default session timeout (30 s): what used to be the claim's lease, hence the 8005s.
    t = await startTestAcs('issue8_takeover');
    redis = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    redis?.disconnect();
    await t?.stop();
  });

  it('an Inform with RetryCount > 0 gets an InformResponse within the claim lease, not fault 8005', async () => {
    const serial = 'SN-TAKEOVER';
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const first = await cpe.post(inform(serial, ['1 BOOT']));
    assert.equal(first.envelope?.body.method, 'InformResponse');
    const sid = readCookie(first.headers['set-cookie']?.[0]?.split(';')[0], SESSION_COOKIE) as string;
    // The front end claims the session to end it (default lease), then dies before committing.
    const dying = new RedisSessionStore(redis, t.config.redisPrefix, t.config.sessionTimeoutMs);
    assert.ok(await dying.claimWithLog(sid));
    cpe.close();
    // The CPE saw its connection drop and retries at once.
    const retry = new ScriptedCpe(t.cwmpUrl);
    const started = Date.now();
    const again = await retry.post(inform(serial, ['1 BOOT'], { RetryCount: 1 }));
    const waitedMs = Date.now() - started;
    retry.close();
    const answer = again.envelope?.body.method === 'Fault' ? `Fault ${(again.envelope.body as { FaultCode: number }).FaultCode}` : again.envelope?.body.method;
    assert.equal(answer, 'InformResponse');
    assert.ok(waitedMs < dying.leaseMs + 2_000, `answered after ${waitedMs} ms`);
    // The dead process's session was committed by the takeover, not lost.
    assert.ok((await t.acs.store.getDevice(deviceKeyOf(inform(serial, []).DeviceId)))?.history.some((h) => h.sessionId === sid && h.kind === 'session-replaced'));
  });
});
