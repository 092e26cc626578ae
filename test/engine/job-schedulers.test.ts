import { strict as assert } from 'node:assert';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { CAMPAIGN_QUEUE } from '../../src/campaigns/engine';
import { KeptSchedulers } from '../../src/engine/job-schedulers';
import { bullPrefix, STEP_QUEUE } from '../../src/engine/queue';
import { openSchedules } from '../../src/engine/schedules';
import { createLogger } from '../../src/log';
import { TASK_SWEEP_QUEUE } from '../../src/tasks/sweep';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { privateRedis, type PrivateService } from '../helpers/private-services';
import { until } from '../helpers/wait';

// A private Redis each: these tests empty it (FLUSHALL, a restart), which the shared one must never see.
describe('job schedulers come back after Redis lost its data', function () {
  this.timeout(120_000);
  let redis: PrivateService;
  const opened: { close(): Promise<void> | void }[] = [];
  const queueOn = (name: string, prefix: string, connection = new Redis(redis.url, { maxRetriesPerRequest: null })): Queue => {
    const queue = new Queue(name, { connection, prefix });
    queue.on('error', () => undefined); // the restart below drops its connection for a moment
    // BullMQ leaves a connection it was given open: closed here, or it retries the stopped Redis for the rest of the run.
    opened.push({ close: () => connection.disconnect() }, queue);
    return queue;
  };
  before(async () => {
    redis = await privateRedis();
  });
  after(async () => {
    for (const o of opened.reverse()) await o.close();
    await redis?.stop();
  });

  it('re-creates a kept scheduler that Redis lost without a reconnection (FLUSHALL), and not a removed one', async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const queue = queueOn('kept', 'acs-test:kept', connection);
    const kept = new KeptSchedulers(queue, connection, createLogger('silent'), 100);
    opened.push(kept);
    await kept.set('a', { repeat: { every: 60_000 }, template: { name: 'a' } });
    await kept.set('b', { repeat: { every: 60_000 }, template: { name: 'b' } });
    await kept.remove('b');
    await connection.flushall();
    await until('scheduler a to be back', async () => (await queue.getJobScheduler('a')) !== undefined, 2000);
    assert.equal((await queue.getJobScheduler('a'))?.every, 60_000);
    assert.equal(await queue.getJobScheduler('b'), undefined);
  });

  describe('an ACS whose Redis restarts empty', () => {
    let acs: TestAcs;
    let queues: Queue[];
    before(async () => {
      const presets = dirWith({ 'minutely.yaml': 'schedule: { cron: "* * * * *", duration: 1m }\nchannel: minutely\nprovisions:\n  - [minutely]\n' });
      const provisions = dirWith({ 'minutely.js': "declare('Device.ManagementServer.PeriodicInformInterval', null, { value: 600 });\n" });
      acs = await startTestAcs('job_schedulers', { redisUrl: redis.url, presetsDir: presets, provisionsDir: provisions });
      opened.push({ close: () => acs.stop() });
      const prefix = bullPrefix(acs.config.redisPrefix);
      queues = [STEP_QUEUE, TASK_SWEEP_QUEUE, CAMPAIGN_QUEUE].map((name) => queueOn(name, prefix));
    });

    const schedulerIds = async (): Promise<string[]> => (await Promise.all(queues.map((q) => q.getJobSchedulers()))).flat().map((s) => s.key).sort();

    it('has its scheduled preset, task sweep and campaign sweep back at once, and the preset fires again', async () => {
      const command = new Redis(redis.url);
      opened.push({ close: () => command.disconnect() });
      const expected = ['campaigns-sweep', 'preset:minutely', 'sweep'];
      assert.deepEqual(await schedulerIds(), expected);
      await command.set('acs-test:before-restart', '1');
      await redis.kill();
      await redis.start();
      assert.equal(await command.exists('acs-test:before-restart'), 0, 'the restarted Redis is empty');
      await until('the schedulers to be back', async () => (await schedulerIds()).join() === expected.join(), 10_000);
      // The window key went with the data: it opens again only if the scheduler fires (each minute).
      await until('the scheduled preset to fire', async () => (await openSchedules(command, acs.config.redisPrefix)).has('minutely'), 70_000);
    });
  });
});
