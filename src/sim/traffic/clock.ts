/**
 * The simulator's clock: real time, or real time sped up (and shifted) so a
 * test sees a day of traffic or many bulk data intervals in seconds. Counters
 * and bulk data schedules read this clock; sessions keep real time.
 */
export interface SimClockOptions {
  /** Simulated milliseconds per real millisecond (default 1). */
  speed?: number;
  /** The simulated time at the clock's creation (default: now). */
  start?: number;
}

export class SimClock {
  readonly speed: number;
  private readonly realStart: number;
  private readonly simStart: number;

  constructor(options: SimClockOptions = {}) {
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0)) throw new Error(`SimClock: speed ${this.speed} must be greater than 0`);
    this.realStart = Date.now();
    this.simStart = options.start ?? this.realStart;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return this.simStart + (Date.now() - this.realStart) * this.speed;
  }

  /** The real wait until simulated time `simMs` (0 if past). */
  realDelayUntil(simMs: number): number {
    return Math.max(0, (simMs - this.now()) / this.speed);
  }

  /** Real milliseconds of a simulated duration. */
  realMs(simDurationMs: number): number {
    return simDurationMs / this.speed;
  }
}
