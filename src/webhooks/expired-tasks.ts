/** task.failed for tasks that expired before their device ran them (by the task sweep, or found at a session's start). */
import type { ExpiredTask } from '../db/types';
import type { AcsEvent } from './types';

const EXPIRED_FAULT_CODE = 'expired';

export function expiredTaskEvents(tasks: ExpiredTask[], now: number): AcsEvent[] {
  return tasks.map((t) => ({
    event: 'task.failed',
    device: t.deviceKey,
    time: now,
    data: { sessionId: null, task: t.id, fault: { code: EXPIRED_FAULT_CODE, message: `expired at ${new Date(t.expiresAt).toISOString()} before the device ran it` } },
  }));
}
