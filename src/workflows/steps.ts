/**
 * What one step does when a worker looks at a run, as an outcome the
 * advance loop applies. Steps are safe to redo: a task step creates its task
 * only when the run has none recorded for it, and every other step only reads.
 */
import { isRoutineCode } from '../cwmp/session/events';
import type { Task, TaskApi } from '../tasks/types';
import { FINISHED } from '../tasks/types';
import type { DeviceNews, RunStore, StoredRun } from './run-store';
import { DeviceView, scopeOf } from './scope';
import { asText, renderCondition, renderString, renderValue } from './template';
import type { StepDef, WaitSpec, WorkflowFiles } from './types';

export type Outcome =
  /** Go on with the next step, recording this step's output (if any). */
  | { kind: 'next'; output?: unknown }
  | { kind: 'goto'; step: string }
  /** `abandonedTask`: the unfinished task the step gave up on, withdrawn once the failure is written. */
  | { kind: 'fail'; reason: string; abandonedTask?: number }
  /** A task was created: record it before anything else. */
  | { kind: 'created'; task: Task; deadline: number; connectionRequest: boolean }
  /** Start waiting for an event/condition until `deadline`; `routine`: the event is one a session with nothing new reports (2 PERIODIC). */
  | { kind: 'wait'; deadline: number; routine: boolean }
  /** Still waiting: nothing to write. */
  | { kind: 'stay' };

export interface StepDeps {
  tasks: TaskApi;
  files?: WorkflowFiles;
  runs: RunStore;
  now: number;
}

type Of<K extends StepDef['kind']> = Extract<StepDef, { kind: K }>;

export async function runStep(step: StepDef, run: StoredRun, view: DeviceView, deps: StepDeps): Promise<Outcome> {
  try {
    switch (step.kind) {
      case 'task':
        return await taskStep(step, run, view, deps);
      case 'wait':
        return await waitStep(step, run, view, deps);
      case 'switch':
        return switchStep(step, run, view);
      case 'fail':
        return { kind: 'fail', reason: asText(renderString(step.reason, scopeOf(run, view))) };
      case 'output':
        return { kind: 'next', output: renderValue(step.values, scopeOf(run, view)) };
    }
  } catch (err) {
    // A task the ACS refuses (bad body after substitution) is the run's failure, not a worker's error.
    const e = err as { code?: string; message?: string };
    if (e.code === 'ACS_ERR_BAD_REQUEST' || e.code === 'ACS_ERR_NOT_FOUND') return { kind: 'fail', reason: `step ${step.name}: ${e.message ?? ''}` };
    throw err;
  }
}

/** A single-use URL of the file store for an upload step (a redone step makes another; unused ones expire). */
async function uploadUrl(step: Of<'task'>, run: StoredRun, view: DeviceView, body: Record<string, unknown>, deps: StepDeps): Promise<string> {
  if (!deps.files) throw Object.assign(new Error(`step ${step.name}: this process has no file store for uploadTo`), { code: 'ACS_ERR_BAD_REQUEST' });
  const name = asText(renderString(step.uploadTo as string, scopeOf(run, view)));
  return (await deps.files.uploadTarget({ device: run.device, fileType: String(body.fileType ?? ''), name })).url;
}

function taskOutput(task: Task): Record<string, unknown> {
  return { taskId: task.id, status: task.status, args: task.args, result: task.result, fault: task.fault };
}

