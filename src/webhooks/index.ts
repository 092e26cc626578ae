/** Webhooks: subscriptions, signed deliveries through BullMQ, the events sessions make. */
export { WebhookEmitter, WEBHOOK_QUEUE } from './emitter';
export { deliveryQueue, startDeliveryWorker, type DeliveryOptions } from './deliver';
export { webhookRoutes } from './routes';
export { sessionEvents } from './session-events';
export { verifySignature, signature } from './sign';
export { WebhookStore } from './store';
export { WEBHOOK_EVENTS, type AcsEvent, type WebhookEvent } from './types';
