/**
 * A delivery worker of the suite's own against an ACS without one (role nbi):
 * a receiver, a store (a subclass may count or fail its calls), an emitter
 * and one subscription to device.boot. Set up before the suite's tests,
 * stopped after them; the fields are filled once `before` has run.
 */
import Redis from 'ioredis';
import { bullPrefix } from '../../src/engine/queue';
import { createLogger } from '../../src/log';
import { deliveryQueue, startDeliveryWorker, SubscriptionView, WebhookEmitter, WebhookStore, type AcsEvent } from '../../src/webhooks';
import type { DeliveryOptions } from '../../src/webhooks/deliver';
import { startTestAcs, TEST_REDIS_URL, type TestAcs } from '../helpers/acs';
import { Receiver, SECRET } from './receiver';

export interface DeliverySuite<S extends WebhookStore> {
  t: TestAcs;
  store: S;
  emitter: WebhookEmitter;
  receiver: Receiver;
  /** The subscription's id. */
  webhook: number;
}

export const connect = (): Redis => new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });

export const boot = (device: string, n: number): AcsEvent => ({ event: 'device.boot', device, time: Date.now(), data: { n } });

/** Registers the suite's before/after hooks; call inside `describe`. */
export function deliverySuite<S extends WebhookStore>(name: string, makeStore: (t: TestAcs) => S, options: DeliveryOptions): DeliverySuite<S> {
  const suite = { receiver: new Receiver() } as DeliverySuite<S>;
  const log = createLogger('silent');
  let worker: { close(): Promise<void> } | null = null;
  before(async () => {
    suite.t = await startTestAcs(name, {}, 'nbi');
    await suite.receiver.open();
    const { t } = suite;
    const prefix = bullPrefix(t.config.redisPrefix);
    suite.store = makeStore(t);
    suite.emitter = new WebhookEmitter({ view: new SubscriptionView(suite.store), redis: connect(), redisPrefix: t.config.redisPrefix, queue: deliveryQueue(connect(), prefix), log });
    suite.webhook = (await suite.store.create({ url: suite.receiver.url(), events: ['device.boot'], secret: SECRET, filter: null, parameters: null, createdBy: 'test' })).id;
    suite.emitter.refresh();
    worker = startDeliveryWorker({ connect, prefix, redisPrefix: t.config.redisPrefix, view: new SubscriptionView(suite.store), store: suite.store, log, options });
  });
  after(async () => {
    await worker?.close();
    await suite.emitter?.close();
    await suite.receiver.shut();
    await suite.t?.stop();
  });
  return suite;
}
