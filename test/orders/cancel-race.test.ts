/**
 * An order cancelled in the window between its claim ('applying') and its
 * run's id being noted: cancel() saw no run to stop, so applying it must stop
 * the run it has just started. The window is hit on purpose: the runner's
 * start (a stand-in recording what the order service asks of it) cancels the
 * order before it answers. The orders table is the real one.
 */
import { strict as assert } from 'node:assert';
import { createLogger } from '../../src/log';
import { Orders } from '../../src/orders';
import type { WorkflowRun, WorkflowRunner } from '../../src/workflows/types';
import { describeEachDriver } from '../helpers/db';

describeEachDriver('orders: a cancel racing the start of the order\'s run', 'acs_test_orders_race', (ctx) => {
  it('the run started is cancelled too, and the order stays cancelled with no run', async () => {
    const asked = { started: [] as string[], cancelled: [] as string[] };
    let orders: Orders | null = null;
    const runner = {
      start: async (): Promise<WorkflowRun> => {
        const cancelled = await (orders as Orders).cancel('race-1');
        assert.equal(cancelled.status, 'cancelled', 'cancelled while its run starts');
        asked.started.push('run-1');
        return { id: 'run-1', device: 'dev', workflow: 'w', args: {}, status: 'running', step: 'provision', reason: null, output: {}, campaignId: null, campaignStage: null, createdAt: 0, updatedAt: 0 };
      },
      cancel: async (id: string): Promise<WorkflowRun | null> => {
        asked.cancelled.push(id);
        return null;
      },
      get: async (): Promise<WorkflowRun | null> => null,
    } as unknown as WorkflowRunner;
    orders = new Orders({
      sql: ctx.store.sql, runner, log: createLogger('silent'), hasProvision: () => true, hasWorkflow: () => true, presetProvisions: () => null, emit: async () => undefined,
    });
    const { created } = await orders.create({ id: 'race-1', device: { serialNumber: 'RACE0001' }, service: { provision: 'wifi', args: ['x'] } });
    assert.equal(created, true);
    const started = await orders.onBootstrap({ OUI: '00AA11', ProductClass: 'Box', SerialNumber: 'RACE0001', Manufacturer: 'Acme' }, 0);
    assert.equal(started, 0, 'no run counted as started for the session');
    assert.deepEqual(asked, { started: ['run-1'], cancelled: ['run-1'] });
    const order = await orders.get('race-1');
    assert.equal(order?.status, 'cancelled');
    assert.equal(order?.runId, null);
  });
});
