/**
 * One timer for a whole fleet's bulk data schedules: a hashed timer wheel.
 * Entries fall into slots of `tickMs` (real time); one interval timer,
 * running only while entries wait, fires every slot that is due. Scheduling
 * and cancelling are O(1), and 100,000 profiles cost 100,000 small entries
 * instead of 100,000 Node timers.
 */

interface Entry {
  slot: number;
  task: () => void;
}

export type WheelHandle = object;

export class TimerWheel {
  private readonly slots = new Map<number, Set<Entry>>();
  private size = 0;
  private lastSlot: number;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly tickMs = 100,
    /** Errors thrown by tasks go here (a task must not stop the wheel). */
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {
    this.lastSlot = Math.floor(Date.now() / tickMs);
  }

  /** Runs `task` once `delayMs` (real) have passed, at the next tick after. */
  schedule(delayMs: number, task: () => void): WheelHandle {
    const slot = Math.max(this.lastSlot + 1, Math.ceil((Date.now() + Math.max(0, delayMs)) / this.tickMs));
    const entry: Entry = { slot, task };
    let set = this.slots.get(slot);
    if (!set) this.slots.set(slot, (set = new Set()));
    set.add(entry);
    this.size++;
    this.start();
    return entry;
  }

  cancel(handle: WheelHandle | undefined): void {
    if (!handle) return;
    const entry = handle as Entry;
    if (this.slots.get(entry.slot)?.delete(entry)) this.size--;
  }

  /** Entries waiting. */
  get pending(): number {
    return this.size;
  }

  close(): void {
    this.closed = true;
    this.slots.clear();
    this.size = 0;
    this.stop();
  }

  private start(): void {
    if (this.timer || this.closed) return;
    // Idle until now: nothing waits in the slots passed meanwhile.
    this.lastSlot = Math.floor(Date.now() / this.tickMs) - 1;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    // Waiting reports alone do not keep a process alive.
    this.timer.unref();
  }

  private stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = Math.floor(Date.now() / this.tickMs);
    for (let slot = this.lastSlot + 1; slot <= now && this.size > 0; slot++) {
      const set = this.slots.get(slot);
      this.lastSlot = slot;
      if (!set) continue;
      this.slots.delete(slot);
      this.size -= set.size;
      for (const e of set) this.run(e);
    }
    this.lastSlot = now;
    if (this.size === 0) this.stop();
  }

  private run(e: Entry): void {
    try {
      e.task();
    } catch (err) {
      this.onError(err);
    }
  }
}
