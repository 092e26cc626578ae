/**
 * TLS settings that cannot work stop the start-up with one line naming the
 * variable (and the file); plain HTTP stays the zero-configuration default.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config/load';
import { fileOptionsOf } from '../../src/files';
import { spawnAcs } from '../../src/infra/acs-process';
import { tlsSettingsOf } from '../../src/infra/tls';
import { TEST_REDIS_URL } from '../helpers/acs';
import { makeCa, serverCert, type Ca, type Issued } from './pki';
import { startTlsAcs } from './helpers';

describe('TLS: configuration', function () {
  this.timeout(60_000);
  let ca: Ca;
  let server: Issued;
  before(function () {
    ca = makeCa();
    server = serverCert(ca);
  });

  const settings = (env: NodeJS.ProcessEnv, name: 'cwmp' | 'nbi' | 'fs' = 'cwmp') => tlsSettingsOf(loadConfig(env), name);

  it('is off by default: every server is plain HTTP and FS_URL http', function () {
    for (const name of ['cwmp', 'nbi', 'fs'] as const) assert.equal(settings({}, name), null);
    assert.match(fileOptionsOf(loadConfig({})).urlBase, /^http:\/\//);
  });

  it('makes FS_URL\'s default https when the file server has a certificate', function () {
    assert.match(fileOptionsOf(loadConfig({ FS_TLS_CERT: server.certFile, FS_TLS_KEY: server.keyFile })).urlBase, /^https:\/\/.*:7567$/);
  });

  it('refuses half a configuration, naming the variables', function () {
    assert.throws(() => settings({ CWMP_TLS_CERT: server.certFile }), /CWMP_TLS_KEY is not set: HTTPS needs both CWMP_TLS_CERT and CWMP_TLS_KEY/);
    assert.throws(() => settings({ FS_TLS_KEY: server.keyFile }, 'fs'), /FS_TLS_CERT is not set/);
    assert.throws(() => settings({ NBI_TLS_CA: ca.certFile }, 'nbi'), /NBI_TLS_CA needs HTTPS: set NBI_TLS_CERT and NBI_TLS_KEY/);
    const both = { CWMP_TLS_CERT: server.certFile, CWMP_TLS_KEY: server.keyFile };
    assert.throws(() => settings({ ...both, CWMP_TLS_CLIENT_AUTH: 'require' }), /CWMP_TLS_CLIENT_AUTH=require needs CWMP_TLS_CA/);
    assert.throws(() => settings({ ...both, CWMP_TLS_CA: ca.certFile }), /CWMP_TLS_CA is set but CWMP_TLS_CLIENT_AUTH=none/);
    assert.throws(() => loadConfig({ CWMP_TLS_CLIENT_AUTH: 'maybe' }), /CWMP_TLS_CLIENT_AUTH=maybe: expected one of none, optional, require/);
    assert.throws(() => loadConfig({ CWMP_TLS_IDENTITY: 'cn' }), /CWMP_TLS_IDENTITY=cn: expected one of/);
  });

  it('a missing key file stops the start-up with an error naming CWMP_TLS_KEY and the file', async () => {
    const missing = path.join(ca.dir, 'missing.key');
    await assert.rejects(startTlsAcs('tls_config', { cwmpTlsCert: server.certFile, cwmpTlsKey: missing }), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'ACS_ERR_CONFIG');
      assert.equal(err.message, `CWMP_TLS_KEY=${missing}: cannot read the file (ENOENT)`);
      return true;
    });
  });

  it('a key that is not the certificate\'s stops the start-up naming both variables and files', async () => {
    const other = ca.issue('other', { cn: 'other' });
    const overrides: Partial<Config> = { fsTlsCert: server.certFile, fsTlsKey: other.keyFile };
    await assert.rejects(startTlsAcs('tls_config', overrides), new RegExp(`FS_TLS_CERT=${server.certFile}, FS_TLS_KEY=${other.keyFile}: not a usable certificate and key`));
  });

  it('`acs start` prints the error in one line and exits non-zero (built CLI)', async function () {
    if (!existsSync(path.resolve(__dirname, '../../dist/bin/acs.js'))) this.skip();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'acs-tls-cli-'));
    const missing = path.join(ca.dir, 'nowhere.crt');
    const env = {
      ...process.env, DATA_DIR: dataDir, DATABASE_URL: `sqlite:${path.join(dataDir, 'acs.sqlite')}`, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `acs-test:tls-cli:${process.pid}:`,
      CWMP_HOST: '127.0.0.1', CWMP_PORT: '0', NBI_HOST: '127.0.0.1', NBI_PORT: '0', FS_PORT: '0', STUN_PORT: '0', LOG_LEVEL: 'warn',
      NBI_TLS_CERT: missing, NBI_TLS_KEY: server.keyFile,
    };
    await assert.rejects(spawnAcs(['start'], env), (err: Error) => {
      assert.match(err.message, /^acs exited with 1:/);
      assert.ok(err.message.includes(`acs: NBI_TLS_CERT=${missing}: cannot read the file (ENOENT)`), err.message);
      return true;
    });
  });
});
