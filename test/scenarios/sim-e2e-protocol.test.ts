import { strict as assert } from 'node:assert';
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { digestResponse, parseAuthParams } from '../../src/cwmp/http/auth';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { parseQuirks } from '../../src/sim/quirks';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { sleep, until } from '../helpers/wait';

const MODEL = path.resolve(__dirname, '../../../shared/samples/device-models/device-1C61B4-XX230v-22275A7000395-2023-04-27T154050686Z.csv');
function get(url: string, authorization?: string): Promise<{ status: number; challenge: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: authorization ? { Authorization: authorization } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, challenge: String(res.headers['www-authenticate'] ?? '') }));
    }).on('error', reject);
  });
}

/** What an ACS does to wake a CPE (TR-069 §3.2.2): GET the ConnectionRequestURL, answering the Digest challenge. */
async function connectionRequest(url: string, username: string, password: string): Promise<number> {
  const first = await get(url);
  const c = parseAuthParams(first.challenge.replace(/^Digest\s+/i, ''));
  const uri = new URL(url).pathname;
  const p = { username, realm: c.realm, nonce: c.nonce, uri, qop: 'auth', nc: '00000001', cnonce: randomBytes(6).toString('hex') };
  const response = digestResponse(p, password, 'GET');
  const header = `Digest username="${username}", realm="${p.realm}", nonce="${p.nonce}", uri="${uri}", qop=auth, nc=${p.nc}, cnonce="${p.cnonce}", response="${response}"`;
  return (await get(url, header)).status;
}

describe('end to end: protocol variants with the simulator', function () {
  this.timeout(60_000);
  const model = loadModel(MODEL);
  const fleets: Fleet[] = [];
  const reports: string[] = [];
  let t: TestAcs;
  before(async () => {
    t = await startTestAcs('sim_e2e_protocol', { cwmpAuth: 'digest', cwmpUsername: 'fleet', cwmpPassword: 'fleet-pw' });
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
  });

  async function fleet(serialBase: string, extra: Partial<Parameters<typeof Fleet.create>[0]> = {}): Promise<Fleet> {
    const f = await Fleet.create({
      acsUrl: t.cwmpUrl, model, devices: 2, serialBase, username: 'fleet', password: 'fleet-pw',
      report: (k, m) => reports.push(`${k}: ${m}`), ...extra,
    });
    fleets.push(f);
    return f;
  }

  for (const quirks of ['thomson', 'mikrotik', 'no-cookie', 'soap_env-prefix,gzip', 'huawei-hg8245h,single-quotes']) {
    it(`serves devices with quirks "${quirks}" (Digest auth) without a protocol violation`, async () => {
      reports.length = 0;
      const f = await fleet(`Q${quirks.replace(/[^a-z]/g, '').slice(0, 8)}-`, { quirks: parseQuirks(quirks) });
      const key = deviceKeyOf(f.devices[0].deviceId());
      await f.connectAll();
      await t.acs.store.enqueueRequest(key, { method: 'GetParameterValues', ParameterNames: ['Device.DeviceInfo.'] });
      f.connect(f.devices[0], '2 PERIODIC');
      await f.idle();
      assert.equal(f.stats.completed, 3, reports.join('\n'));
      assert.equal(f.stats.violations, 0, reports.join('\n'));
      const cached = await t.acs.store.getParameters(key, 'Device.DeviceInfo.');
      assert.ok(cached.length > 10, 'the GetParameterValues response was stored');
    });
  }

  it('refuses devices with the wrong password and reports it', async () => {
    const f = await fleet('BADPW-', { password: 'nope' });
    await f.connectAll();
    assert.equal(f.stats.completed, 0);
    assert.equal(f.stats.refused, 2);
    assert.ok(reports.some((r) => /HTTP 401/.test(r)));
    await f.close();
  });

  it('opens a session with "6 CONNECTION REQUEST" when the ACS side sends a connection request', async () => {
    const f = await fleet('CR-', { connectionRequests: true });
    await f.connectAll();
    const device = f.devices[1];
    const key = deviceKeyOf(device.deviceId());
    const url = device.model.getValue('Device.ManagementServer.ConnectionRequestURL') as string;
    const stored = await t.acs.store.getParameters(key, 'Device.ManagementServer.ConnectionRequestURL');
    assert.equal(stored[0]?.value, url, 'the ACS knows where to send it');
    const { ConnectionRequestUsername: user, ConnectionRequestPassword: pw } = device.model.identity;
    assert.equal(await connectionRequest(url, 'wrong', 'wrong'), 401);
    assert.equal(await connectionRequest(url, String(user), String(pw)), 200);
    await until('the connection-request session', async () => {
      const h = (await t.acs.store.getDevice(key))?.history ?? [];
      return h.some((e) => e.kind === 'inform' && (e.detail as string[]).includes('6 CONNECTION REQUEST'));
    });
  });

  it('reports a value changed on the device: active notification opens a session with "4 VALUE CHANGE"', async () => {
    const f = await fleet('VC-');
    await f.connectAll();
    const device = f.devices[0];
    const key = deviceKeyOf(device.deviceId());
    const path = 'Device.ManagementServer.PeriodicInformInterval';
    await t.acs.store.enqueueRequest(key, {
      method: 'SetParameterAttributes',
      ParameterList: [{ Name: path, NotificationChange: true, Notification: 2, AccessListChange: false, AccessList: [] }],
    });
    f.connect(device, '2 PERIODIC');
    await f.idle();
    assert.equal((await t.acs.store.getParameters(key, path))[0]?.notification, 2);
    f.deviceChange(device, path, '777');
    await until('the value-change session', async () => (await t.acs.store.getParameters(key, path))[0]?.value === '777');
    const h = (await t.acs.store.getDevice(key))?.history ?? [];
    assert.ok(h.some((e) => e.kind === 'inform' && (e.detail as string[]).includes('4 VALUE CHANGE')));
  });

  it('informs periodically at the PeriodicInformInterval, and follows a new one the ACS sets', async () => {
    const f = await fleet('PER-');
    await f.connectAll();
    f.devices.forEach((d) => d.setPeriodicInterval(1));
    const key = deviceKeyOf(f.devices[0].deviceId());
    await t.acs.store.enqueueRequest(key, {
      method: 'SetParameterValues',
      ParameterList: [{ Name: 'Device.ManagementServer.PeriodicInformInterval', Value: '3600', type: 'xsd:unsignedInt' }],
      ParameterKey: 'slow',
    });
    f.startPeriodic(300);
    await sleep(3500);
    assert.ok(f.stats.completed >= 5, `periodic sessions ran: ${f.stats.completed}`);
    assert.equal(f.devices[0].periodicIntervalS(300), 3600, 'the device took the interval the ACS set');
    const before = f.stats.completed;
    await sleep(2500);
    assert.ok(f.stats.completed - before <= 4, 'only the other device keeps informing every second');
    assert.ok(f.stats.completed - before >= 1);
  });
});
