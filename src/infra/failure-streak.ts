/**
 * Logs a streak of failures of one thing once, not once per failure: the
 * first failure, then one line a minute while they go on (with the count of
 * those in between), then one line when it works again. An outage of Redis
 * or of the database makes every connection, and every job swept each
 * second, fail over and over; each of those lines said nothing the first
 * did not.
 */
import type { Logger } from '../log';

const REPEAT_MS = 60_000;

/** The lines of a streak: "<lost>", "<still>" (once a minute), "<back>". */
export interface StreakWords {
  lost: string;
  still: string;
  back: string;
}

export class FailureStreak {
  private lostAt: number | null = null;
  private loggedAt = 0;
  private unlogged = 0;

  constructor(
    private readonly log: Logger,
    private readonly words: StreakWords,
    private readonly repeatMs = REPEAT_MS,
  ) {}

  /** `fields` go into the line when this failure is logged (the first of a streak, or the first of a minute). */
  failed(err: unknown, fields: Record<string, unknown> = {}): void {
    const now = Date.now();
    if (this.lostAt === null) {
      [this.lostAt, this.loggedAt, this.unlogged] = [now, now, 0];
      return this.log.error({ err, ...fields }, this.words.lost);
    }
    if (now - this.loggedAt < this.repeatMs) return void this.unlogged++;
    this.log.error({ err, ...fields, downMs: now - this.lostAt, errors: this.unlogged + 1 }, this.words.still);
    [this.loggedAt, this.unlogged] = [now, 0];
  }

  succeeded(): void {
    if (this.lostAt === null) return;
    this.log.warn({ downMs: Date.now() - this.lostAt, errors: this.unlogged }, this.words.back);
    this.lostAt = null;
  }
}
