/**
 * A swept queue's failing jobs (engine/swept-queue.ts) on the real Redis and
 * BullMQ: a sweep that fails every time (the database down, say) is logged
 * once when it starts failing, not once per sweep, and once when it works
 * again; the other jobs' failures are logged as they come (one campaign's
 * streak must not hide another's).
 */
import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import Redis from 'ioredis';
import pino from 'pino';
import { startSweptQueue, type SweptQueue } from '../../src/engine/swept-queue';
import { until } from '../helpers/wait';

interface Line {
  msg: string;
  job?: string;
  errors?: number;
}

describe('swept queue: a failing sweep logged once per streak', function () {
  this.timeout(30_000);
  let swept: SweptQueue | null = null;
  const connections: Redis[] = [];
  after(async () => {
    await swept?.close();
    for (const c of connections) c.disconnect();
  });

  it('a sweep failing at every run logs one line, then one when it succeeds again; every failure of another job is logged', async () => {
    const lines: Line[] = [];
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => { lines.push(...chunk.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Line)); done(); } });
    let failing = true;
    let sweeps = 0;
    let failedTicks = 0;
    const prefix = `acs-test:swept-${process.pid}-${Date.now()}:`;
    swept = await startSweptQueue({
      name: 'swept-test', redisPrefix: prefix, log: pino({ level: 'info' }, sink), what: 'test', sweepEveryMs: 100, concurrency: 2,
      connect: () => {
        const c = new Redis({ host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null });
        connections.push(c);
        return c;
      },
      run: (queue) => async (job) => {
        if (job.name === 'sweep') {
          sweeps++;
          if (sweeps === 3 || sweeps === 4) await queue.add('tick', {}, { removeOnComplete: true, removeOnFail: true });
          if (failing) throw new Error('database unreachable');
        } else {
          failedTicks++;
          throw new Error('a tick bug');
        }
      },
    });
    await until('ten failed sweeps and the failed ticks', async () => sweeps >= 10 && failedTicks === 2, 15_000);
    failing = false;
    const seen = sweeps;
    await until('a sweep that succeeds', async () => sweeps > seen + 1 && lines.some((l) => l.msg === 'test sweeps succeed again'), 10_000);
    const sweepLines = lines.filter((l) => l.job === 'sweep');
    assert.deepEqual(sweepLines.map((l) => l.msg), ['test sweep failed', 'test sweeps succeed again'], JSON.stringify(lines.slice(0, 5)));
    assert.ok((sweepLines[1].errors ?? 0) >= 8, `the failures not logged are counted: ${sweepLines[1].errors}`);
    assert.deepEqual(lines.filter((l) => l.job === 'tick').map((l) => l.msg), ['test job failed', 'test job failed'], 'each tick\'s failure');
  });
});
