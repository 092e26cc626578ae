/**
 * What `acs start` prints while its Redis is down: one line when Redis is
 * lost and one when it is back, not one per connection per retry (measured
 * before: 6 s of outage, 342 JSON error lines and 2,856 lines of stack
 * traces outside the JSON log, from connections and BullMQ queues without
 * an 'error' listener). The Redis is a private redis-server, killed as a
 * crash would.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnAcs, type AcsProcess } from '../../src/infra/acs-process';
import { isConnectionError } from '../../src/infra/redis-outage';
import { privateRedis, type PrivateService } from '../helpers/private-services';
import { sleep, until } from '../helpers/wait';

interface Line {
  level: number;
  msg: string;
  errors?: number;
  downMs?: number;
}

function parsed(output: string[]): { json: Line[]; other: string[] } {
  const json: Line[] = [];
  const other: string[] = [];
  for (const line of output) {
    try {
      json.push(JSON.parse(line) as Line);
    } catch {
      other.push(line);
    }
  }
  return { json, other };
}

describe('infra: a Redis outage in the log', function () {
  this.timeout(60_000);

  it('tells errors about reaching Redis from others', () => {
    const coded = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:6379`), { code });
    for (const err of [coded('ECONNREFUSED'), coded('ECONNRESET'), coded('ENOENT'), new Error('Connection is closed.'), new Error('None of startup nodes is available'), Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' })]) {
      assert.equal(isConnectionError(err), true, err.message);
    }
    for (const err of [new Error('ERR unknown command'), new Error('NOSCRIPT No matching script'), 'ECONNREFUSED', null]) {
      assert.equal(isConnectionError(err), false, String(err));
    }
  });

  describe('acs start, its Redis killed for 3 s', () => {
    let redis: PrivateService;
    let acs: AcsProcess | null = null;
    let dir = '';
    /** Where the outage starts in the output. */
    let killedAt = 0;
    before(async () => {
      redis = await privateRedis();
      dir = mkdtempSync(path.join(tmpdir(), 'acs-outage-'));
      const env = {
        PATH: process.env.PATH ?? '', REDIS_URL: redis.url, DATABASE_URL: `sqlite:${path.join(dir, 'acs.sqlite')}`, DATA_DIR: dir,
        CWMP_PORT: '0', NBI_PORT: '0', FS_PORT: '0', STUN_PORT: '0', REDIS_PREFIX: `acs-outage-test-${process.pid}:`,
      };
      acs = await spawnAcs(['start'], env, dir);
      // Every connection ready first: one that became ready just after the kill would count as Redis back, then lost again.
      const ready = `http://127.0.0.1:${acs.nbiPort}/ready`;
      await until('the process ready', async () => (await fetch(ready)).status === 200, 10_000);
      await sleep(1000);
      killedAt = acs.output.length;
      await redis.kill();
      await sleep(3000);
      await redis.start();
      await until('"Redis reachable again" logged', async () => acs!.output.slice(killedAt).some((l) => l.includes('"Redis reachable again"')), 20_000);
      // The other connections and workers find Redis back on their next retries.
      await sleep(2000);
    });
    after(async () => {
      await acs?.stop();
      await redis?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('prints nothing outside its JSON log', () => {
      assert.deepEqual(parsed(acs!.output).other, []);
    });

    it('logs one error when Redis is lost and one line when it is back, counting the errors in between', () => {
      const { json } = parsed(acs!.output.slice(killedAt));
      const errors = json.filter((l) => l.level >= 50);
      assert.deepEqual(errors.map((l) => l.msg), ['Redis unreachable'], JSON.stringify(errors.slice(0, 5)));
      const back = json.filter((l) => l.msg === 'Redis reachable again');
      assert.equal(back.length, 1);
      assert.ok((back[0].downMs ?? 0) >= 3000, `down ${back[0].downMs} ms`);
      assert.ok((back[0].errors ?? 0) > 10, `${back[0].errors} errors taken into the outage`);
    });
  });
});
