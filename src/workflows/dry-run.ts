/**
 * Dry run of a workflow against a device as the store knows it: each step as
 * the engine would carry it out now (tasks rendered, not created; waits
 * taken as satisfied, a request such as TransferComplete as one without a
 * fault; switches decided on the stored parameters), without writing
 * anything. Task results are unknown, so templates reading them render empty.
 */
import type { DeviceStore } from '../db/types';
import type { StoredRun } from './run-store';
import { computeVars, DeviceView, scopeOf } from './scope';
import { asText, renderCondition, renderString, renderValue } from './template';
import type { StepDef, WorkflowDef } from './types';

export interface DryRunLine {
  step: string;
  kind: StepDef['kind'] | 'end';
  text: string;
}

const MAX_LINES = 200;

function runOf(def: WorkflowDef, device: string, args: Record<string, unknown>): StoredRun {
  const now = Date.now();
  return {
    id: 'dry-run', device, workflow: def.name, args, status: 'running', step: def.steps[0].name, reason: null, output: {},
    campaignId: null, campaignStage: null, createdAt: now, updatedAt: now, version: 0, definition: def,
    state: { index: 0, compensating: false, failure: null, vars: null, tasks: {}, mark: now, wait: null, moves: 0, armed: false },
  };
}

function waitText(step: Extract<StepDef, { kind: 'wait' }>, run: StoredRun, view: DeviceView): string {
  const scope = scopeOf(run, view);
  const w = step.wait;
  const parts: string[] = [];
  if (w.event !== undefined) parts.push(`event "${w.event}"`);
  if (w.request !== undefined) parts.push(`request ${w.request}`);
  if (w.commandKey !== undefined) parts.push(`CommandKey "${asText(renderString(w.commandKey, scope))}"`);
  if (w.condition !== undefined) {
    const text = renderCondition(w.condition, scope);
    const now = view.holds(text);
    parts.push(`condition ${text} (${now.ok ? (now.value ? 'holds now' : 'does not hold now') : now.message})`);
  }
  return `wait for ${parts.join(', ')}; timeout ${w.timeoutMs} ms`;
}

/** One step: its line, and where to go next (a step name, null: the next one, 'fail'/'end'). */
function dryStep(step: StepDef, run: StoredRun, view: DeviceView): { text: string; next: string | null | { fail: string } } {
  const scope = scopeOf(run, view);
  switch (step.kind) {
    case 'task': {
      const body = renderValue(step.task, scope);
      run.output[step.name] = { taskId: null, status: 'done', args: body, result: null, fault: null };
      const upload = step.uploadTo === null ? '' : ` (uploads to the file store as ${asText(renderString(step.uploadTo, scope))})`;
      return { text: `task ${JSON.stringify(body)}${upload}${step.connectionRequest ? ', connection request' : ''}`, next: null };
    }
    case 'wait': {
      const commandKey = step.wait.commandKey === undefined ? '' : asText(renderString(step.wait.commandKey, scope));
      const name = step.wait.request ?? step.wait.event ?? '';
      const detail = step.wait.request === undefined ? null : { CommandKey: commandKey, FaultStruct: { FaultCode: 0, FaultString: '' } };
      run.output[step.name] = { kind: step.wait.request === undefined ? 'event' : 'request', name, commandKey, time: Date.now(), sessionId: null, detail };
      return { text: waitText(step, run, view), next: null };
    }
    case 'switch':
      for (const [i, c] of step.cases.entries()) {
        const holds = c.when === undefined ? { ok: true as const, value: true } : view.holds(renderCondition(c.when, scope));
        if (!holds.ok) return { text: holds.message, next: { fail: holds.message } };
        if (!holds.value) continue;
        if (c.fail !== undefined) {
          const reason = asText(renderString(c.fail, scope));
          return { text: `case ${i + 1} holds: fail "${reason}"`, next: { fail: reason } };
        }
        return { text: `case ${i + 1} holds: goto ${c.goto}`, next: c.goto as string };
      }
      return { text: 'no case holds: next step', next: null };
    case 'fail': {
      const reason = asText(renderString(step.reason, scope));
      return { text: `fail "${reason}"`, next: { fail: reason } };
    }
    case 'output':
      run.output[step.name] = renderValue(step.values, scope);
      return { text: `output ${JSON.stringify(run.output[step.name])}`, next: null };
  }
}

export async function dryRunWorkflow(def: WorkflowDef, store: DeviceStore, device: string, args: Record<string, unknown>): Promise<DryRunLine[]> {
  const view = await new DeviceView(store, device).load();
  const run = runOf(def, device, args);
  run.state.vars = computeVars(def.vars, run, view).vars;
  const lines: DryRunLine[] = [];
  let list = def.steps;
  let index = 0;
  while (lines.length < MAX_LINES) {
    const step = list[index];
    if (!step) {
      lines.push({ step: '', kind: 'end', text: list === def.steps ? 'done' : `failed (after compensate): ${run.state.failure ?? ''}` });
      return lines;
    }
    if (step.name === def.compensateFrom) run.state.armed = true;
    const { text, next } = dryStep(step, run, view);
    lines.push({ step: step.name, kind: step.kind, text });
    if (typeof next === 'string') index = list.findIndex((s) => s.name === next);
    else if (next === null) index++;
    else if (list === def.steps && def.compensate.length > 0 && (run.state.armed || def.compensateFrom === null)) {
      run.state.failure = next.fail;
      list = def.compensate;
      index = 0;
    } else {
      lines.push({ step: '', kind: 'end', text: `failed: ${run.state.failure ?? next.fail}` });
      return lines;
    }
  }
  lines.push({ step: '', kind: 'end', text: `stopped after ${MAX_LINES} steps (a goto loop?)` });
  return lines;
}
