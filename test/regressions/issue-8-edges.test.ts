import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encode } from '../../src/cwmp/soap/encode';
import type { CwmpMessage } from '../../src/cwmp/soap/types';
import { kindOfPath } from '../../src/db/paths';
import { deviceKeyOf } from '../../src/model/device-key';
import { describeEachDriver, newDeviceId, pv, session } from '../helpers/db';
import { inform, ScriptedCpe, type Exchange } from '../helpers/cpe';
import { startTestAcs, type TestAcs } from '../helpers/acs';

const NS = 'urn:dslforum-org:cwmp-1-2';
const keyOf = (serial: string): string => deviceKeyOf(inform(serial, []).DeviceId);

/** The answer to `ex` as XML, with `edit` applied to its text (to write what no encoder would). */
function answerXml(ex: Exchange, body: CwmpMessage, edit: (xml: string) => string): string {
  return edit(encode({ header: { ID: ex.envelope?.header.ID }, body, namespace: NS }));
}

/** Issue 8, section 8: edges found by third-party CPE software. */
describe('regressions: issue 8 edges (instance numbers, encodings, envelope limits)', function () {
  let t: TestAcs;
  before(async () => {
    t = await startTestAcs('issue_8_edges', { cwmpAuth: 'none' });
  });
  after(async () => t?.stop());

  /** Inform, empty POST: the ACS's first queued request comes back. */
  async function sessionAt(serial: string): Promise<{ cpe: ScriptedCpe; ex: Exchange }> {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    await cpe.post(inform(serial, ['2 PERIODIC']));
    return { cpe, ex: await cpe.post(null) };
  }

  for (const bad of ['funcObj', '0', '-3']) {
    it(`refuses an AddObjectResponse with InstanceNumber '${bad}' as a bad response: fault 8003 recorded, nothing stored`, async () => {
      const serial = `SN-INST-${bad}`;
      const key = keyOf(serial);
      await t.acs.store.enqueueRequest(key, { method: 'AddObject', ObjectName: 'Device.NAT.PortMapping.', ParameterKey: '' });
      const { cpe, ex } = await sessionAt(serial);
      assert.equal(ex.envelope?.body.method, 'AddObject');
      const xml = answerXml(ex, { method: 'AddObjectResponse', InstanceNumber: 7, Status: 0 }, (x) =>
        x.replace('<InstanceNumber>7</InstanceNumber>', `<InstanceNumber>${bad}</InstanceNumber>`));
      const end = await cpe.postRaw(xml);
      cpe.close();
      assert.equal(end.status, 204, 'the session goes on (and ends) rather than faulting the CPE');
      const device = await t.acs.store.getDevice(key);
      assert.ok(device);
      assert.deepEqual(device.parameters.filter((p) => p.path.startsWith('Device.NAT.')), []);
      assert.equal(device.faults.length, 1);
      assert.equal(device.faults[0].code, 8003);
      assert.match(device.faults[0].message, new RegExp(`^bad response: AddObjectResponse: InstanceNumber (is not a number|must be an instance number \\(an integer from 1\\)) \\('${bad}'\\)$`));
      const entry = device.history.find((h) => h.kind === 'bad-response');
      assert.deepEqual((entry?.detail as { got: string; want: string }).got, 'AddObjectResponse');
      assert.deepEqual(await t.acs.store.pendingRequests(key), []);
    });
  }

  it('refuses a GetParameterNamesResponse listing instance "0": nothing of it is stored', async () => {
    const key = keyOf('SN-GPN-ZERO');
    await t.acs.store.enqueueRequest(key, { method: 'GetParameterNames', ParameterPath: 'Device.Hosts.Host.', NextLevel: true });
    const { cpe, ex } = await sessionAt('SN-GPN-ZERO');
    const list = [{ Name: 'Device.Hosts.Host.1.', Writable: false }, { Name: 'Device.Hosts.Host.9.', Writable: false }];
    const xml = answerXml(ex, { method: 'GetParameterNamesResponse', ParameterList: list }, (x) => x.replace('Host.9.', 'Host.0.'));
    assert.equal((await cpe.postRaw(xml)).status, 204);
    cpe.close();
    const device = await t.acs.store.getDevice(key);
    assert.deepEqual(device?.parameters.filter((p) => p.path.startsWith('Device.Hosts.')), []);
    assert.match(device?.faults[0]?.message ?? '', /'0' where an instance number \(an integer from 1\) belongs/);
  });

  it('stores a listed "funcObj" under a table as an object, never as an instance', async () => {
    const key = keyOf('SN-GPN-NAME');
    await t.acs.store.enqueueRequest(key, { method: 'GetParameterNames', ParameterPath: 'Device.Hosts.Host.', NextLevel: true });
    const { cpe, ex } = await sessionAt('SN-GPN-NAME');
    const list = [{ Name: 'Device.Hosts.Host.1.', Writable: false }, { Name: 'Device.Hosts.Host.funcObj.', Writable: false }];
    assert.equal((await cpe.reply(ex, { method: 'GetParameterNamesResponse', ParameterList: list })).status, 204);
    cpe.close();
    const kinds = Object.fromEntries((await t.acs.store.getDevice(key))?.parameters.map((p) => [p.path, p.kind]) ?? []);
    assert.equal(kinds['Device.Hosts.Host.1.'], 'instance');
    assert.equal(kinds['Device.Hosts.Host.funcObj.'], 'object');
  });

  it('classifies only canonical positive integers as instances', () => {
    assert.equal(kindOfPath('Device.IP.Interface.3.'), 'instance');
    assert.equal(kindOfPath('Device.IP.Interface.4294967295.'), 'instance');
    for (const p of ['Device.IP.Interface.0.', 'Device.IP.Interface.007.', 'Device.IP.Interface.4294967296.', 'Device.IP.Interface.funcObj.']) {
      assert.equal(kindOfPath(p), 'object', p);
    }
  });

  it('refuses an Inform that is not valid UTF-8 with 400 naming the bytes, and creates no device', async () => {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const xml = encode({ header: { ID: '1' }, body: inform('SN-UTF8-BAD', ['2 PERIODIC']), namespace: NS });
    const at = xml.indexOf('SN-UTF8-BAD') + 'SN-UTF8-BAD'.length;
    // "\xff" is no UTF-8 at all: the serial would have been stored as "SN-UTF8-BAD\uFFFD".
    const body = Buffer.concat([Buffer.from(xml.slice(0, at)), Buffer.from([0xff]), Buffer.from(xml.slice(at))]);
    const ex = await cpe.postRaw(body);
    cpe.close();
    assert.equal(ex.status, 400);
    assert.equal(ex.text, `body is not valid UTF-8: bytes ff 3c 2f 53 at offset ${Buffer.byteLength(xml.slice(0, at))}\n`);
    assert.equal(await t.acs.store.getDevice(`${keyOf('SN-UTF8-BAD')}%EF%BF%BD`), null);
    assert.equal((await t.acs.store.listDevices()).some((d) => d.serialNumber.startsWith('SN-UTF8-BAD')), false);
  });

  it('keeps the meaning of ISO-8859-1 and windows-1252 bytes, and of a U+FFFD sent as UTF-8', async () => {
    const cases: [string, string, Buffer][] = [
      ['iso-8859-1', 'SN-L1-é', Buffer.from([0xe9])],
      ['windows-1252', 'SN-1252-€', Buffer.from([0x80])],
      ['utf-8', 'SN-U8-\uFFFD', Buffer.from('\uFFFD')],
    ];
    for (const [charset, serial, bytes] of cases) {
      const stem = serial.slice(0, -1);
      const xml = encode({ header: { ID: '1' }, body: inform(`${stem}#`, ['2 PERIODIC']), namespace: NS });
      const cpe = new ScriptedCpe(t.cwmpUrl);
      // The serial is also in the ConnectionRequestURL: every "#" becomes the character under test.
      const parts = xml.split('#').map((part) => Buffer.from(part, 'latin1'));
      const body = Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [part] : [bytes, part])));
      assert.equal((await cpe.postRaw(body, { 'Content-Type': `text/xml; charset=${charset}` })).status, 200, charset);
      assert.equal((await cpe.post(null)).status, 204);
      cpe.close();
      assert.equal((await t.acs.store.getDevice(keyOf(serial)))?.serialNumber, serial, charset);
    }
  });

  it('refuses a 10 KB cwmp:ID with fault 8003 that does not echo it', async () => {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const ex = await cpe.post(inform('SN-LONG-ID', ['2 PERIODIC']), { ID: 'x'.repeat(10_240) });
    cpe.close();
    assert.equal(ex.status, 200);
    assert.equal(ex.envelope?.body.method, 'Fault');
    assert.equal((ex.envelope?.body as { FaultCode: number }).FaultCode, 8003);
    assert.equal((ex.envelope?.body as { FaultString: string }).FaultString, 'Header: ID is longer than 256 characters (10240)');
    assert.equal(ex.envelope?.header.ID, undefined);
    assert.ok(ex.text.length < 2000, `reply of ${ex.text.length} characters`);
    assert.equal(await t.acs.store.getDevice(keyOf('SN-LONG-ID')), null);
  });

  it('refuses an envelope with two Bodies with 400 naming the problem', async () => {
    const cpe = new ScriptedCpe(t.cwmpUrl);
    const xml = encode({ header: { ID: '1' }, body: inform('SN-TWO-BODIES', ['2 PERIODIC']), namespace: NS });
    const body = /<soap-env:Body>.*<\/soap-env:Body>/s.exec(xml)?.[0] ?? assert.fail('no Body in the encoded Inform');
    const ex = await cpe.postRaw(xml.replace(body, body + body));
    cpe.close();
    assert.equal(ex.status, 400);
    assert.equal(ex.text, 'bad CWMP message: Envelope has 2 Body elements; SOAP allows one\n');
    assert.equal(await t.acs.store.getDevice(keyOf('SN-TWO-BODIES')), null);
  });
});

