/**
 * The task sweep (src/tasks/sweep.ts) on the real Redis (BullMQ) and
 * database: a task past its expiry becomes expired and is told of once as
 * task.failed; an open task not yet due to expire is left alone.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { getTask, insertTask } from '../../src/db/tasks';
import { deviceKeyOf } from '../../src/model/device-key';
import { startTaskSweep } from '../../src/tasks/sweep';
import type { AcsEvent } from '../../src/webhooks/types';
import { expiredTaskEvents } from '../../src/webhooks/expired-tasks';
import { TEST_REDIS_URL } from '../helpers/acs';
import { describeEachDriver, newDeviceId } from '../helpers/db';
import { log } from '../connreq/helpers';
import { sleep, until } from '../helpers/wait';

const DAY = 24 * 3600_000;

describeEachDriver('task sweep: expired tasks told of as task.failed', 'acs_test_task_sweep', (ctx) => {
  it('expires an overdue task, emits task.failed for it once, and leaves a task not yet due alone', async () => {
    const key = deviceKeyOf(newDeviceId());
    const spec = { name: 'reboot' as const, args: {}, request: { method: 'Reboot' as const, CommandKey: 'k' } };
    const now = Date.now();
    const add = (expiry: number) => ctx.store.sql.transaction((db) => insertTask(db, key, spec, { expiry }, now - 1000));
    const overdue = await add(now - 500);
    const later = await add(now + DAY);
    const emitted: AcsEvent[] = [];
    const connections: Redis[] = [];
    const sweep = await startTaskSweep({
      prefix: `acs-test:task-sweep-${process.pid}-${now}`,
      connect: () => (connections.push(new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null })), connections[connections.length - 1]),
      store: ctx.store,
      retentionMs: 7 * DAY,
      log,
      expired: async (tasks, at) => void emitted.push(...expiredTaskEvents(tasks, at)),
    });
    try {
      // The scheduler's first job runs at once.
      await until('the overdue task told of', async () => emitted.some((e) => e.data.task === overdue), 15_000);
      await sleep(500);
      const mine = emitted.filter((e) => e.device === key);
      assert.deepEqual(mine.map((e) => [e.event, e.data.task]), [['task.failed', overdue]], 'once, and only the overdue one');
      assert.deepEqual(mine[0].data.fault, { code: 'expired', message: `expired at ${new Date(now - 500).toISOString()} before the device ran it` });
      const status = async (id: number) => (await ctx.store.sql.autocommit((db) => getTask(db, id)))?.status;
      assert.equal(await status(overdue), 'expired');
      assert.equal(await status(later), 'queued');
    } finally {
      await sweep.close();
      connections.forEach((c) => c.disconnect());
    }
  });
});
