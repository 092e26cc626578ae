/**
 * A session's side of tasks: what an answered task request leads to (its next
 * request, for tasks of several RPCs, or the task done with its result), and
 * which provision tasks ended how once the session's provisioning is over.
 */
import type { CpeResponse } from '../soap/types';
import type { TaskOutcome } from '../../db/types';
import { followUp } from '../../tasks/follow-up';
import type { InFlightRequest, SessionLogEntry, SessionState, TaskProvision } from './state';
import type { ProvisionCall } from '../../presets/types';
import { logKeys } from '../../engine/types';

/**
 * A task request answered: its follow-up goes first in the queue, logged as
 * the task's progress (committed however the session ends, so the next
 * session resumes with the follow-up instead of starting over), or the task is done.
 */
export function taskProgress(state: SessionState, sent: InFlightRequest, response: CpeResponse): SessionLogEntry[] {
  if (sent.id === null || !sent.task) return [];
  const step = followUp(sent.task, sent.request, response, sent.earlier ?? []);
  if ('next' in step) {
    state.queue.unshift({ id: sent.id, request: step.next, task: sent.task, earlier: step.earlier });
    return [{ t: 'task', outcome: { id: sent.id, status: 'sent', progress: { next: step.next, earlier: step.earlier } } }];
  }
  return [{ t: 'task', outcome: { id: sent.id, status: 'done', result: step.result } }];
}

/** Outcomes that end a task (done, fault), as opposed to a step of one. */
export function finishing(outcomes: TaskOutcome[]): Extract<TaskOutcome, { status: 'done' | 'fault' }>[] {
  return outcomes.filter((o): o is Extract<TaskOutcome, { status: 'done' | 'fault' }> => o.status !== 'sent');
}

/** The channel a provision task runs in: its own, so that its fault stops nothing else. */
export function taskChannel(id: number): string {
  return `task:${id}`;
}

export function isTaskChannel(channel: string): boolean {
  return channel.startsWith('task:');
}

/**
 * Provision tasks once provisioning ended: faulted with their channel's
 * fault, or done (with what the provision logged). Provisioning cut short
 * (no engine answer) finishes none: they run again next session.
 */
export function provisionOutcomes(state: SessionState): TaskOutcome[] {
  const p = state.provision;
  if (!p?.done || !state.taskProvisions) return [];
  return state.taskProvisions.map((t): TaskOutcome => {
    const channel = taskChannel(t.id);
    const fault = p.faults.find((f) => f.channel === channel);
    if (fault) return { id: t.id, status: 'fault', fault: { code: fault.code, message: fault.message } };
    const calls = callsOf(t);
    const logs = logKeys(channel, calls).map((key) => p.logs[key] ?? []);
    // One provision given alone: its result as it always was; a list: one entry each, in their order.
    if (!t.listed && calls.length === 1) return { id: t.id, status: 'done', result: { provision: calls[0].name, logs: logs[0] } };
    return { id: t.id, status: 'done', result: { provisions: calls.map((c, i) => ({ provision: c.name, logs: logs[i] })) } };
  });
}

/** The task's provisions, in a session's state of this version or of the one before (`name` and `args`: one provision). */
export function callsOf(t: TaskProvision): ProvisionCall[] {
  const before = t as Partial<TaskProvision> & { name?: string; args?: ProvisionCall['args'] };
  return before.provisions ?? (before.name === undefined ? [] : [{ name: before.name, args: before.args ?? [] }]);
}
