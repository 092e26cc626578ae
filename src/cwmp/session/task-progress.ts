/**
 * A session's side of tasks: what an answered task request leads to (its next
 * request, for tasks of several RPCs, or the task done with its result), and
 * which provision tasks ended how once the session's provisioning is over.
 */
import type { CpeResponse } from '../soap/types';
import type { TaskOutcome } from '../../db/types';
import { followUp } from '../../tasks/follow-up';
import type { InFlightRequest, SessionLogEntry, SessionState } from './state';

/** A task request answered: its follow-up goes first in the queue, or the task is done. */
export function taskProgress(state: SessionState, sent: InFlightRequest, response: CpeResponse): SessionLogEntry[] {
  if (sent.id === null || !sent.task) return [];
  const earlier = sent.earlier ?? [];
  const step = followUp(sent.task, sent.request, response, earlier);
  if ('next' in step) {
    state.queue.unshift({ id: sent.id, request: step.next, task: sent.task, earlier: [...earlier, response] });
    return [];
  }
  return [{ t: 'task', outcome: { id: sent.id, status: 'done', result: step.result } }];
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
    return { id: t.id, status: 'done', result: { provision: t.name, logs: p.logs[`${channel}/${t.name}`] ?? [] } };
  });
}
