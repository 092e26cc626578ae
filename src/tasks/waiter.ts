/**
 * Waits for tasks to finish, for API requests that hold `?timeout=` open.
 * One subscriber connection per process hears every commit's finished tasks
 * (committed.ts); pub/sub may drop a message, so a waiter reads the task once
 * more when its time is up rather than trusting only what it heard.
 */
import type { Redis } from 'ioredis';
import type { Task } from './types';
import { FINISHED } from './types';
import { tasksFinishedChannel } from './committed';

type Wake = () => void;

export class TaskWaiter {
  private readonly waiting = new Map<number, Set<Wake>>();
  private ready: Promise<unknown> | null = null;

  constructor(
    private readonly subscriber: Redis,
    private readonly prefix: string,
  ) {
    subscriber.on('message', (channel: string, message: string) => {
      if (channel === tasksFinishedChannel(prefix)) this.heard(message);
    });
  }

  /** The task once finished (read with `read`), or as it is after `timeoutMs`. */
  async wait(id: number, timeoutMs: number, read: () => Promise<Task | null>): Promise<Task | null> {
    this.ready ??= this.subscriber.subscribe(tasksFinishedChannel(this.prefix));
    await this.ready;
    let wake: Wake = () => undefined;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    this.add(id, wake);
    const timer = setTimeout(wake, timeoutMs);
    try {
      // Subscribed first, read second: a task finishing in between is seen by one or the other.
      const now = await read();
      if (!now || FINISHED.includes(now.status)) return now;
      await woken;
      return await read();
    } finally {
      clearTimeout(timer);
      this.remove(id, wake);
    }
  }

  close(): Promise<unknown> {
    for (const wakes of this.waiting.values()) for (const wake of wakes) wake();
    return this.subscriber.quit().catch(() => undefined);
  }

  private heard(message: string): void {
    let finished: { id: number }[];
    try {
      finished = JSON.parse(message) as { id: number }[];
    } catch {
      return;
    }
    for (const { id } of finished) for (const wake of this.waiting.get(id) ?? []) wake();
  }

  private add(id: number, wake: Wake): void {
    const set = this.waiting.get(id) ?? new Set<Wake>();
    set.add(wake);
    this.waiting.set(id, set);
  }

  private remove(id: number, wake: Wake): void {
    const set = this.waiting.get(id);
    set?.delete(wake);
    if (set?.size === 0) this.waiting.delete(id);
  }
}
