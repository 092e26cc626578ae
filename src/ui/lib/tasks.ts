/**
 * Runs a task on a device as an operator expects "now": created with a
 * connection request and a wait (POST /devices/:id/tasks?connection_request
 * &timeout), then, if still unfinished, followed with GET /tasks/:id until it
 * ends or the operator leaves the page.
 */
import { api, encodeId, withQuery } from './api';

export type TaskStatus = 'queued' | 'sent' | 'done' | 'fault' | 'expired' | 'cancelled';

export interface Task {
  id: number;
  status: TaskStatus;
  result?: unknown;
  fault?: { code: string | number; message: string; detail?: unknown };
  connectionRequest?: { outcome: string; message?: string };
}

const WAIT_MS = 15_000;
const POLL_MS = 2_000;
const POLLS = 60;

export const finished = (t: Task): boolean => t.status !== 'queued' && t.status !== 'sent';

/** Creates the task; `progress` hears each state until it is finished (or POLLS polls have passed, or `signal` aborts). */
export async function runTask(deviceId: string, body: Record<string, unknown>, progress: (t: Task) => void, signal?: AbortSignal): Promise<Task> {
  const path = withQuery(`/devices/${encodeId(deviceId)}/tasks`, { connection_request: true, timeout: WAIT_MS });
  let task = (await api<Task>('POST', path, body)).data;
  progress(task);
  // Only the creation's answer says how the connection request went: kept for the summary.
  const { connectionRequest } = task;
  for (let i = 0; i < POLLS && !finished(task) && !signal?.aborted; i++) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    task = { ...(await api<Task>('GET', `/tasks/${task.id}`)).data, connectionRequest };
    progress(task);
  }
  return task;
}

/** One line for the operator: what became of the task. */
export function taskSummary(t: Task): string {
  if (t.status === 'done') return `Task ${t.id} done.`;
  if (t.status === 'fault') return `Task ${t.id} failed: ${t.fault?.code ?? ''} ${t.fault?.message ?? ''}`.trim();
  const asked = t.connectionRequest && t.connectionRequest.outcome !== 'ok' ? ` (connection request: ${t.connectionRequest.outcome})` : '';
  if (t.status === 'queued' || t.status === 'sent') return `Task ${t.id} ${t.status}: waiting for the device${asked}…`;
  return `Task ${t.id} ${t.status}.`;
}
