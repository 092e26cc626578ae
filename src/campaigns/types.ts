/**
 * Campaigns: one action (a task, a provision, a workflow) carried out over
 * every device a query selects, in stages, at a limited rate, inside a
 * maintenance window, stopping itself when too many devices of a stage fail.
 * Every device's outcome is the outcome of the workflow run the campaign
 * started for it (src/workflows): a task or provision is an inline workflow
 * of one task step.
 */
import type { DeviceQuery } from '../db/device-query';
import type { DeviceKey, EpochMs } from '../db/types';

/**
 * draft: created, not started; running: starting devices; paused: by an
 * operator (runs in flight go on); stopped: by its failure rule (`reason`
 * says which stage and ratio); cancelled: by an operator (its unfinished runs
 * are cancelled); done: every stage finished.
 */
export type CampaignStatus = 'draft' | 'running' | 'paused' | 'stopped' | 'cancelled' | 'done';
export const FINAL_CAMPAIGN_STATUSES: readonly CampaignStatus[] = ['stopped', 'cancelled', 'done'];

/**
 * pending: not started yet; started: its run is in flight; done / failed:
 * how its run ended; cancelled: its run was cancelled; skipped: never started
 * (the campaign was cancelled, or the device was gone).
 */
export type DeviceOutcome = 'pending' | 'started' | 'done' | 'failed' | 'cancelled' | 'skipped';
export const DEVICE_OUTCOMES: readonly DeviceOutcome[] = ['pending', 'started', 'done', 'failed', 'cancelled', 'skipped'];

export type CampaignAction =
  /** A task body in GenieACS's shape (src/tasks/build.ts checks it). */
  | { task: Record<string, unknown> }
  /** A provision script run once (a `provision` task). */
  | { provision: string; args: (string | number | boolean)[] }
  /** A workflow of WORKFLOWS_DIR by name. */
  | { workflow: string; args: Record<string, unknown> };

/** One stage: a share of the selection (`percent` of all, or `count` devices), then a wait before the next. */
export interface StageSpec {
  percent?: number;
  count?: number;
  /** Minutes to wait after this stage finished before the next one starts. */
  waitMinutes: number;
}

/** Devices are started only between `start` and `end` ("HH:MM", local time; end < start spans midnight). */
export interface WindowSpec {
  start: string;
  end: string;
  /** IANA zone of the window for devices whose own zone is unknown; default UTC. */
  timezone: string;
  /** Use the device's own zone (Device.Time.LocalTimeZoneName ... in its cached parameters) when known; default true. */
  deviceTimezone: boolean;
}

/** A campaign's checked, normalized definition (stored as JSON). */
export interface CampaignSpec {
  name: string;
  query: DeviceQuery;
  action: CampaignAction;
  /** Ask each device to connect when its run starts (task and provision actions). */
  connectionRequest: boolean;
  /** At least one; the last stage takes every device the earlier ones did not. */
  stages: StageSpec[];
  ratePerMinute: number;
  maxInFlight: number;
  /** Stop when failed / finished of a stage reaches this ratio (0 < r <= 1; 1: only when all fail). */
  failureThreshold: number;
  /** Finished devices a stage needs before its ratio is judged (or all of a smaller stage). */
  minSample: number;
  window: WindowSpec | null;
}

export interface StageProgress {
  stage: number;
  total: number;
  counts: Record<DeviceOutcome, number>;
}

export interface Campaign {
  id: string;
  name: string;
  spec: CampaignSpec;
  status: CampaignStatus;
  /** Why it stopped (or was cancelled). */
  reason: string | null;
  /** Index (0-based) of the stage being carried out. */
  stage: number;
  /** Devices selected (0 until the first tick took the snapshot). */
  total: number;
  selected: boolean;
  createdAt: EpochMs;
  updatedAt: EpochMs;
  finishedAt: EpochMs | null;
}

export interface CampaignDetail extends Campaign {
  progress: StageProgress[];
  counts: Record<DeviceOutcome, number>;
}

export interface CampaignDevice {
  device: DeviceKey;
  stage: number;
  status: DeviceOutcome;
  runId: string | null;
  reason: string | null;
  startedAt: EpochMs | null;
  finishedAt: EpochMs | null;
}
