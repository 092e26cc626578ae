/**
 * Issue 12 §2: /ready fails (503, naming Redis) while Redis is down and
 * comes back when it does; /health still answers. The Redis is a private
 * redis-server on its own port and folder (test/helpers/private-services.ts),
 * never the shared one. Migrations not all applied also make a process not ready.
 */
import { strict as assert } from 'node:assert';
import type { Redis } from 'ioredis';
import { MIGRATIONS } from '../../src/db/migrations';
import type { SqlAccess } from '../../src/db/types';
import { readinessOf } from '../../src/metrics/readiness';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { freePort, privateRedis, type PrivateService } from '../helpers/private-services';
import { until } from '../helpers/wait';

interface ReadyBody { status: string; checks: Record<string, string> }

describe('ready: /ready follows Redis', function () {
  this.timeout(90_000);
  let redis: PrivateService;
  let t: TestAcs;
  let bases: string[];

  before(async () => {
    redis = await privateRedis();
    t = await startTestAcs('metrics_ready', { redisUrl: redis.url, metricsPort: await freePort(), metricsHost: '127.0.0.1' });
    bases = [t.cwmpUrl.replace(/\/$/, ''), t.nbiUrl, `http://127.0.0.1:${t.acs.metricsPort}`];
  });
  after(async () => {
    await t?.stop();
    await redis?.stop();
  });

  async function ready(base: string): Promise<{ status: number; body: ReadyBody }> {
    const r = await fetch(`${base}/ready`);
    return { status: r.status, body: (await r.json()) as ReadyBody };
  }

  it('is ready with Redis up; 503 naming redis while it is down (health still 200); ready again once it is back', async () => {
    for (const base of bases) assert.equal((await ready(base)).status, 200, base);
    await redis.kill();
    for (const base of bases) {
      const r = await ready(base);
      assert.equal(r.status, 503, base);
      assert.equal(r.body.status, 'not ready');
      assert.notEqual(r.body.checks.redis, 'ok');
      assert.equal(r.body.checks.database, 'ok', 'only what is down is named');
      assert.equal((await fetch(`${base}/health`)).status, 200, `${base}/health: the process is alive`);
    }
    await redis.start();
    await until('ready again', async () => (await ready(t.nbiUrl)).status === 200, 20_000);
    for (const base of bases) assert.deepEqual((await ready(base)).body, { status: 'ready', checks: { redis: 'ok', database: 'ok', migrations: 'ok' } });
  });

  it('counts Redis errors while it was down', async () => {
    const r = await fetch(`${t.nbiUrl}/metrics`, { headers: { Authorization: `Bearer ${t.token}` } });
    const line = (await r.text()).split('\n').find((l) => l.startsWith('acs_redis_errors_total '));
    assert.ok(Number(line?.split(' ')[1]) > 0, line);
  });
});

describe('ready: migrations', () => {
  it('is not ready while a migration the code knows is not applied, naming it', async () => {
    const first = new MIGRATIONS[0]().name as string;
    const sql = { driver: 'mysql', autocommit: async (fn) => fn({ select: async () => [{ name: first }] } as never) } as SqlAccess;
    const redis = { ping: async () => 'PONG' } as unknown as Redis;
    const r = await readinessOf(redis, sql)();
    assert.equal(r.ready, false);
    assert.equal(r.checks.redis, 'ok');
    assert.equal(r.checks.database, 'ok');
    assert.match(r.checks.migrations, /^not applied: /);
    assert.ok(!r.checks.migrations.includes(first));
    assert.ok(r.checks.migrations.includes(new MIGRATIONS[MIGRATIONS.length - 1]().name as string));
  });
});
