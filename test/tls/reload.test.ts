/**
 * Certificates replaced on disk are served to new connections without a
 * restart; a replacement that does not load is logged and the old
 * certificate kept. Through roles/http.ts's serve(), as every server uses it.
 */
import { strict as assert } from 'node:assert';
import { copyFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import Koa from 'koa';
import { loadConfig } from '../../src/config/load';
import { tlsSettingsOf } from '../../src/infra/tls';
import { closeAll, type Closer } from '../../src/roles/closers';
import { serve } from '../../src/roles/http';
import { until } from '../helpers/wait';
import { capturingLogger, type LogLine } from './helpers';
import { makeCa, serverCert, type Ca, type Issued } from './pki';

/** The serial number of the certificate a new connection to `port` gets. */
function servedSerial(port: number, ca: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      resolve(socket.getPeerCertificate().serialNumber);
      socket.end();
    });
    socket.on('error', reject);
  });
}

/** Replaces `target` by `source` the way deployment tools do: write aside, then rename over it. */
function replace(source: string, target: string): void {
  copyFileSync(source, `${target}.new`);
  renameSync(`${target}.new`, target);
}

describe('TLS: certificates reloaded when their files change', function () {
  this.timeout(30_000);
  let ca: Ca;
  let first: Issued;
  let second: Issued;
  let live: { cert: string; key: string };
  let port: number;
  const opened: Closer[] = [];
  const lines: LogLine[] = [];
  const log = capturingLogger(lines);

  before(async () => {
    ca = makeCa();
    first = serverCert(ca, 'first', 'A1A1');
    second = serverCert(ca, 'second', 'B2B2');
    live = { cert: path.join(ca.dir, 'live.crt'), key: path.join(ca.dir, 'live.key') };
    copyFileSync(first.certFile, live.cert);
    copyFileSync(first.keyFile, live.key);
    const config = loadConfig({}, { nbiTlsCert: live.cert, nbiTlsKey: live.key });
    const app = new Koa().use((ctx) => void (ctx.body = 'ok'));
    port = await serve({ app, name: 'nbi', options: {}, port: 0, host: '127.0.0.1', tls: tlsSettingsOf(config, 'nbi') }, log, opened);
  });
  after(async () => closeAll(opened, log));

  it('a new connection gets the replaced certificate, without a restart', async () => {
    assert.equal(await servedSerial(port, ca.cert), 'A1A1');
    replace(second.keyFile, live.key);
    replace(second.certFile, live.cert);
    await until('the new certificate served', async () => (await servedSerial(port, ca.cert)) === 'B2B2');
    assert.ok(lines.some((l) => l.msg === 'TLS certificate reloaded' && l.server === 'nbi'));
  });

  it('a certificate that does not load (truncated PEM) is logged and the previous one kept', async () => {
    writeFileSync(`${live.cert}.new`, '-----BEGIN CERTIFICATE-----\nMIIB\n');
    renameSync(`${live.cert}.new`, live.cert);
    await until('the failed reload logged', async () => lines.some((l) => l.msg === 'TLS certificate not reloaded: the previous one is kept'));
    const line = lines.find((l) => l.msg === 'TLS certificate not reloaded: the previous one is kept');
    assert.match(String(line?.reason), /NBI_TLS_CERT=.*live\.crt/);
    assert.equal(await servedSerial(port, ca.cert), 'B2B2');
  });

  it('a certificate whose key is not there yet is not taken; it is once the key follows', async () => {
    replace(first.certFile, live.cert);
    await until('the mismatch logged', async () => lines.filter((l) => l.msg === 'TLS certificate not reloaded: the previous one is kept').length >= 2);
    assert.equal(await servedSerial(port, ca.cert), 'B2B2', 'the old pair still served');
    replace(first.keyFile, live.key);
    await until('the first certificate served again', async () => (await servedSerial(port, ca.cert)) === 'A1A1');
  });
});
