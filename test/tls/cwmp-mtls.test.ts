/**
 * CWMP over HTTPS with CPE client certificates (mTLS), end to end: the
 * simulator against the real server (MariaDB + Redis). TR-069 §3.4.4: "the
 * CPE MAY authenticate itself using a client certificate"; the ACS then
 * checks that the certificate is the one of the device the Inform names.
 */
import { strict as assert } from 'node:assert';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet, type FleetTls } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { makeCa, serverCert, type Ca } from './pki';
import { httpsRequest, startTlsAcs, type TlsAcs } from './helpers';
import { encode } from '../../src/cwmp/soap/encode';
import { inform } from '../helpers/cpe';

describe('TLS: CWMP over HTTPS with client certificates', function () {
  this.timeout(60_000);
  let ca: Ca;
  let rogue: Ca;
  const fleets: Fleet[] = [];
  const reports: string[] = [];

  before(function () {
    ca = makeCa();
    rogue = makeCa('Rogue CA');
  });
  after(async () => Promise.all(fleets.map((f) => f.close())));

  /** One device, SERIAL000000, presenting `cert` (a CA-issued certificate by name, or none). */
  async function oneDevice(t: TlsAcs, serialBase: string, tls: FleetTls): Promise<Fleet> {
    const fleet = await Fleet.create({
      acsUrl: `https://127.0.0.1:${t.acs.cwmpPort}/`, model: loadModel('tr181'), devices: 1, serialBase,
      tls: { ca: ca.cert, ...tls }, report: (key, message) => reports.push(`${key}: ${message}`),
    });
    fleets.push(fleet);
    return fleet;
  }

  const clientCert = (issuer: Ca, name: string, cn: string, san?: string) => {
    const c = issuer.issue(name, { cn, san });
    return { cert: c.cert, key: c.key };
  };

  async function stored(t: TlsAcs, fleet: Fleet): Promise<boolean> {
    return (await t.acs.store.getDevice(deviceKeyOf(fleet.devices[0].deviceId()))) !== null;
  }

  describe('CWMP_TLS_CLIENT_AUTH=require, CWMP_TLS_IDENTITY=cn-serial', () => {
    let t: TlsAcs;
    before(async () => {
      const server = serverCert(ca, 'cwmp-server');
      t = await startTlsAcs('tls_mtls', { cwmpTlsCert: server.certFile, cwmpTlsKey: server.keyFile, cwmpTlsCa: ca.certFile, cwmpTlsClientAuth: 'require' });
    });
    after(async () => t?.stop());

    it('runs whole sessions over HTTPS for a CPE whose certificate names its serial number, and registers it', async () => {
      const fleet = await oneDevice(t, 'MTLSOK', { certificateFor: (serial) => clientCert(ca, serial, serial) });
      await fleet.connectAll();
      assert.equal(fleet.stats.completed, 1, reports.join('\n'));
      await fleet.connectAll();
      assert.equal(fleet.stats.completed, 2, reports.join('\n'));
      assert.equal(fleet.stats.violations, 0, reports.join('\n'));
      assert.ok(await stored(t, fleet));
    });

    it('refuses at the TLS handshake a CPE whose certificate the CA did not sign; the device is never created', async () => {
      const fleet = await oneDevice(t, 'MTLSROGUE', { certificateFor: (serial) => clientCert(rogue, serial, serial) });
      await fleet.connectAll();
      assert.equal(fleet.stats.completed, 0);
      assert.equal(fleet.stats.failed, 1);
      assert.ok(!(await stored(t, fleet)));
      assert.ok(t.lines.some((l) => l.msg === 'TLS handshake failed' && /certificate/i.test(String(l.reason))), JSON.stringify(t.lines.filter((l) => l.level >= 40)));
    });

    it('refuses at the TLS handshake a CPE without a certificate', async () => {
      const fleet = await oneDevice(t, 'MTLSNONE', {});
      await fleet.connectAll();
      assert.equal(fleet.stats.failed, 1);
      assert.ok(!(await stored(t, fleet)));
    });

    it('refuses with 403 a CPE whose trusted certificate names another device; logged with the device and reason, never created', async () => {
      const fleet = await oneDevice(t, 'MTLSTHIEF', { certificate: clientCert(ca, 'victim', 'MTLSOK000000') });
      await fleet.connectAll();
      assert.equal(fleet.stats.completed, 0);
      assert.ok(reports.some((r) => r.startsWith(fleet.devices[0].key) && /HTTP 403 .*MTLSOK000000/.test(r)), reports.join('\n'));
      assert.ok(!(await stored(t, fleet)));
      const line = t.lines.find((l) => l.msg === 'request refused: client certificate of another device');
      assert.ok(line, 'logged');
      assert.equal(line.deviceId, deviceKeyOf(fleet.devices[0].deviceId()));
      assert.match(String(line.reason), /MTLSOK000000/);
    });
    it("refuses with 403 a session's later POST over a connection whose certificate names another device", async () => {
      const url = `https://127.0.0.1:${t.acs.cwmpPort}/`;
      const tlsOf = (cn: string) => ({ ca: ca.cert, ...clientCert(ca, cn, cn) });
      const xml = encode({ header: { ID: '1' }, body: inform('MTLSCOOKIE1', ['2 PERIODIC']), namespace: 'urn:dslforum-org:cwmp-1-2' });
      const first = await httpsRequest(url, tlsOf('MTLSCOOKIE1'), { method: 'POST', headers: { 'Content-Type': 'text/xml' }, body: xml });
      assert.equal(first.status, 200, first.body.toString());
      const cookie = String(first.headers['set-cookie']?.[0] ?? '').split(';')[0];
      assert.ok(cookie, 'the session has a cookie');
      const stolen = await httpsRequest(url, tlsOf('MTLSCOOKIE2'), { method: 'POST', headers: { Cookie: cookie }, body: '' });
      assert.equal(stolen.status, 403, stolen.body.toString());
      assert.match(stolen.body.toString(), /client certificate refused: .*MTLSCOOKIE2/);
      const own = await httpsRequest(url, tlsOf('MTLSCOOKIE1'), { method: 'POST', headers: { Cookie: cookie }, body: '' });
      assert.equal(own.status, 204, 'the device itself ends its session');
    });
  });

  describe('CWMP_TLS_CLIENT_AUTH=optional, CWMP_TLS_IDENTITY=contains-serial', () => {
    let t: TlsAcs;
    before(async () => {
      const server = serverCert(ca, 'cwmp-server-2');
      t = await startTlsAcs('tls_mtls_optional', {
        cwmpTlsCert: server.certFile, cwmpTlsKey: server.keyFile, cwmpTlsCa: ca.certFile, cwmpTlsClientAuth: 'optional', cwmpTlsIdentity: 'contains-serial',
      });
    });
    after(async () => t?.stop());

    it('serves a CPE without a certificate (it may authenticate by CWMP_AUTH)', async () => {
      const fleet = await oneDevice(t, 'OPTNONE', {});
      await fleet.connectAll();
      assert.equal(fleet.stats.completed, 1, reports.join('\n'));
    });

    it('accepts a certificate whose subjectAltName contains the serial number', async () => {
      const fleet = await oneDevice(t, 'OPTSAN', { certificateFor: (serial) => clientCert(ca, `san-${serial}`, 'cpe', `URI:urn:dev:sn:${serial}`) });
      await fleet.connectAll();
      assert.equal(fleet.stats.completed, 1, reports.join('\n'));
      assert.ok(await stored(t, fleet));
    });

    it('answers 403 ACS_ERR_CLIENT_CERT to a CPE presenting an untrusted certificate; the device is never created', async () => {
      const fleet = await oneDevice(t, 'OPTROGUE', { certificateFor: (serial) => clientCert(rogue, `opt-${serial}`, serial) });
      await fleet.connectAll();
      assert.equal(fleet.stats.completed, 0);
      assert.ok(reports.some((r) => r.startsWith(fleet.devices[0].key) && /HTTP 403 ACS_ERR_CLIENT_CERT/.test(r)), reports.join('\n'));
      assert.ok(!(await stored(t, fleet)));
    });
  });
});
