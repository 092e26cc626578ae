/**
 * What a committed session tells the parts that wait on devices: tasks that
 * finished, events the device reported, requests it made (TransferComplete);
 * and tasks that expired, found by a session as it opened or by the sweep.
 *
 * Two paths, for two kinds of waiter:
 * - pub/sub (`tasksFinishedChannel`): an NBI request holding `?timeout=` open.
 *   Lossy by nature, so a waiter reads the task again when its time is up.
 * - a BullMQ job on SESSION_COMMITTED_QUEUE, only for devices in the watched
 *   set (workflows waiting on them): durable, taken by a worker even if every
 *   worker was down when the session ended.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DeviceKey, EpochMs, ExpiredTask } from '../db/types';
import type { TaskStatus } from './types';

export const SESSION_COMMITTED_QUEUE = 'session-committed';

export interface SessionCommitted {
  device: DeviceKey;
  sessionId: string;
  /** When the session's Inform arrived. */
  time: EpochMs;
  /** The Inform's events ("1 BOOT", "M Download", "8 DIAGNOSTICS COMPLETE" ...), with their CommandKeys. */
  events: { code: string; commandKey: string }[];
  /** CPE requests of the session (TransferComplete, AutonomousTransferComplete, DUStateChangeComplete ...): method and arguments. */
  requests: { method: string; detail: Record<string, unknown> }[];
  /** Tasks that reached done or fault in this session. */
  tasks: { id: number; status: TaskStatus }[];
}

/** A watched device's tasks that expired outside a commit: its workflow runs look at them now, not at their step's timeout. */
export interface TasksExpired {
  device: DeviceKey;
  tasks: number[];
}

/** The job names on SESSION_COMMITTED_QUEUE, one per kind of notice. */
export const NOTICE = { session: 'session', expired: 'expired' } as const;

export function tasksFinishedChannel(prefix: string): string {
  return `${prefix}tasks:finished`;
}

function watchedKey(prefix: string): string {
  return `${prefix}watched-devices`;
}

/** Devices whose commits some workflow waits on: counted, so two runs on one device each add and remove their own. */
export async function watchDevice(redis: Redis, prefix: string, device: DeviceKey): Promise<void> {
  await redis.hincrby(watchedKey(prefix), device, 1);
}

/**
 * The decrement and the removal of a count that reached 0 in one step. As two
 * commands, a watch landing between them (a run started on the device as its
 * last run ended) was deleted with the field: the new run's commits sent no
 * notice, and it waited on its finished task until its step's timeout.
 */
const UNWATCH = `
local left = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if left <= 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
return left`;

export async function unwatchDevice(redis: Redis, prefix: string, device: DeviceKey): Promise<void> {
  await redis.eval(UNWATCH, 1, watchedKey(prefix), device);
}

export async function isWatched(redis: Redis, prefix: string, device: DeviceKey): Promise<boolean> {
  return (await redis.hexists(watchedKey(prefix), device)) === 1;
}

const JOB_OPTIONS = { removeOnComplete: { count: 0 }, removeOnFail: { count: 1000 } };

/** Where a process sends the notices of its committed sessions and expired tasks. */
export class CommitNotices {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly queue: Queue,
  ) {}

  /** After a commit (not for quiet sessions, which finish no task and report no event worth waiting for). */
  async committed(notice: SessionCommitted): Promise<void> {
    // Issued together: one round trip (the client pipelines what is sent in one tick).
    const published = notice.tasks.length > 0 ? this.redis.publish(tasksFinishedChannel(this.prefix), JSON.stringify(notice.tasks)) : null;
    const watched = isWatched(this.redis, this.prefix, notice.device);
    await published;
    if (await watched) await this.queue.add(NOTICE.session, notice, JOB_OPTIONS);
  }

  /** After tasks were marked expired (and committed so). */
  async expired(tasks: ExpiredTask[]): Promise<void> {
    if (tasks.length === 0) return;
    const finished: SessionCommitted['tasks'] = tasks.map((t) => ({ id: t.id, status: 'expired' }));
    const published = this.redis.publish(tasksFinishedChannel(this.prefix), JSON.stringify(finished));
    const byDevice = new Map<DeviceKey, number[]>();
    for (const t of tasks) byDevice.set(t.deviceKey, [...(byDevice.get(t.deviceKey) ?? []), t.id]);
    const watched = await Promise.all([...byDevice.keys()].map((d) => isWatched(this.redis, this.prefix, d)));
    await published;
    const jobs = [...byDevice].filter((_, i) => watched[i]).map(([device, ids]) => ({ name: NOTICE.expired, data: { device, tasks: ids } satisfies TasksExpired, opts: JOB_OPTIONS }));
    if (jobs.length > 0) await this.queue.addBulk(jobs);
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
