/**
 * REDIS_URL redis+sentinel://: a private redis-server and a Sentinel
 * (redis-server --sentinel) monitoring it on local ports; the ACS's Redis
 * connection asks the Sentinel for the master and uses it. Never the shared Redis.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectRedis, type RedisHandle } from '../../src/infra/redis';
import { createLogger } from '../../src/log';
import { freePort, privateRedis, type PrivateService } from '../helpers/private-services';

describe('REDIS_URL redis+sentinel://: the master a Sentinel names', function () {
  this.timeout(30_000);
  let master: PrivateService;
  let sentinel: ChildProcess | null = null;
  let dir = '';
  let handle: RedisHandle | null = null;

  before(async () => {
    master = await privateRedis();
    dir = mkdtempSync(path.join(tmpdir(), 'acs-sentinel-'));
    const port = await freePort();
    const conf = path.join(dir, 'sentinel.conf');
    // Sentinel rewrites its configuration file: it must be its own, writable.
    writeFileSync(conf, `port ${port}\nbind 127.0.0.1\nsentinel monitor acsmaster 127.0.0.1 ${master.port} 1\n`);
    sentinel = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
    const log = createLogger('silent');
    handle = await connectRedis({ url: `redis+sentinel://127.0.0.1:${port}/acsmaster`, privateFallback: false, dataDir: dir }, { retryMs: 10_000, log });
  });
  after(async () => {
    await handle?.close();
    if (sentinel && sentinel.exitCode === null) {
      const gone = new Promise((resolve) => sentinel?.once('exit', resolve));
      sentinel.kill('SIGKILL');
      await gone;
    }
    await master?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes to the monitored master, through the main connection and a duplicate', async () => {
    const redis = (handle as RedisHandle).redis;
    assert.equal(redis.isCluster, false);
    await redis.set('acs-test:sentinel', 'via sentinel');
    const other = (handle as RedisHandle).duplicate({ maxRetriesPerRequest: null });
    assert.equal(await other.get('acs-test:sentinel'), 'via sentinel');
    const role = (await redis.call('ROLE')) as [string];
    assert.equal(role[0], 'master');
    const [, port] = (await redis.config('GET', 'port')) as string[];
    assert.equal(port, String(master.port));
  });
});