describe('regressions: issue 8, a bad AddObjectResponse to the provisioning engine', function () {
  this.timeout(30_000);
  let t: TestAcs;
  before(async () => {
    const dir = (files: Record<string, string>): string => {
      const d = mkdtempSync(path.join(tmpdir(), 'acs-issue8-'));
      for (const [name, text] of Object.entries(files)) writeFileSync(path.join(d, name), text);
      return d;
    };
    const presetsDir = dir({ 'map.yaml': 'channel: map\nprovisions:\n  - map\n' });
    const provisionsDir = dir({ 'map.js': "declare('Device.NAT.PortMapping.*', { path: 1 }, { instances: 1 });\n" });
    t = await startTestAcs('issue_8_engine', { cwmpAuth: 'none', presetsDir, provisionsDir });
  });
  after(async () => t?.stop());

  /** A CPE with one empty, writable table: every listing answered from it, AddObject answered with `instance`. */
  async function answerAll(cpe: ScriptedCpe, first: Exchange, instance: string): Promise<{ end: Exchange; adds: number }> {
    const objects = ['Device.', 'Device.NAT.', 'Device.NAT.PortMapping.'];
    let ex = first;
    let adds = 0;
    for (let round = 0; round < 20 && ex.envelope; round++) {
      const req = ex.envelope.body;
      if (req.method === 'AddObject') {
        adds++;
        const xml = answerXml(ex, { method: 'AddObjectResponse', InstanceNumber: 7, Status: 0 }, (x) => x.replace('>7<', `>${instance}<`));
        ex = await cpe.postRaw(xml);
      } else if (req.method === 'GetParameterNames') {
        const under = req.ParameterPath;
        const listed = objects.filter((o) => o.startsWith(under) && o !== under && (!req.NextLevel || o.slice(under.length, -1).indexOf('.') < 0));
        ex = await cpe.reply(ex, { method: 'GetParameterNamesResponse', ParameterList: listed.map((Name) => ({ Name, Writable: true })) });
      } else {
        assert.fail(`unexpected request ${req.method}`);
      }
    }
    return { end: ex, adds };
  }

  it('faults the channel that asked for the instance (cwmp.8003), stores no instance, and adds no other', async () => {
    const serial = 'SN-ENGINE-ZERO';
    const cpe = new ScriptedCpe(t.cwmpUrl);
    await cpe.post(inform(serial, ['2 PERIODIC']));
    const { end, adds } = await answerAll(cpe, await cpe.post(null), '0');
    cpe.close();
    assert.equal(end.status, 204);
    assert.equal(adds, 1);
    const device = await t.acs.store.getDevice(keyOf(serial));
    assert.ok(device);
    assert.deepEqual(device.parameters.filter((p) => p.path.startsWith('Device.NAT.PortMapping.') && p.path !== 'Device.NAT.PortMapping.'), []);
    assert.deepEqual(device.channelFaults.map((f) => [f.channel, f.code]), [['map', 'cwmp.8003']]);
    assert.match(device.channelFaults[0].message, /^AddObject: bad response: AddObjectResponse: InstanceNumber must be an instance number/);
    assert.equal(device.history.filter((h) => h.kind === 'bad-response').length, 1);
  });
});

