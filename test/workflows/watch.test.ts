/**
 * The watched-devices count (src/tasks/committed.ts): a device's commits are
 * sent to the workflow engine only while some run watches it. A run started
 * on a device just as the device's last run ends must stay watched, or its
 * task finishes in a session that tells no one and the run waits on for its
 * step's timeout (seen once in the parallel CI run: the second traceroute of
 * diagnostics.test.ts stayed 'waiting' at 'prepare').
 */
import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { isWatched, unwatchDevice, watchDevice } from '../../src/tasks/committed';
import { TEST_REDIS_URL } from '../helpers/acs';
import { fleetOf, keyOf, runUntil, startBench, taskDriver, TR181, type Bench } from './helpers';

describe('workflows: watched devices (real Redis)', () => {
  const prefix = `test:watch:${randomUUID()}:`;
  const device = '1C61B4-Device2-WATCH';
  let redis: Redis;
  before(() => {
    redis = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    await redis.del(`${prefix}watched-devices`);
    redis.disconnect();
  });

  it('a watch that comes while the last unwatch is under way is kept', async () => {
    await watchDevice(redis, prefix, device);
    // One connection, one tick: the watch reaches Redis right behind the unwatch's first command.
    await Promise.all([unwatchDevice(redis, prefix, device), watchDevice(redis, prefix, device)]);
    assert.equal(await isWatched(redis, prefix, device), true, 'the new watch was deleted with the old count');
    assert.equal(await redis.hget(`${prefix}watched-devices`, device), '1');
    await unwatchDevice(redis, prefix, device);
    assert.equal(await isWatched(redis, prefix, device), false, 'the last unwatch removes the device');
  });

  it('an unwatch without a watch leaves nothing behind', async () => {
    await unwatchDevice(redis, prefix, device);
    assert.equal(await redis.hexists(`${prefix}watched-devices`, device), 0);
  });
});

describe('workflows: a run started as the device\'s last run ends (real ACS, simulator)', function () {
  this.timeout(60_000);
  let b: Bench;
  before(async () => {
    b = await startBench('wf_watch');
  });
  after(async () => b?.close());

  it('is told of the session that finished its task', async () => {
    const fleet = await fleetOf(b, TR181, 1, 'WFWATCH-');
    const device = fleet.devices[0];
    const key = keyOf(device);
    const prefix = b.t.config.redisPrefix;
    // The watch of a run about to end: its end (advance.ts afterWrite) and the new start race on the same connection.
    await watchDevice(b.redis, prefix, key);
    const definition = { steps: [{ name: 'read', task: { name: 'getParameterValues', parameterNames: ['Device.DeviceInfo.UpTime'] } }] };
    const [, started] = await Promise.all([unwatchDevice(b.redis, prefix, key), b.engine.runner.start({ device: key, workflow: { name: 'read-uptime', definition } })]);
    assert.equal(await isWatched(b.redis, prefix, key), true, 'the started run watches the device');
    const done = await runUntil(b, started.id, ['done'], taskDriver(b, fleet, device, () => started.id), 15_000);
    assert.equal((done.output.read as { status: string }).status, 'done');
    assert.equal(await isWatched(b.redis, prefix, key), false, 'unwatched once final');
  });
});
