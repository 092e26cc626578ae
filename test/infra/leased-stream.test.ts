/**
 * A leased stream reader says whether it holds the lease as Redis has it now
 * (the webhook fan-out's pending view asks after a holder's pending rows are
 * written: pending-view.ts). Real Redis.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { readLeasedStream, type LeasedStreamReader } from '../../src/infra/leased-stream';
import { createLogger } from '../../src/log';
import { TEST_REDIS_URL } from '../helpers/acs';
import { until } from '../helpers/wait';

describe('infra: leased stream reader, holds()', function () {
  this.timeout(20_000);
  const opened: Redis[] = [];
  const readers: LeasedStreamReader[] = [];
  const connect = () => {
    const r = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
    opened.push(r);
    return r;
  };
  const prefix = `acs-test:leased-stream:${randomBytes(4).toString('hex')}:`;
  const [stream, lease] = [`${prefix}s`, `${prefix}lease`];
  const reader = () => {
    const r = readLeasedStream({ redis: connect(), reader: connect(), stream, lease, log: createLogger('silent'), what: 'test', count: 10, gatherMs: 0, handle: async () => undefined });
    readers.push(r);
    return r;
  };

  after(async () => {
    await Promise.all(readers.map((r) => r.close()));
    const redis = connect();
    await redis.del(stream, lease);
    opened.forEach((r) => r.disconnect());
  });

  it('is true for the holder only, and false once the lease in Redis is another\'s', async () => {
    const a = reader();
    await until('a holds the lease', () => a.holds(), 5000);
    const b = reader();
    assert.equal(await b.holds(), false, 'a second reader waits for the lease');
    // The lease lapsed and another process took it: a has not renewed yet, but Redis says.
    await connect().set(lease, 'another-process', 'PX', 10_000);
    assert.equal(await a.holds(), false);
    assert.equal(await b.holds(), false);
  });
});