describeEachDriver('regressions: issue 8, identities that differ by trailing spaces', 'acs_test_issue_8_pad', (ctx) => {
  it('two devices whose keys differ by a trailing space are two devices, each with its own paths, tags and queue', async () => {
    const deviceId = newDeviceId('PAD');
    const key = deviceKeyOf(deviceId);
    const padded = { ...deviceId, SerialNumber: `${deviceId.SerialNumber} ` };
    await ctx.store.commitSession(session({ deviceId, params: [pv('Device.X', 'a'), pv('Device.X ', 'b')] }));
    await ctx.store.commitSession({ ...session({ deviceId: padded, params: [pv('Device.X', 'c')] }), deviceKey: `${key} ` });
    const plain = await ctx.store.getDevice(key);
    const spaced = await ctx.store.getDevice(`${key} `);
    assert.equal(plain?.serialNumber, deviceId.SerialNumber);
    assert.equal(spaced?.serialNumber, padded.SerialNumber);
    assert.deepEqual(plain?.parameters.filter((p) => p.kind === 'leaf').map((p) => [p.path, p.value]), [['Device.X', 'a'], ['Device.X ', 'b']]);
    assert.deepEqual(spaced?.parameters.filter((p) => p.kind === 'leaf').map((p) => [p.path, p.value]), [['Device.X', 'c']]);
    await ctx.store.setTags(key, ['lab', 'lab '], []);
    assert.deepEqual(await ctx.store.getTags(key), ['lab', 'lab ']);
    assert.deepEqual(await ctx.store.getTags(`${key} `), []);
    await ctx.store.enqueueRequest(`${key} `, { method: 'Reboot', CommandKey: '' });
    assert.deepEqual(await ctx.store.pendingRequests(key), []);
    assert.equal((await ctx.store.pendingRequests(`${key} `)).length, 1);
  });
});
