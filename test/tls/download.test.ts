/**
 * Everything over HTTPS: a file put through the REST API (NBI_TLS_*), a
 * download task, the Download RPC over CWMP (CWMP_TLS_*) and the CPE
 * fetching the file from the file server (FS_TLS_*) with the CA it trusts
 * and its client certificate; then its TransferComplete.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { deviceKeyOf } from '../../src/model/device-key';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { freePort } from '../helpers/private-services';
import { until } from '../helpers/wait';
import { makeCa, serverCert, type Ca } from './pki';
import { httpsRequest, startTlsAcs, type TlsAcs } from './helpers';

const IMAGE = randomBytes(200 * 1024);
const FIRMWARE = '1 Firmware Upgrade Image';

describe('TLS: a Download over HTTPS from the file server', function () {
  this.timeout(60_000);
  let ca: Ca;
  let t: TlsAcs;
  let fleet: Fleet | null = null;
  let nbiUrl: string;
  let fsPort: number;
  let genieacsPort: number;
  const reports: string[] = [];

  before(async () => {
    ca = makeCa();
    const server = serverCert(ca);
    fsPort = await freePort();
    const files = (p: 'cwmp' | 'nbi' | 'fs') => ({ [`${p}TlsCert`]: server.certFile, [`${p}TlsKey`]: server.keyFile, [`${p}TlsCa`]: ca.certFile, [`${p}TlsClientAuth`]: 'optional' });
    genieacsPort = await freePort();
    t = await startTlsAcs('tls_download', { ...files('cwmp'), ...files('nbi'), ...files('fs'), fsPort, fsUrl: `https://127.0.0.1:${fsPort}`, genieacsNbiPort: genieacsPort });
    nbiUrl = `https://127.0.0.1:${t.acs.nbiPort}`;
  });
  after(async () => {
    await fleet?.close();
    await t?.stop();
  });

  it('serves the GenieACS-compatible API over HTTPS with the REST API\'s certificate (NBI_TLS_*)', async () => {
    const r = await httpsRequest(`https://127.0.0.1:${genieacsPort}/devices/?projection=_id`, { ca: ca.cert }, { headers: { Authorization: `Bearer ${t.token}` } });
    assert.equal(r.status, 200, r.body.toString());
    assert.ok(Array.isArray(JSON.parse(r.body.toString())));
  });

  const nbi = (path: string, init: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}) =>
    httpsRequest(nbiUrl + path, { ca: ca.cert }, { ...init, headers: { Authorization: `Bearer ${t.token}`, ...init.headers } });

  it('the file is put through the REST API over HTTPS, and fetched by the CPE from the file server over HTTPS', async () => {
    const put = await nbi('/files/fw-3.0.1.bin', { method: 'PUT', body: IMAGE, headers: { fileType: FIRMWARE } });
    assert.equal(put.status, 201, put.body.toString());
    fleet = await Fleet.create({
      acsUrl: `https://127.0.0.1:${t.acs.cwmpPort}/`, model: loadModel('tr181'), devices: 1, serialBase: 'TLSDL',
      tls: {
        ca: ca.cert,
        certificateFor: (serial) => {
          const c = ca.issue(serial, { cn: serial });
          return { cert: c.cert, key: c.key };
        },
      },
      report: (key, message) => reports.push(`${key}: ${message}`),
    });
    await fleet.connectAll();
    assert.equal(fleet.stats.completed, 1, reports.join('\n'));
    const device = fleet.devices[0];
    const id = encodeURIComponent(deviceKeyOf(device.deviceId()));
    const task = await nbi(`/devices/${id}/tasks`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'download', fileType: FIRMWARE, fileName: 'fw-3.0.1.bin' }) });
    assert.ok(task.status === 200 || task.status === 202, task.body.toString());
    const taskId = (JSON.parse(task.body.toString()) as { id: number }).id;
    fleet.connect(device);
    await until('the download task done', async () => JSON.parse((await nbi(`/tasks/${taskId}`)).body.toString()).status === 'done', 20_000);
    await until('TransferComplete delivered', async () => device.transferLog.length === 1 && !device.inSession, 20_000);
    await fleet.idle();
    const [transfer] = device.transferLog;
    assert.ok(transfer.url.startsWith(`https://127.0.0.1:${fsPort}/fw-3.0.1.bin`), transfer.url);
    assert.equal(transfer.fault.FaultCode, 0, transfer.fault.FaultString);
    assert.equal(transfer.sha256, createHash('sha256').update(IMAGE).digest('hex'));
    assert.equal(fleet.stats.violations, 0, reports.join('\n'));
  });

  it('the file server answers 403 ACS_ERR_CLIENT_CERT to a client presenting an untrusted certificate', async () => {
    const rogue = makeCa('Rogue CA').issue('rogue', { cn: 'rogue' });
    const res = await httpsRequest(`https://127.0.0.1:${fsPort}/fw-3.0.1.bin`, { ca: ca.cert, cert: rogue.cert, key: rogue.key });
    assert.equal(res.status, 403);
    assert.match(res.body.toString(), /^ACS_ERR_CLIENT_CERT: client certificate not trusted/);
  });
});
