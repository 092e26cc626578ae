/**
 * An answer is a promise (TR-069 §3.7.1.5: once the ACS answered, the CPE
 * never reports it again). With the database down, an Inform with news and a
 * TransferComplete go unanswered (503 + Retry-After, fault 8005), so the CPE
 * keeps them and retries; once stored, they are answered. A private MariaDB,
 * killed and restarted by the test.
 */
import { strict as assert } from 'node:assert';
import { deviceKeyOf } from '../../src/model/device-key';
import type { TransferComplete } from '../../src/cwmp/soap/types';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { inform, ScriptedCpe, type Exchange } from '../helpers/cpe';
import { privateMariadb, type PrivateService } from '../helpers/private-services';
import { sleep } from '../helpers/wait';
import { dirWith } from '../helpers/files';


describe('durable answers: nothing is answered that could not be stored (private MariaDB)', function () {
  this.timeout(120_000);
  let mariadb: PrivateService;
  let t: TestAcs;
  const cpes: ScriptedCpe[] = [];

  before(async () => {
    mariadb = await privateMariadb();
    // A preset on "1 BOOT": its events are worth keeping (events no preset wants are not kept pending).
    const presets = dirWith({ 'boot.yaml': 'events: ["1 BOOT"]\nchannel: boot\nprovisions:\n  - [boot]\n' });
    const provisions = dirWith({ 'boot.js': "log('booted');\n" });
    t = await startTestAcs('durable_answers', { databaseUrl: `${mariadb.url}/acs_answers`, sessionTimeoutMs: 3000, presetsDir: presets, provisionsDir: provisions });
  });
  after(async () => {
    cpes.forEach((c) => c.close());
    await t?.stop();
    await mariadb?.stop();
  });

  function cpe(): ScriptedCpe {
    const c = new ScriptedCpe(t.cwmpUrl);
    cpes.push(c);
    return c;
  }

  /** Registers a device (first contact, whole session) with the database up. */
  async function registered(serial: string): Promise<ScriptedCpe> {
    const c = cpe();
    assert.equal((await c.post(inform(serial, ['0 BOOTSTRAP', '1 BOOT']))).envelope?.body.method, 'InformResponse');
    assert.equal((await c.post(null)).status, 204);
    return c;
  }

  /** Sends `send` again every 500 ms until the answer is no longer a refusal (the database came back). */
  async function retried(send: () => Promise<Exchange>, refused: (ex: Exchange) => boolean): Promise<Exchange> {
    for (let i = 0; i < 60; i++) {
      const ex = await send();
      if (!refused(ex)) return ex;
      await sleep(500);
    }
    throw new Error('still refused after 30 s');
  }

  it('an Inform with 1 BOOT is answered 503 with Retry-After while the database is down; its event is stored before the InformResponse', async () => {
    const serial = 'ACK-BOOT';
    const key = deviceKeyOf(inform(serial, []).DeviceId);
    const c = await registered(serial);
    await mariadb.kill();
    try {
      const down = await c.post(inform(serial, ['1 BOOT', 'M Reboot'], { Event: [{ EventCode: '1 BOOT', CommandKey: '' }, { EventCode: 'M Reboot', CommandKey: 'rb-7' }] }));
      assert.equal(down.status, 503, down.text);
      assert.ok(Number(down.headers['retry-after']) > 0, 'Retry-After says when to come back');
      assert.match(down.text, /cannot store this Inform/);
    } finally {
      await mariadb.start();
    }
    const up = await retried(() => c.post(inform(serial, ['1 BOOT'], { RetryCount: 1, Event: [{ EventCode: '1 BOOT', CommandKey: '' }, { EventCode: 'M Reboot', CommandKey: 'rb-7' }] })), (ex) => ex.status === 503);
    assert.equal(up.envelope?.body.method, 'InformResponse', up.text);
    // Answered, so stored: the events are there while the session is still open.
    const pending = await t.acs.store.pendingEvents(key);
    assert.deepEqual(pending.map((e) => [e.code, e.commandKey]), [['1 BOOT', ''], ['M Reboot', 'rb-7']]);
    const device = await t.acs.store.getDevice(key);
    assert.ok(device?.history.some((h) => h.kind === 'inform' && JSON.stringify(h.detail) === '["1 BOOT","M Reboot"]'), JSON.stringify(device?.history));
    // The preset runs at the empty POST and needs no RPC: its events are done with at the session's end.
    assert.equal((await c.post(null)).status, 204);
    assert.deepEqual(await t.acs.store.pendingEvents(key), []);
  });

  it('a TransferComplete is answered with fault 8005 while the database is down, and kept once the CPE sends it again', async () => {
    const serial = 'ACK-TC';
    const key = deviceKeyOf(inform(serial, []).DeviceId);
    const c = await registered(serial);
    const open = await c.post(inform(serial, ['7 TRANSFER COMPLETE', 'M Download'], { Event: [{ EventCode: '7 TRANSFER COMPLETE', CommandKey: '' }, { EventCode: 'M Download', CommandKey: 'fw-1' }] }));
    assert.equal(open.envelope?.body.method, 'InformResponse');
    const tc: TransferComplete = {
      method: 'TransferComplete', CommandKey: 'fw-1', FaultStruct: { FaultCode: 0, FaultString: '' }, StartTime: '2026-12-03T10:00:00Z', CompleteTime: '2026-12-03T10:01:00Z',
    };
    await mariadb.kill();
    try {
      const down = await c.post(tc);
      assert.equal(down.envelope?.body.method, 'Fault', down.text);
      assert.equal(down.envelope?.body.method === 'Fault' && down.envelope.body.FaultCode, 8005);
    } finally {
      await mariadb.start();
    }
    const up = await retried(() => c.post(tc), (ex) => ex.envelope?.body.method === 'Fault');
    assert.equal(up.envelope?.body.method, 'TransferCompleteResponse', up.text);
    // In the history before the session ends.
    const history = (await t.acs.store.getDevice(key))?.history ?? [];
    const stored = history.filter((h) => h.kind === 'TransferComplete');
    assert.equal(stored.length, 1, JSON.stringify(history));
    assert.equal((stored[0].detail as { CommandKey: string }).CommandKey, 'fw-1');
    assert.equal((await c.post(null)).status, 204);
    assert.equal(((await t.acs.store.getDevice(key))?.history ?? []).filter((h) => h.kind === 'TransferComplete').length, 1, 'kept once');
  });

  it('a periodic Inform of a known device needs no database: answered while it is down', async () => {
    const serial = 'ACK-PERIODIC';
    const c = await registered(serial);
    // One periodic session with the database up teaches the facts cache what a routine Inform looks like.
    assert.equal((await c.post(inform(serial, ['2 PERIODIC']))).envelope?.body.method, 'InformResponse');
    assert.equal((await c.post(null)).status, 204);
    await mariadb.kill();
    try {
      const ex = await c.post(inform(serial, ['2 PERIODIC']));
      assert.equal(ex.envelope?.body.method, 'InformResponse', ex.text);
      assert.equal((await c.post(null)).status, 204);
    } finally {
      await mariadb.start();
    }
  });

  it('a connection-request Inform no preset wants is not acknowledged: answered while the database is down, its history entry comes with the session commit', async () => {
    const serial = 'ACK-CR';
    const key = deviceKeyOf(inform(serial, []).DeviceId);
    const c = await registered(serial);
    const crEntries = async (): Promise<unknown[]> => ((await t.acs.store.getDevice(key))?.history ?? []).filter((h) => h.kind === 'inform' && JSON.stringify(h.detail) === '["6 CONNECTION REQUEST"]');
    // Database up: nothing stored at the InformResponse, the entry lands with the session's end.
    assert.equal((await c.post(inform(serial, ['6 CONNECTION REQUEST']))).envelope?.body.method, 'InformResponse');
    assert.equal((await crEntries()).length, 0, 'not written before the InformResponse');
    assert.equal((await c.post(null)).status, 204);
    assert.equal((await crEntries()).length, 1, 'written by the session commit');
    // Database down: still answered (the CPE would not report it again); the commit is retried once it is back.
    await mariadb.kill();
    try {
      const ex = await c.post(inform(serial, ['6 CONNECTION REQUEST']));
      assert.equal(ex.envelope?.body.method, 'InformResponse', ex.text);
      assert.notEqual((await c.post(null)).status, 200);
    } finally {
      await mariadb.start();
    }
    for (let i = 0; i < 60 && (await crEntries().catch(() => [])).length < 2; i++) await sleep(500);
    assert.equal((await crEntries()).length, 2, 'the failed commit was retried and kept the entry');
  });
});
