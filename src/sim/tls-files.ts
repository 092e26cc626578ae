/**
 * The simulator's TLS files, as its command line names them: a CA bundle to
 * trust, one client certificate for every device, or a folder with one per
 * device (<serial>.crt and <serial>.key, as a factory provisions them).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FleetTls } from './fleet';
import type { ClientCertificate } from './transport/acs-client';

export interface TlsFlags {
  ca?: string;
  cert?: string;
  key?: string;
  certDir?: string;
  insecure?: boolean;
}

function readFlag(flag: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new Error(`--${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** A device's certificate from the folder; undefined when it has none there. */
function fromDir(dir: string, serial: string): ClientCertificate | undefined {
  const cert = path.join(dir, `${serial}.crt`);
  const key = path.join(dir, `${serial}.key`);
  return existsSync(cert) && existsSync(key) ? { cert: readFileSync(cert), key: readFileSync(key) } : undefined;
}

/** The fleet's TLS options from the flags; undefined when none was given. */
export function fleetTlsOf(f: TlsFlags): FleetTls | undefined {
  if ((f.cert === undefined) !== (f.key === undefined)) throw new Error('--cert and --key go together');
  if (f.certDir !== undefined && !existsSync(f.certDir)) throw new Error(`--cert-dir ${f.certDir}: no such folder`);
  const tls: FleetTls = {
    ...(f.ca !== undefined ? { ca: readFlag('ca', f.ca) } : {}),
    ...(f.insecure ? { rejectUnauthorized: false } : {}),
    ...(f.cert !== undefined && f.key !== undefined ? { certificate: { cert: readFlag('cert', f.cert), key: readFlag('key', f.key) } } : {}),
  };
  const dir = f.certDir;
  if (dir !== undefined) tls.certificateFor = (serial) => fromDir(dir, serial);
  return Object.keys(tls).length > 0 ? tls : undefined;
}
