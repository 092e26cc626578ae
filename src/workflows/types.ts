/**
 * Contract of durable workflows, as campaigns and the REST API use them.
 * (Seeded as a contract; the workflows module fills in the rest.)
 */
import type { DeviceKey, EpochMs } from '../db/types';

/** running: a step is being carried out; waiting: on a task, an event or a condition; the rest are final. */
export type RunStatus = 'running' | 'waiting' | 'done' | 'failed' | 'cancelled';
export const FINAL_RUN_STATUSES: readonly RunStatus[] = ['done', 'failed', 'cancelled'];

/** What starts a run: a workflow of WORKFLOWS_DIR by name, or one given inline (a campaign of a single task). */
export interface RunStart {
  device: DeviceKey;
  /** File base name in WORKFLOWS_DIR ("firmware-upgrade"), or an inline definition in the same format as a file. */
  workflow: string | { name: string; definition: unknown };
  args?: Record<string, unknown>;
  /** Set when a campaign started the run: the campaign counts its runs per stage from the store. */
  campaign?: { id: string; stage: number };
}

export interface WorkflowRun {
  id: string;
  device: DeviceKey;
  workflow: string;
  args: Record<string, unknown>;
  status: RunStatus;
  /** The step being carried out or waited on (null once final). */
  step: string | null;
  /** Why it failed (or was cancelled). */
  reason: string | null;
  /** Values the steps produced (task results, diagnostics results), by step name. */
  output: Record<string, unknown>;
  campaignId: string | null;
  campaignStage: number | null;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

/**
 * Storage: table `workflow_runs` with at least the columns id (VARCHAR(36)),
 * device_key, workflow, status, campaign_id (NULL), campaign_stage (NULL),
 * created_at, updated_at: campaigns count runs with
 * `SELECT campaign_stage, status, COUNT(*) FROM workflow_runs WHERE campaign_id = ? GROUP BY ...`.
 */
export interface WorkflowRunner {
  start(run: RunStart): Promise<WorkflowRun>;
  get(id: string): Promise<WorkflowRun | null>;
  list(filter: { device?: DeviceKey; status?: RunStatus; campaign?: string; limit?: number }): Promise<WorkflowRun[]>;
  cancel(id: string, reason?: string): Promise<WorkflowRun | null>;
}
