/**
 * Start-up as an operator sees it (issue 8, §6): `--help` and `--version` run
 * nothing; an unreachable database or Redis is retried with each attempt
 * logged (password masked), then the process exits non-zero with one line; a
 * service that comes up within STARTUP_RETRY_MS is used.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { TEST_REDIS_URL } from '../helpers/acs';
import { freePort } from '../helpers/private-services';

const BIN = path.resolve(__dirname, '../../bin/acs.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs `acs <args>` to its end (killed after `limitMs`: a server that started never ends by itself). */
function run(args: string[], env: Record<string, string>, limitMs = 30_000): Promise<Run> {
  const cwd = mkdtempSync(path.join(os.tmpdir(), 'acs-startup-'));
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', ...env } });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
  const t0 = Date.now();
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, ...out, ms: Date.now() - t0 });
    });
  });
}

/** A TCP port where nothing listens (taken, then released). */

const jsonLines = (text: string): Record<string, unknown>[] =>
  text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('acs start-up (issue 8)', function () {
  this.timeout(60_000);
  const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };

  for (const command of ['start', 'sim', 'lint', 'provision', 'bench', 'floor']) {
    it(`acs ${command} --help prints its usage, exits 0 and starts no server`, async () => {
      const port = await freePort();
      // Ports a server would take: a start would print "acs started" and never exit (the run would be killed).
      const r = await run([command, '--help'], { CWMP_PORT: String(port), NBI_PORT: '0', REDIS_URL: TEST_REDIS_URL }, 20_000);
      assert.equal(r.code, 0, `exit code (stderr: ${r.stderr})`);
      assert.match(r.stdout, new RegExp(`^usage: acs ${command}`));
      assert.doesNotMatch(r.stdout + r.stderr, /acs started/);
    });
  }

  it('acs --version prints the package version', async () => {
    const r = await run(['--version'], {});
    assert.equal(r.code, 0);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  it('a set REDIS_URL that never answers: each attempt logged with the password masked, then exit 1 with one line; no private redis-server', async () => {
    const port = await freePort();
    const r = await run(['start'], { REDIS_URL: `redis://:s3cret@127.0.0.1:${port}`, STARTUP_RETRY_MS: '1500', CWMP_PORT: '0', NBI_PORT: '0' });
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cret/);
    const attempts = jsonLines(r.stdout).filter((l) => l.setting === 'REDIS_URL');
    assert.ok(attempts.length >= 2, `retried with backoff (${attempts.length} attempts logged)`);
    assert.equal(attempts[0].url, `redis://:***@127.0.0.1:${port}`);
    assert.deepEqual(attempts.map((l) => l.attempt), attempts.map((_, i) => i + 1));
    const errors = r.stderr.trim().split('\n');
    assert.equal(errors.length, 1, r.stderr);
    assert.match(errors[0], new RegExp(`^acs: REDIS_URL redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port} unreachable: .*ECONNREFUSED.*STARTUP_RETRY_MS`));
    assert.ok(r.ms >= 1500, `gave up after STARTUP_RETRY_MS, not before (${r.ms} ms)`);
    assert.doesNotMatch(r.stdout, /private redis-server/);
  });

  it('a database that never answers: each attempt logged naming DATABASE_URL (password masked), then exit 1 with one line', async () => {
    const port = await freePort();
    const r = await run(['start'], {
      DATABASE_URL: `mysql://root:s3cret@127.0.0.1:${port}/acs_startup`, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `acs-startup-${process.pid}:`,
      STARTUP_RETRY_MS: '1500', CWMP_PORT: '0', NBI_PORT: '0',
    });
    assert.equal(r.code, 1, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cret/);
    const attempts = jsonLines(r.stdout).filter((l) => l.setting === 'DATABASE_URL');
    assert.ok(attempts.length >= 2, `retried (${attempts.length} attempts logged)`);
    assert.equal(attempts[0].url, `mysql://root:***@127.0.0.1:${port}/acs_startup`);
    assert.match(r.stderr.trim(), new RegExp(`^acs: DATABASE_URL mysql://root:\\*\\*\\*@127\\.0\\.0\\.1:${port}/acs_startup unreachable: [^\\n]*$`));
  });

  it('a Redis that comes up within STARTUP_RETRY_MS is used: the ACS starts', async () => {
    const port = await freePort();
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'acs-startup-'));
    const env = {
      PATH: process.env.PATH ?? '', REDIS_URL: `redis://127.0.0.1:${port}`, STARTUP_RETRY_MS: '30000', CWMP_PORT: '0', NBI_PORT: '0',
      DATABASE_URL: `sqlite:${path.join(cwd, 'acs.sqlite')}`, REDIS_PREFIX: `acs-startup-${process.pid}:`,
    };
    const acs = spawn(process.execPath, ['--no-node-snapshot', BIN, 'start'], { cwd, env });
    const lines: string[] = [];
    let redis: ChildProcess | null = null;
    try {
      await new Promise<void>((resolve, reject) => {
        acs.on('exit', (code) => reject(new Error(`acs exited with ${code}: ${lines.join('\n')}`)));
        createInterface({ input: acs.stdout }).on('line', (line) => {
          lines.push(line);
          // The first failed attempt is logged: now Redis comes up.
          if (line.includes('"setting":"REDIS_URL"') && !redis) {
            redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', cwd], { stdio: 'ignore' });
          }
          if (line.includes('"acs started"')) resolve();
        });
      });
      assert.ok(redis, 'it waited for Redis');
      assert.ok(!existsSync(path.join(cwd, 'data', 'redis.sock')), 'no private redis-server');
    } finally {
      acs.removeAllListeners('exit');
      acs.kill('SIGTERM');
      await new Promise((r) => acs.once('close', r));
      (redis as ChildProcess | null)?.kill('SIGKILL');
    }
    assert.equal(acs.exitCode, 0, 'stopped cleanly');
  });
});
