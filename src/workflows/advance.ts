/**
 * Moves one run on: under the run's lock, read it, carry out steps until one
 * must wait (or the run ends), writing each change with a compare-and-set on
 * the run's version. States: running (a step is being carried out) →
 * waiting (on a task, an event, a condition) → running … → done | failed |
 * cancelled. A failure after the compensation point runs the `compensate`
 * steps first (status running), then ends failed with the first reason.
 */
import type { AcsEvent } from '../webhooks/types';
import { randomBytes } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeviceStore } from '../db/types';
import type { Logger } from '../log';
import { DeviceFactsCache } from '../cwmp/session/device-facts';
import { unwatchDevice } from '../tasks/committed';
import type { TaskApi } from '../tasks/types';
import { enqueueAdvance, enqueueTimeout } from './jobs';
import type { RunStore, StoredRun } from './run-store';
import { computeVars, DeviceView } from './scope';
import { runStep, type Outcome } from './steps';
import { currentStep, withdrawTask, type TaskCanceller } from './task-cancel';
import { FINAL_RUN_STATUSES, type StepDef, type WorkflowFiles } from './types';

export interface AdvanceDeps {
  runs: RunStore;
  store: DeviceStore;
  tasks: TaskApi;
  queue: Queue;
  redis: Redis;
  redisPrefix: string;
  log: Logger;
  /** How long one look at a run may hold its lock (ms). */
  lockMs: number;
  /** The file store (upload steps with uploadTo). */
  files?: WorkflowFiles;
  /** Asks a device to connect now (task steps with connectionRequest: true); absent: tasks wait for the next session. */
  connectionRequest?: (device: string) => Promise<unknown>;
  /** Withdraws tasks a run gave up on (its step timed out); absent: they stay queued. */
  taskCanceller?: TaskCanceller;
  /** Told of runs that ended done or failed (webhooks); never throws. */
  emit?: (events: AcsEvent[]) => Promise<void>;
}

function runEvent(run: StoredRun): AcsEvent {
  const data = { run: run.id, workflow: run.workflow, args: run.args, reason: run.reason, output: run.output, campaign: run.campaignId };
  return { event: run.status === 'done' ? 'workflow.done' : 'workflow.failed', device: run.device, time: Date.now(), data };
}

/** Steps carried out in one look at most: `goto` loops must wait for a later job. */
const MAX_STEPS_PER_LOOK = 50;
/** Steps a run may pass through in all. */
const MAX_MOVES = 1000;

function lockKey(prefix: string, runId: string): string {
  return `${prefix}workflows:lock:${runId}`;
}

/** Looks at a run (an `advance` job). Another look holding the run's lock: try again shortly. */
export async function advanceRun(deps: AdvanceDeps, runId: string): Promise<void> {
  const key = lockKey(deps.redisPrefix, runId);
  const token = randomBytes(8).toString('hex');
  if ((await deps.redis.set(key, token, 'PX', deps.lockMs, 'NX')) !== 'OK') {
    const run = await deps.runs.get(runId);
    if (run && !FINAL_RUN_STATUSES.includes(run.status)) await enqueueAdvance(deps.queue, runId, run.version, 250);
    return;
  }
  try {
    await look(deps, runId);
  } finally {
    // Only our own lock: a look slower than lockMs must not free the next one's.
    if ((await deps.redis.get(key)) === token) await deps.redis.del(key);
  }
}

async function look(deps: AdvanceDeps, runId: string): Promise<void> {
  let run = await deps.runs.get(runId);
  for (let n = 0; run && !FINAL_RUN_STATUSES.includes(run.status); n++) {
    if (n >= MAX_STEPS_PER_LOOK) return void (await enqueueAdvance(deps.queue, run.id, run.version, 10));
    const view = await new DeviceView(deps.store, run.device).load();
    const next = structuredClone(run);
    const varsBefore = JSON.stringify(next.state.vars);
    const { vars, settled } = computeVars(next.definition.vars, next, view);
    next.state.vars = vars;
    next.state.settledVars = settled;
    const step = currentStep(next);
    const outcome: Outcome = step ? await runStep(step, next, view, { tasks: deps.tasks, files: deps.files, runs: deps.runs, now: Date.now() }) : { kind: 'next' };
    if (outcome.kind === 'stay' && JSON.stringify(vars) === varsBefore) return;
    apply(next, step, outcome);
    if (!(await deps.runs.update(next, Date.now()))) {
      // Someone else (a cancel, a look after a lost lock) changed it: look again from what is stored.
      run = await afterLostWrite(deps, runId, outcome);
      continue;
    }
    next.version += 1;
    if (next.status !== run.status && (next.status === 'done' || next.status === 'failed')) await deps.emit?.([runEvent(next)]);
    await afterWrite(deps, next, outcome);
    // After a new wait, look once more at once: the task may be done, the event in, the condition true.
    if (outcome.kind === 'stay') return;
    run = next;
  }
}

/**
 * The run as stored after our write lost to another. A task we created for a
 * run that has ended meanwhile (cancelled while the task was being created)
 * is recorded nowhere and would still reach the device: withdrawn. A run
 * still going redoes the step, which records a task.
 */
