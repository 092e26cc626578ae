/** Webhooks: what outside systems subscribe to, and what a delivery is. */
import type { DeviceKey, EpochMs } from '../db/types';

/** The events the ACS delivers (device.inform is high volume: subscribe to it on purpose). */
export const WEBHOOK_EVENTS = [
  'device.registered', 'device.bootstrap', 'device.boot', 'device.inform', 'device.fault', 'parameter.changed',
  'task.done', 'task.failed', 'workflow.done', 'workflow.failed', 'campaign.progress', 'campaign.stopped',
  'order.applied', 'order.failed', 'qoe.alert', 'qoe.report',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface Subscription {
  id: number;
  url: string;
  events: WebhookEvent[];
  /** A precondition (presets' language) the device must match; null: every device. */
  filter: string | null;
  /** parameter.changed: the parameters (or objects, ending in ".") whose value changes it wants. */
  parameters: string[] | null;
  createdAt: EpochMs;
  createdBy: string;
  failingSince: EpochMs | null;
  disabledAt: EpochMs | null;
  disabledReason: string | null;
}

/** What is POSTed to the receiver, as JSON. */
export interface WebhookPayload {
  /** The delivery's stable id: the same on every attempt and replay of this delivery. */
  id: string;
  event: WebhookEvent;
  /** ISO 8601. */
  time: string;
  device: DeviceKey | null;
  data: Record<string, unknown>;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'skipped' | 'failed';

export interface Delivery {
  id: string;
  webhook: number;
  event: WebhookEvent;
  device: DeviceKey | null;
  time: EpochMs;
  status: DeliveryStatus;
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: EpochMs | null;
}

/** An event as its source reports it, before it is fanned out to subscriptions. */
export interface AcsEvent {
  event: WebhookEvent;
  device: DeviceKey | null;
  time: EpochMs;
  data: Record<string, unknown>;
}
