/**
 * Workflows as the UI shows them: the definitions GET /workflows answers,
 * the runs of GET /workflows/runs, and a run's steps laid against its
 * definition (a run records the step it is on and each finished step's
 * output, not a history: the steps before the current one are passed, the
 * ones with output are done).
 */
import { FINAL_RUN_STATUSES, type ArgDef, type RunStatus, type WorkflowRun } from '../../workflows/types';

export type { RunStatus, WorkflowRun };

export const RUN_STATUSES: RunStatus[] = ['running', 'waiting', 'done', 'failed', 'cancelled'];
// The server's own list: one meaning of "final" for the engine and the pages.
export const FINAL: readonly RunStatus[] = FINAL_RUN_STATUSES;
export const isFinal = (s: RunStatus): boolean => FINAL.includes(s);

/** An entry of GET /workflows. */
export interface WorkflowInfo {
  name: string;
  description: string;
  args: Record<string, ArgDef>;
  steps: { name: string; kind: string }[];
}

export type StepState = 'done' | 'passed' | 'current' | 'failed' | 'not reached';

export interface StepLine {
  name: string;
  kind: string | null;
  state: StepState;
  output: unknown;
}

/** Index of the step a failed run stopped at: the first after the last one with output (a run keeps no history). */
function failedAt(run: WorkflowRun, names: string[]): number {
  if (run.status !== 'failed') return -1;
  let last = -1;
  names.forEach((n, i) => n in run.output && (last = i));
  return last + 1 < names.length ? last + 1 : -1;
}

function stateOf(run: WorkflowRun, index: number, current: number, failed: number, name: string): StepState {
  if (name === run.step) return 'current';
  if (index === failed) return 'failed';
  if (name in run.output) return 'done';
  if (run.status === 'done' || index < current || index < failed) return 'passed';
  return 'not reached';
}

/**
 * The run's steps in their order: its definition's when known (a workflow of
 * WORKFLOWS_DIR), else the steps its output names (an inline workflow: a
 * campaign's task); a step the run is on that the list lacks (a compensation
 * step) comes last.
 */
export function stepLines(run: WorkflowRun, def: WorkflowInfo | undefined): StepLine[] {
  const steps: { name: string; kind: string | null }[] = [...(def?.steps ?? Object.keys(run.output).map((name) => ({ name, kind: null })))];
  if (run.step !== null && !steps.some((s) => s.name === run.step)) steps.push({ name: run.step, kind: def ? 'compensate' : null });
  const current = steps.findIndex((s) => s.name === run.step);
  const failed = failedAt(run, steps.map((s) => s.name));
  return steps.map((s, i) => ({ name: s.name, kind: s.kind, state: stateOf(run, i, current, failed, s.name), output: run.output[s.name] }));
}

export const runStatusClass = (s: RunStatus): string => (s === 'done' ? 'done' : s === 'failed' ? 'fault' : '');
