/**
 * A private PKI for the TLS tests, made with the openssl command line in a
 * temporary folder: a CA, server certificates for 127.0.0.1/localhost and
 * client certificates named as a CPE's. EC P-256 keys: quick to make.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Issued {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
  /** As Node's getPeerCertificate() reports it: upper-case hex. */
  serial: string;
}

export interface Ca {
  dir: string;
  certFile: string;
  cert: Buffer;
  /** A certificate signed by this CA; `name` also names its files. */
  issue(name: string, o: { cn: string; san?: string; serial?: string }): Issued;
}

const openssl = (dir: string, args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
let serials = 0x1000;

/** A new CA in its own folder under the test run's temporary folder. */
export function makeCa(name = 'Test CA'): Ca {
  const dir = mkdtempSync(path.join(tmpdir(), 'acs-pki-'));
  openssl(dir, ['req', '-x509', ...NEW_KEY, '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', `/CN=${name}`, '-days', '2']);
  const certFile = path.join(dir, 'ca.crt');
  return { dir, certFile, cert: readFileSync(certFile), issue: (n, o) => issue(dir, n, o) };
}

function issue(dir: string, name: string, o: { cn: string; san?: string; serial?: string }): Issued {
  const serial = o.serial ?? (serials++).toString(16).toUpperCase();
  openssl(dir, ['req', '-new', ...NEW_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${o.cn}`]);
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(ext, o.san ? `subjectAltName=${o.san}\n` : 'basicConstraints=CA:FALSE\n');
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', `0x${serial}`, '-days', '2', '-extfile', ext, '-out', `${name}.crt`]);
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile), serial };
}

/** A server certificate for the tests' listeners. */
export function serverCert(ca: Ca, name = 'server', serial?: string): Issued {
  return ca.issue(name, { cn: 'localhost', san: 'IP:127.0.0.1,DNS:localhost', serial });
}
