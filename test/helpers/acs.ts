import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../../src/config/load';
import { createLogger } from '../../src/log';
import { startAcs, type Role, type RunningAcs } from '../../src/server';
import { newToken, tokenFetch } from './api-token';
import { freshMigratedMysqlDatabase, TEST_DATABASE_URL } from './db';
import { slotted } from './worker-slot';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * The test database URL with its database name suffixed, so each suite has its own schema, and made this test
 * process's own (see worker-slot.ts): parallel workers never share one.
 */
export function databaseUrlFor(suffix: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.pathname = slotted(`${url.pathname.replace(/^\//, '') || 'acs_test'}_${suffix}`);
  return url.toString();
}

let empty: string | null = null;

/** One empty folder per test process (never written to), removed when the process exits. */
export function emptyDir(): string {
  if (empty === null) {
    const dir = mkdtempSync(path.join(tmpdir(), 'acs-test-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    empty = dir;
  }
  return empty;
}

export interface TestAcs {
  acs: RunningAcs;
  config: Readonly<Config>;
  cwmpUrl: string;
  nbiUrl: string;
  /** An admin API token of this ACS's database. */
  token: string;
  /** fetch() of a REST API path (e.g. "/devices") with the admin token. */
  nbi(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Starts the real server on ephemeral ports against the real MariaDB (a fresh
 * migrated database per suite, see freshMigratedMysqlDatabase) and Redis (a
 * fresh key prefix per start).
 */
export async function startTestAcs(suite: string, overrides: Partial<Config> = {}, role: Role = 'all'): Promise<TestAcs> {
  const databaseUrl = overrides.databaseUrl ?? databaseUrlFor(suite);
  if (!overrides.databaseUrl && databaseUrl.startsWith('mysql')) await freshMigratedMysqlDatabase(databaseUrl);
  const config = loadConfig({}, {
    cwmpHost: '127.0.0.1',
    cwmpPort: 0,
    nbiHost: '127.0.0.1',
    nbiPort: 0,
    fsPort: 0,
    // Off unless a suite asks for it: one UDP port per machine.
    stunPort: 0,
    redisUrl: TEST_REDIS_URL,
    redisPrefix: `acs-test:${suite}:${randomBytes(4).toString('hex')}:`,
    logLevel: process.env.TEST_LOG_LEVEL ?? 'silent',
    // No presets unless a suite brings its own: the shipped ones would provision every test device.
    presetsDir: emptyDir(),
    // Off unless a suite asks for them: the shipped ones change which RPCs the sample models' sessions make.
    vendorProfilesShipped: false,
    provisionsDir: emptyDir(),
    filesDir: emptyDir(),
    // In-process: an idle `webhooks` role would put the test runner itself, and every process it spawns after, in SCHED_IDLE.
    webhookScheduling: 'normal',
    ...overrides,
    databaseUrl,
  });
  const acs = await startAcs(config, createLogger(config.logLevel), role);
  const nbiUrl = `http://127.0.0.1:${acs.nbiPort}`;
  const token = await newToken(acs.store);
  return {
    acs,
    config,
    cwmpUrl: `http://127.0.0.1:${acs.cwmpPort}/`,
    nbiUrl,
    token,
    nbi: tokenFetch(nbiUrl, token),
    stop: () => acs.close(),
  };
}
