/**
 * TLS settings of the three servers (CWMP, REST API, file server): which
 * files, whether client certificates are asked for, and reading them into a
 * secure context. Every error names the variable and the file, as a start-up
 * error must (ACS_ERR_CONFIG).
 */
import { readFileSync } from 'node:fs';
import type https from 'node:https';
import tls from 'node:tls';
import { ConfigError, type Config } from '../config/load';
import { schema } from '../config/schema';

export type TlsServerName = 'cwmp' | 'nbi' | 'fs';
export type ClientAuth = Config['cwmpTlsClientAuth'];

/** A file named by a setting: errors quote both. */
export interface TlsFile {
  path: string;
  env: string;
}

export interface TlsSettings {
  server: TlsServerName;
  cert: TlsFile;
  key: TlsFile;
  /** CAs that client certificates must chain to; set whenever clientAuth is not none. */
  ca: TlsFile | null;
  clientAuth: ClientAuth;
}

type TlsKeys = { cert: keyof Config; key: keyof Config; ca: keyof Config; clientAuth: keyof Config };

const KEYS: Readonly<Record<TlsServerName, TlsKeys>> = {
  cwmp: { cert: 'cwmpTlsCert', key: 'cwmpTlsKey', ca: 'cwmpTlsCa', clientAuth: 'cwmpTlsClientAuth' },
  nbi: { cert: 'nbiTlsCert', key: 'nbiTlsKey', ca: 'nbiTlsCa', clientAuth: 'nbiTlsClientAuth' },
  fs: { cert: 'fsTlsCert', key: 'fsTlsKey', ca: 'fsTlsCa', clientAuth: 'fsTlsClientAuth' },
};

function fileOf(config: Readonly<Config>, key: keyof Config): TlsFile | null {
  const path = String(config[key]);
  return path === '' ? null : { path, env: schema[key].env };
}

/** Whether `server` is HTTPS (its certificate and key are set). */
export function isTlsOn(config: Readonly<Config>, server: TlsServerName): boolean {
  return config[KEYS[server].cert] !== '' || config[KEYS[server].key] !== '';
}

/**
 * The server's TLS settings, null for plain HTTP (the default). Half a
 * configuration is an error rather than a silent fallback to HTTP.
 */
export function tlsSettingsOf(config: Readonly<Config>, server: TlsServerName): TlsSettings | null {
  const k = KEYS[server];
  const [cert, key, ca] = [fileOf(config, k.cert), fileOf(config, k.key), fileOf(config, k.ca)];
  const clientAuth = config[k.clientAuth] as ClientAuth;
  const env = (name: keyof Config): string => schema[name].env;
  if (!cert || !key) {
    if (cert || key) throw new ConfigError(`${env(cert ? k.key : k.cert)} is not set: HTTPS needs both ${env(k.cert)} and ${env(k.key)}`);
    if (ca || clientAuth !== 'none') throw new ConfigError(`${env(ca ? k.ca : k.clientAuth)} needs HTTPS: set ${env(k.cert)} and ${env(k.key)}`);
    return null;
  }
  if (clientAuth !== 'none' && !ca) throw new ConfigError(`${env(k.clientAuth)}=${clientAuth} needs ${env(k.ca)} (the CAs client certificates must chain to)`);
  if (clientAuth === 'none' && ca) throw new ConfigError(`${env(k.ca)} is set but ${env(k.clientAuth)}=none: set it to optional or require`);
  return { server, cert, key, ca, clientAuth };
}

function read(file: TlsFile): Buffer {
  try {
    return readFileSync(file.path);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(`${file.env}=${file.path}: cannot read the file (${e.code ?? e.message})`);
  }
}

/**
 * Reads the files and checks that they make a usable context (PEM that
 * parses, a key that matches the certificate): a bad file fails here, at
 * start-up or reload, never at a CPE's handshake.
 */
export function readSecureContext(s: TlsSettings): tls.SecureContextOptions {
  const options: tls.SecureContextOptions = { cert: read(s.cert), key: read(s.key), ...(s.ca ? { ca: read(s.ca) } : {}) };
  try {
    tls.createSecureContext(options);
  } catch (err) {
    const files = [s.cert, s.key, ...(s.ca ? [s.ca] : [])].map((f) => `${f.env}=${f.path}`).join(', ');
    throw new ConfigError(`${files}: not a usable certificate and key (${(err as Error).message})`);
  }
  return options;
}

/** Options of an https server: the files, and whether (and how strictly) client certificates are asked for. */
export function httpsServerOptions(s: TlsSettings): https.ServerOptions {
  return { ...readSecureContext(s), requestCert: s.clientAuth !== 'none', rejectUnauthorized: s.clientAuth === 'require' };
}