async function taskStep(step: Of<'task'>, run: StoredRun, view: DeviceView, deps: StepDeps): Promise<Outcome> {
  const recorded = run.state.tasks[step.name];
  if (recorded === undefined) {
    const body = renderValue(step.task, scopeOf(run, view)) as Record<string, unknown>;
    if (step.uploadTo !== null) body.url = await uploadUrl(step, run, view, body, deps);
    // The connection request is asked after the task is recorded (advance.ts): a failing one must not leave an unrecorded task.
    const options = {
      expiry: step.expiryMs === null ? null : deps.now + step.expiryMs,
      // Lets a task service that supports it refuse a second task for the same step (a redone job).
      idempotencyKey: `workflow:${run.id}:${step.name}:${run.state.moves}`,
    };
    const task = await deps.tasks.create(run.device, body, options);
    return { kind: 'created', task, deadline: deps.now + step.timeoutMs, connectionRequest: step.connectionRequest };
  }
  const task = await deps.tasks.get(recorded);
  if (task === null) return { kind: 'fail', reason: `step ${step.name}: task ${recorded} no longer exists` };
  if (!FINISHED.includes(task.status)) {
    const wait = run.state.wait;
    if (wait && wait.step === step.name && deps.now >= wait.deadline) {
      return { kind: 'fail', reason: `step ${step.name}: task ${task.id} did not finish in time (${task.status})`, abandonedTask: task.id };
    }
    return { kind: 'stay' };
  }
  if (task.status === 'done' || step.onFault === 'continue') return { kind: 'next', output: taskOutput(task) };
  const fault = task.fault ? `fault ${task.fault.code}: ${task.fault.message}${faultDetail(task)}` : task.status;
  return { kind: 'fail', reason: `step ${step.name}: task ${task.name} ${fault}` };
}

/** The parameters a SetParameterValues fault names, with their own codes. */
function faultDetail(task: Task): string {
  const detail = task.fault?.detail ?? [];
  return detail.length === 0 ? '' : ` (${detail.map((d) => `${d.ParameterName}: ${d.FaultCode} ${d.FaultString}`.trim()).join('; ')})`;
}

function matches(n: DeviceNews, wait: WaitSpec, commandKey: string | null): boolean {
  if (commandKey !== null && n.commandKey !== commandKey) return false;
  return (n.kind === 'event' && n.name === wait.event) || (n.kind === 'request' && n.name === wait.request);
}

function newsOutput(n: DeviceNews): Record<string, unknown> {
  return { kind: n.kind, name: n.name, commandKey: n.commandKey, time: n.time, sessionId: n.sessionId, detail: n.detail };
}

async function waitStep(step: Of<'wait'>, run: StoredRun, view: DeviceView, deps: StepDeps): Promise<Outcome> {
  const wait = run.state.wait;
  if (!wait || wait.step !== step.name) return { kind: 'wait', deadline: deps.now + step.wait.timeoutMs, routine: step.wait.event !== undefined && isRoutineCode(step.wait.event) };
  const scope = scopeOf(run, view);
  const spec = step.wait;
  let matched: DeviceNews | null = null;
  if (spec.event !== undefined || spec.request !== undefined) {
    const key = spec.commandKey === undefined ? null : asText(renderString(spec.commandKey, scope));
    const news = await deps.runs.newsSince(run.device, run.state.mark);
    matched = news.find((n) => matches(n, spec, key)) ?? null;
  }
  const eventOk = (spec.event === undefined && spec.request === undefined) || matched !== null;
  let conditionOk = true;
  if (spec.condition !== undefined && eventOk) {
    const r = view.holds(renderCondition(spec.condition, scope));
    if (!r.ok) return { kind: 'fail', reason: `step ${step.name}: ${r.message}` };
    conditionOk = r.value;
  }
  if (eventOk && conditionOk) return { kind: 'next', output: matched ? newsOutput(matched) : { condition: true } };
  if (deps.now >= wait.deadline) return { kind: 'fail', reason: `step ${step.name}: timed out waiting for ${describe(spec, eventOk)}` };
  return { kind: 'stay' };
}

function describe(spec: WaitSpec, eventSeen: boolean): string {
  const what: string[] = [];
  if (!eventSeen && spec.event !== undefined) what.push(`event "${spec.event}"`);
  if (!eventSeen && spec.request !== undefined) what.push(`request ${spec.request}`);
  if (spec.condition !== undefined) what.push(`condition ${spec.condition}`);
  return what.join(' and ');
}

function switchStep(step: Of<'switch'>, run: StoredRun, view: DeviceView): Outcome {
  const scope = scopeOf(run, view);
  for (const c of step.cases) {
    if (c.when !== undefined) {
      const r = view.holds(renderCondition(c.when, scope));
      if (!r.ok) return { kind: 'fail', reason: `step ${step.name}: ${r.message}` };
      if (!r.value) continue;
    }
    if (c.fail !== undefined) return { kind: 'fail', reason: asText(renderString(c.fail, scope)) };
    return { kind: 'goto', step: c.goto as string };
  }
  return { kind: 'next' };
}
