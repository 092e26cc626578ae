/**
 * Issue 8 §6 and §8: a private redis-server only for a zero-configuration
 * all-in-one start, and never left running after a failed start; request
 * timeouts logged as JSON, not printed as stack traces; under overload the
 * first POST of a new session gets a cheap 503 + Retry-After, which the
 * simulated CPE honours.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config/load';
import type { Logger } from '../../src/log';
import { spawnAcs } from '../../src/infra/acs-process';
import { startAcs, type Role } from '../../src/server';
import { ReturnCalendar } from '../../src/cwmp/http/overload';
import { AcsClient, AcsEndpoint } from '../../src/sim/transport/acs-client';
import { emptyDir, startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { inform, ScriptedCpe } from '../helpers/cpe';
import { freePort } from '../helpers/private-services';
import { encode } from '../../src/cwmp/soap/encode';
import { sleep, until, alive } from '../helpers/wait';

/** A TCP port where nothing listens (taken, then released). */

/** A logger whose JSON lines the test reads. */
function capturingLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, sink), lines };
}


describe('issue 8: start-up and overload', function () {
  this.timeout(60_000);

  describe('the private redis-server', () => {
    /** startAcs as `acs start` calls it with REDIS_URL unset, the default URL replaced by one where nothing listens. */
    async function startWithDefaultRedis(role: Role, databaseUrl: string, dataDir: string, log: Logger): Promise<Error> {
      const config = loadConfig({}, {
        redisUrl: `redis://127.0.0.1:${await freePort()}`, databaseUrl, dataDir, startupRetryMs: 1000,
        cwmpHost: '127.0.0.1', cwmpPort: 0, nbiPort: 0, fsPort: 0, stunPort: 0, presetsDir: emptyDir(), provisionsDir: emptyDir(),
      });
      return startAcs(config, log, role, { redisUrlIsDefault: true }).then(
        async (acs) => {
          await acs.close();
          throw new Error('started');
        },
        (err: Error) => err,
      );
    }

    it('is stopped when the database is unreachable after it started (never left running after a failed start)', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'acs-i8-'));
      const { log, lines } = capturingLogger();
      const err = await startWithDefaultRedis('all', `mysql://root@127.0.0.1:${await freePort()}/acs_i8`, dataDir, log);
      assert.match(err.message, /^DATABASE_URL mysql:\/\/root@127\.0\.0\.1:\d+\/acs_i8 unreachable/);
      const started = lines.find((l) => l.msg?.toString().includes('started a private redis-server'));
      assert.ok(started, 'the private redis-server had started');
      assert.ok(!alive(started.pid as number), 'the private redis-server process is gone');
      assert.ok(!existsSync(path.join(dataDir, 'redis.sock')), 'its socket is gone');
    });

    for (const role of ['cwmp', 'worker', 'nbi'] as const) {
      it(`is never started for role ${role}: an unreachable Redis is an error (split brain otherwise)`, async () => {
        const dataDir = mkdtempSync(path.join(os.tmpdir(), 'acs-i8-'));
        const { log, lines } = capturingLogger();
        const err = await startWithDefaultRedis(role, `sqlite:${path.join(dataDir, 'acs.sqlite')}`, dataDir, log);
        assert.match(err.message, /^REDIS_URL redis:\/\/127\.0\.0\.1:\d+ unreachable: .*STARTUP_RETRY_MS/);
        assert.ok(lines.some((l) => l.setting === 'REDIS_URL' && l.attempt === 1), 'the attempts were logged');
        assert.ok(!existsSync(path.join(dataDir, 'redis.sock')));
      });
    }

    it('is not started when REDIS_URL was set: an unreachable Redis is an error', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'acs-i8-'));
      const config = loadConfig({}, {
        redisUrl: `redis://127.0.0.1:${await freePort()}`, databaseUrl: `sqlite:${path.join(dataDir, 'a.sqlite')}`, dataDir, startupRetryMs: 500,
      });
      await assert.rejects(startAcs(config, capturingLogger().log, 'all', { redisUrlIsDefault: false }), /^Error: REDIS_URL .* unreachable/);
      assert.ok(!existsSync(path.join(dataDir, 'redis.sock')));
    });

    it('serves a zero-configuration start and stops with the ACS', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'acs-i8-'));
      const { log, lines } = capturingLogger();
      const config = loadConfig({}, {
        redisUrl: `redis://127.0.0.1:${await freePort()}`, databaseUrl: `sqlite:${path.join(dataDir, 'a.sqlite')}`, dataDir,
        cwmpHost: '127.0.0.1', cwmpPort: 0, nbiPort: 0, fsPort: 0, stunPort: 0, presetsDir: emptyDir(), provisionsDir: emptyDir(),
      });
      const acs = await startAcs(config, log, 'all', { redisUrlIsDefault: true });
      const cpe = new ScriptedCpe(`http://127.0.0.1:${acs.cwmpPort}/`);
      try {
        assert.equal((await cpe.post(inform('SN-I8-PRIVATE', ['0 BOOTSTRAP']))).envelope?.body.method, 'InformResponse');
        assert.equal((await cpe.post(null)).status, 204);
      } finally {
        cpe.close();
        await acs.close();
      }
      const started = lines.find((l) => l.msg?.toString().includes('started a private redis-server'));
      assert.ok(started && !alive(started.pid as number), 'stopped with the ACS');
    });

    it('without redis-server on PATH, fails with one line saying what to do', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'acs-i8-'));
      const saved = process.env.PATH;
      process.env.PATH = '/nonexistent';
      try {
        const err = await startWithDefaultRedis('all', `sqlite:${path.join(dataDir, 'a.sqlite')}`, dataDir, capturingLogger().log);
        assert.match(err.message, /^no Redis at redis:\/\/127\.0\.0\.1:\d+: set REDIS_URL, or install redis-server/);
      } finally {
        process.env.PATH = saved;
      }
    });
  });

  it('a request whose body trickles past CWMP_REQUEST_TIMEOUT_MS gets 408, and the ACS prints only JSON log lines', async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), 'acs-i8-'));
    const acs = await spawnAcs(['start', '--role', 'cwmp'], {
      PATH: process.env.PATH ?? '', REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: `acs-i8-${process.pid}:`, CWMP_HOST: '127.0.0.1', CWMP_PORT: '0', FS_PORT: '0',
      DATABASE_URL: `sqlite:${path.join(cwd, 'a.sqlite')}`, CWMP_REQUEST_TIMEOUT_MS: '1000', PRESETS_DIR: emptyDir(),
    }, cwd);
    try {
      const answer = await slowBody(acs.cwmpPort as number, 5_000);
      assert.match(answer, /^HTTP\/1\.1 408 /);
      await until('the timeout logged', async () => acs.output.some((l) => l.includes('ERR_HTTP_REQUEST_TIMEOUT')));
      await sleep(200);
    } finally {
      await acs.stop();
    }
    const notJson = acs.output.filter((l) => !l.startsWith('{'));
    assert.deepEqual(notJson, [], 'every line the ACS printed is a JSON log line');
  });

  describe('overload', () => {
    let t: TestAcs;
    before(async () => (t = await startTestAcs('issue8_overload', { cwmpMaxConcurrent: 1 })));
    after(() => t?.stop());

    it('past CWMP_MAX_CONCURRENT, a new session gets 503 + Retry-After + Connection: close; a POST of an open session passes', async () => {
      const port = Number(new URL(t.cwmpUrl).port);
      const holder = slowBody(port, 3_000); // holds the one slot while its body trickles in
      await sleep(300);
      const refused = await fetch(t.cwmpUrl, { method: 'POST', body: encode({ header: { ID: '1' }, body: inform('SN-I8-SHED', ['2 PERIODIC']), namespace: 'urn:dslforum-org:cwmp-1-0' }) });
      assert.equal(refused.status, 503);
      const wait = Number(refused.headers.get('retry-after'));
      assert.equal(wait, 5, 'the first refused CPE returns after the shortest wait');
      assert.equal(refused.headers.get('connection'), 'close');
      const inSession = await fetch(t.cwmpUrl, { method: 'POST', headers: { Cookie: 'session=unknown' } });
      assert.notEqual(inSession.status, 503, 'a POST carrying a session cookie is not shed');
      await holder.catch(() => undefined);
    });
  });

  it('refused CPEs are told to return spread at the rate new sessions were admitted, not as one herd', () => {
    let clock = 1_000_000_000;
    const calendar = new ReturnCalendar(100, () => clock);
    for (let i = 0; i < 40; i++) calendar.admitted();
    assert.equal(calendar.book(), 5, 'a refusal: this second measured the capacity');
    clock += 1000; // one saturated second with 40 admissions: the smoothed rate becomes 0.7 × 100 + 0.3 × 40 = 82 per second
    for (let i = 0; i < 82; i++) calendar.admitted(); // saturated at that rate
    const waits = Array.from({ length: 200 }, () => calendar.book());
    const perSecond = new Map<number, number>();
    for (const w of waits) perSecond.set(w, (perSecond.get(w) ?? 0) + 1);
    assert.deepEqual([...perSecond], [[5, 82], [6, 82], [7, 36]]);
    clock += 1000; // a second with 3 admissions and no refusal measured demand, not capacity: the rate stays 82
    for (let i = 0; i < 3; i++) calendar.admitted();
    clock += 1000;
    const next = Array.from({ length: 47 }, () => calendar.book());
    assert.deepEqual(next, [...Array(46).fill(5), 6], 'the second booked with 36 takes 46 more, up to 82');
  });

  it('the simulated CPE waits as Retry-After says and sends the POST again', async () => {
    let calls = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      if (++calls === 1) res.writeHead(503, { 'Retry-After': '1', Connection: 'close' }).end('busy');
      else res.writeHead(204).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpoint = new AcsEndpoint(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`);
    const client = new AcsClient(endpoint);
    try {
      const t0 = Date.now();
      const res = await client.post('<Inform/>');
      assert.ok(res.ok && res.status === 204, JSON.stringify(res));
      assert.equal(res.attempts, 2);
      assert.ok(Date.now() - t0 >= 1000, 'waited the Retry-After');
      assert.equal(endpoint.deferred, 1);
    } finally {
      client.close();
      server.close();
    }
  });
});

/** Sends a POST's headers and then one body byte a second; resolves with what the server answered before closing. */
function slowBody(port: number, limitMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('POST / HTTP/1.1\r\nHost: acs\r\nContent-Type: text/xml\r\nContent-Length: 1000\r\n\r\n<');
    });
    const drip = setInterval(() => socket.writable && socket.write(' '), 200);
    const limit = setTimeout(() => socket.destroy(new Error(`no answer within ${limitMs} ms`)), limitMs);
    socket.on('data', (c: Buffer) => (answer += c.toString()));
    socket.on('error', (err) => (answer ? undefined : reject(err)));
    socket.on('close', () => {
      clearInterval(drip);
      clearTimeout(limit);
      resolve(answer);
    });
  });
}
