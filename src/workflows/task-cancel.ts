/**
 * Tasks a run stops waiting for (the run was cancelled, or its step timed
 * out): cancelled, so the device does not get them later, after the workflow
 * gave up on them (a firmware Download arriving hours late).
 */
import type { StepDef } from './types';
import type { StoredRun } from './run-store';

/**
 * What workflows need of the task service to withdraw a task: TaskService.cancel
 * (queued or sent tasks; ACS_ERR_CONFLICT for a finished one, ACS_ERR_NOT_FOUND
 * for one gone).
 */
export interface TaskCanceller {
  cancel(id: number): Promise<unknown>;
}

/** The task finished (or was cancelled) meanwhile, or retention removed it: nothing left to withdraw. */
const NOTHING_TO_CANCEL = new Set(['ACS_ERR_CONFLICT', 'ACS_ERR_NOT_FOUND']);

/** Cancels task `id` if it has not finished; any other error (a database outage) is thrown. */
export async function withdrawTask(tasks: TaskCanceller, id: number): Promise<void> {
  try {
    await tasks.cancel(id);
  } catch (err) {
    if (!NOTHING_TO_CANCEL.has((err as { code?: string }).code ?? '')) throw err;
  }
}

/** The step the run is at, in the list it is running (undefined: past its end). */
export function currentStep(run: StoredRun): StepDef | undefined {
  const list = run.state.compensating ? run.definition.compensate : run.definition.steps;
  return list[run.state.index];
}

/** The task the run's current step created, if it is a task step that has one (finished or not). */
export function currentTask(run: StoredRun): number | null {
  const step = currentStep(run);
  return step?.kind === 'task' ? (run.state.tasks[step.name] ?? null) : null;
}