async function afterLostWrite(deps: AdvanceDeps, runId: string, outcome: Outcome): Promise<StoredRun | null> {
  const run = await deps.runs.get(runId);
  if (outcome.kind !== 'created' || (run && !FINAL_RUN_STATUSES.includes(run.status))) return run;
  if (run && Object.values(run.state.tasks).includes(outcome.task.id)) return run;
  await withdraw(deps, runId, outcome.task.id);
  return run;
}

/** Withdraws a task the run no longer waits for; a failure is logged: the run's change is already written, a redone job would not see the task again. */
async function withdraw(deps: AdvanceDeps, runId: string, taskId: number): Promise<void> {
  if (!deps.taskCanceller) return;
  await withdrawTask(deps.taskCanceller, taskId).catch((err: unknown) => deps.log.error({ err, runId, task: taskId }, 'could not cancel a task the run gave up on'));
}

/** Side effects that follow a committed change: timeout jobs, connection requests, withdrawing an abandoned task, unwatching a finished run's device. */
async function afterWrite(deps: AdvanceDeps, run: StoredRun, outcome: Outcome): Promise<void> {
  const wait = run.state.wait;
  if ((outcome.kind === 'wait' || outcome.kind === 'created') && wait) await enqueueTimeout(deps.queue, run.id, wait.step, wait.deadline);
  // Such a session would end quiet, committing nothing and telling no one: its cached facts are dropped, so the next one commits (and is told of).
  if (outcome.kind === 'wait' && outcome.routine) await new DeviceFactsCache(deps.redis, deps.redisPrefix).invalidate(run.device);
  if (outcome.kind === 'fail' && outcome.abandonedTask !== undefined) await withdraw(deps, run.id, outcome.abandonedTask);
  if (outcome.kind === 'created' && outcome.connectionRequest && deps.connectionRequest) {
    // Best effort, not awaited (it may be asked again for half a minute): the task runs at the device's next session anyway.
    void deps.connectionRequest(run.device).catch((err: unknown) => deps.log.warn({ err, runId: run.id, device: run.device }, 'connection request failed'));
  }
  if (FINAL_RUN_STATUSES.includes(run.status)) {
    await unwatchDevice(deps.redis, deps.redisPrefix, run.device);
    deps.log.info({ runId: run.id, device: run.device, workflow: run.workflow, status: run.status, reason: run.reason }, 'workflow run ended');
  }
}

/** The run after `outcome` of `step` (undefined: past the end of its list). */
function apply(run: StoredRun, step: StepDef | undefined, outcome: Outcome): void {
  const s = run.state;
  switch (outcome.kind) {
    case 'stay':
      return;
    case 'created':
      s.tasks[(step as StepDef).name] = outcome.task.id;
      s.mark = outcome.task.createdAt;
      s.wait = { kind: 'task', step: (step as StepDef).name, taskId: outcome.task.id, deadline: outcome.deadline };
      run.status = 'waiting';
      return;
    case 'wait':
      s.wait = { kind: 'event', step: (step as StepDef).name, deadline: outcome.deadline };
      run.status = 'waiting';
      return;
    case 'fail':
      return fail(run, outcome.reason);
    case 'goto':
      return goTo(run, outcome.step);
    case 'next':
      if (!step) return finishList(run);
      if (outcome.output !== undefined) run.output[step.name] = outcome.output;
      return moveTo(run, s.index + 1);
  }
}

function list(run: StoredRun): StepDef[] {
  return run.state.compensating ? run.definition.compensate : run.definition.steps;
}

function moveTo(run: StoredRun, index: number): void {
  const s = run.state;
  s.index = index;
  s.wait = null;
  s.moves += 1;
  const step = list(run)[index];
  run.step = step?.name ?? null;
  run.status = 'running';
  if (!s.compensating && step && step.name === run.definition.compensateFrom) s.armed = true;
  if (s.moves > MAX_MOVES) fail(run, `more than ${MAX_MOVES} steps: a goto loop?`);
  if (!step) finishList(run);
}

function goTo(run: StoredRun, name: string): void {
  const steps = list(run);
  const index = steps.findIndex((st) => st.name === name);
  // Going back redoes the steps from there: their tasks are created anew.
  for (const st of steps.slice(index)) delete run.state.tasks[st.name];
  moveTo(run, index);
}

function finishList(run: StoredRun): void {
  run.step = null;
  run.state.wait = null;
  if (run.state.compensating) {
    // The compensate steps ran to the end: the run failed for its first reason.
    run.status = 'failed';
    run.reason = run.state.failure ?? 'failed';
  } else {
    run.status = 'done';
  }
}

function fail(run: StoredRun, reason: string): void {
  const s = run.state;
  if (s.compensating) {
    run.status = 'failed';
    run.step = null;
    s.wait = null;
    run.reason = `${s.failure ?? 'failed'}; compensation failed: ${reason}`;
    return;
  }
  if (s.armed && run.definition.compensate.length > 0) {
    s.compensating = true;
    s.failure = reason;
    run.reason = reason;
    s.index = -1;
    return moveTo(run, 0);
  }
  run.status = 'failed';
  run.step = null;
  s.wait = null;
  run.reason = reason;
}
