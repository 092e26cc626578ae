/**
 * The real server started with TLS settings, its log lines kept for the
 * tests to read, and an https request helper that trusts the test CA
 * (fetch cannot be given a CA without undici's own Agent).
 */
import { randomBytes } from 'node:crypto';
import https from 'node:https';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config/load';
import { startAcs, type RunningAcs } from '../../src/server';
import { databaseUrlFor, emptyDir, TEST_REDIS_URL } from '../helpers/acs';
import { newToken } from '../helpers/api-token';
import { dropMysqlDatabase } from '../helpers/db';

export interface LogLine {
  level: number;
  msg: string;
  [field: string]: unknown;
}

export interface TlsAcs {
  acs: RunningAcs;
  config: Readonly<Config>;
  /** Every line logged at info and above, parsed. */
  lines: LogLine[];
  token: string;
  stop(): Promise<void>;
}

/** A logger whose lines land in `lines`. */
export function capturingLogger(lines: LogLine[]): pino.Logger {
  return pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
}

/** The server on ephemeral local ports, against a fresh MariaDB database and Redis prefix. */
export async function startTlsAcs(suite: string, overrides: Partial<Config>): Promise<TlsAcs> {
  const databaseUrl = databaseUrlFor(suite);
  await dropMysqlDatabase(databaseUrl);
  const config = loadConfig({}, {
    cwmpHost: '127.0.0.1', cwmpPort: 0, nbiHost: '127.0.0.1', nbiPort: 0, fsHost: '127.0.0.1', fsPort: 0, stunPort: 0,
    redisUrl: TEST_REDIS_URL,
    redisPrefix: `acs-test:${suite}:${randomBytes(4).toString('hex')}:`,
    presetsDir: emptyDir(), provisionsDir: emptyDir(), filesDir: emptyDir(),
    sessionTimeoutMs: 5000,
    ...overrides,
    databaseUrl,
  });
  const lines: LogLine[] = [];
  const acs = await startAcs(config, capturingLogger(lines), 'all');
  return { acs, config, lines, token: await newToken(acs.store), stop: () => acs.close() };
}

export interface HttpsAnswer {
  status: number;
  headers: import('node:http').IncomingHttpHeaders;
  body: Buffer;
}

/** One https request with `tls` (the CA trusted, a client certificate); resolves with the status and body, rejects on a TLS or socket error. */
export function httpsRequest(url: string, tls: https.RequestOptions, init: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.request(url, { ...tls, method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
