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

// ------------------------------------------------------------------ definitions

/** A declared argument of a workflow. */
export interface ArgDef {
  required: boolean;
  default?: unknown;
  description?: string;
}

/** Where an event a wait step looks for came from. */
export interface WaitSpec {
  /** An Inform event code ("8 DIAGNOSTICS COMPLETE", "1 BOOT", "M Download"). */
  event?: string;
  /** A CPE request method ("TransferComplete"). */
  request?: string;
  /** CommandKey the event or request must carry (template). */
  commandKey?: string;
  /** Precondition-language expression (template) over the device's stored parameters. */
  condition?: string;
  timeoutMs: number;
}

/** One branch of a switch step: the first whose `when` holds (or that has none) is taken. */
export interface SwitchCase {
  when?: string;
  goto?: string;
  fail?: string;
}

interface StepBase {
  name: string;
  /** 1-based line of the step in its file (0 for inline definitions), for messages. */
  line: number;
}

export type StepDef =
  | (StepBase & {
      kind: 'task';
      /** A task body in GenieACS's shape, with templates in its strings. */
      task: Record<string, unknown>;
      connectionRequest: boolean;
      /** Task expiry, relative to its creation (ms); null: none. */
      expiryMs: number | null;
      /** How long the task may take to finish (ms). */
      timeoutMs: number;
      /** On a task fault: fail the run (default) or go on (the fault is in the step's output). */
      onFault: 'fail' | 'continue';
      /** Upload tasks: the name (template) the file gets in the ACS's file store; the task's url is a single-use upload URL for it. */
      uploadTo: string | null;
    })
  | (StepBase & { kind: 'wait'; wait: WaitSpec })
  | (StepBase & { kind: 'switch'; cases: SwitchCase[] })
  | (StepBase & { kind: 'fail'; reason: string })
  | (StepBase & { kind: 'output'; values: Record<string, unknown> });

/**
 * A variable chosen by the device's data model root, or a plain template.
 * Given as a list, the first candidate with stored parameters under it wins.
 */
export type VarDef = string | { Device?: string | string[]; InternetGatewayDevice?: string | string[] };

export interface WorkflowDef {
  name: string;
  description: string;
  args: Record<string, ArgDef>;
  vars: Record<string, VarDef>;
  steps: StepDef[];
  /** Steps run (in order) when the run fails after `compensateFrom` was reached. */
  compensate: StepDef[];
  /** Name of the step from which a failure runs `compensate` (the first step when absent). */
  compensateFrom: string | null;
}

/** The ACS's file store, as upload steps use it (src/files). */
export interface WorkflowFiles {
  uploadTarget(request: { device: DeviceKey; fileType: string; name: string }): Promise<{ url: string }>;
}

// ------------------------------------------------------------------ run state

/** What a waiting run waits for. */
export type RunWait =
  | { kind: 'task'; step: string; taskId: number; deadline: EpochMs }
  | { kind: 'event'; step: string; deadline: EpochMs };

/**
 * The run's working state (column `state`, JSON): where it is, what it
 * waits for, and the values templates read.
 */
export interface RunState {
  /** Index in `steps` (or in `compensate` when compensating). */
  index: number;
  /** Running the compensate list after `failure`. */
  compensating: boolean;
  /** Why the run failed, kept while compensating. */
  failure: string | null;
  vars: Record<string, string> | null;
  /** Vars decided for good; the others (no candidate had stored parameters yet) are chosen again at each look. */
  settledVars?: string[];
  /** Task ids created per step, recorded before the step waits on them. */
  tasks: Record<string, number>;
  /** Events and requests count from this time on (the latest task's creation, or the run's start). */
  mark: EpochMs;
  wait: RunWait | null;
  /** Steps passed through so far (guards `goto` loops). */
  moves: number;
  /** The compensate list may start (the step named compensateFrom was reached). */
  armed: boolean;
}
