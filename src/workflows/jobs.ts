/**
 * The BullMQ queue that moves runs on. One job type, `advance {runId}`: read
 * the run, do what is due, write it back (compare-and-set). Jobs carry no
 * state of their own, so a duplicate, a stale or a redone job (a worker
 * killed mid-job, its job handed to another by BullMQ's stalled-job check)
 * does nothing more than look again.
 */
import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';

export const WORKFLOW_QUEUE = 'workflows';

export interface AdvanceJob {
  runId: string;
}

/** BullMQ custom job ids may not contain ":" (its key separator). */
function safe(s: string): string {
  return s.replace(/[^A-Za-z0-9_-]/g, '_');
}

const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: 1000, attempts: 5, backoff: { type: 'exponential', delay: 500 } };

/**
 * Asks a worker to look at the run. `cause` names why (one job per run,
 * version and cause); by default every call adds a job: a job already being
 * processed may have read the run before the news that causes this one.
 */
export async function enqueueAdvance(queue: Queue, runId: string, version: number, delayMs = 0, cause = randomBytes(6).toString('hex')): Promise<void> {
  const id = `adv-${safe(runId)}-${version}-${safe(cause)}`;
  await queue.add('advance', { runId } satisfies AdvanceJob, { ...JOB_OPTIONS, jobId: id, delay: delayMs });
}

/** Looks at the run again when a wait's time is up (deadline, ms since epoch). */
export async function enqueueTimeout(queue: Queue, runId: string, step: string, deadline: number): Promise<void> {
  const delay = Math.max(0, deadline - Date.now());
  await queue.add('advance', { runId } satisfies AdvanceJob, { ...JOB_OPTIONS, jobId: `tmo-${safe(runId)}-${safe(step)}-${deadline}`, delay: delay + 50 });
}
