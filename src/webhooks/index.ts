/** Webhooks: subscriptions, events through a Redis stream, signed deliveries through BullMQ. */
export { WebhookEmitter, WEBHOOK_QUEUE, webhookKeys } from './emitter';
export { SubscriptionView } from './subscriptions';
export { deliveryQueue, startDeliveryWorker, type DeliveryOptions } from './deliver';
export { webhookRoutes } from './routes';
export { sessionEvents } from './session-events';
export { verifySignature, signature } from './sign';
export { WebhookStore } from './store';
export { WEBHOOK_EVENTS, type AcsEvent, type WebhookEvent } from './types';
