/**
 * WEBHOOK_PIPELINE reaches the POSTs, from the environment through the
 * webhooks role's options: a subscription's attempts started together go
 * pipelined on one connection to a fast receiver, and one at a time per
 * connection with a pipeline of 1 (src/webhooks/connections.ts).
 */
import { strict as assert } from 'node:assert';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/log';
import { deliveryOptions } from '../../src/roles/webhooks';
import { attempt } from '../../src/webhooks/attempt';
import { bodyOf, WebhookStore } from '../../src/webhooks/store';
import { describeEachDriver } from '../helpers/db';
import { Receiver, SECRET } from './receiver';

describeEachDriver('webhooks: the attempts\' pipeline option', 'webhooks_pipeline_option', (ctx) => {
  for (const [pipeline, connections] of [[undefined, 1], ['1', 12]] as const) {
    it(`12 attempts at once after one alone: ${connections} connection(s) with WEBHOOK_PIPELINE ${pipeline ?? 'unset (16)'}`, async () => {
      const options = deliveryOptions(loadConfig(pipeline === undefined ? {} : { WEBHOOK_PIPELINE: pipeline }));
      const receiver = new Receiver();
      await receiver.open();
      try {
        const store = new WebhookStore(ctx.store.sql);
        const s = await store.create({ url: receiver.url(), events: ['device.boot'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' });
        const one = (n: number) =>
          attempt(
            { store, log: createLogger('silent'), options },
            { id: `d-${n}`, webhook: s.id, device: `D${n}`, event: 'device.boot', body: bodyOf(`d-${n}`, { event: 'device.boot', device: `D${n}`, time: Date.now(), data: {} }) },
          );
        assert.equal((await one(0)).kind, 'delivered');
        const burst = await Promise.all(Array.from({ length: 12 }, (_x, i) => one(i + 1)));
        assert.ok(burst.every((o) => o.kind === 'delivered'), JSON.stringify(burst.find((o) => o.kind !== 'delivered')));
        assert.equal(receiver.got.length, 13);
        assert.equal(receiver.bad, 0);
        assert.equal(receiver.connections, connections);
      } finally {
        await receiver.shut();
      }
    });
  }
});
