import type { Socket } from 'node:net';
import type Koa from 'koa';
import { readCookie, SESSION_COOKIE } from './cookies';

/** The soonest a refused CPE is told to come back, in seconds. */
const MIN_RETRY_AFTER_S = 5;
/** The latest: past it a CPE's own retry timers are as good as ours. */
const MAX_RETRY_AFTER_S = 300;
/** The least admission rate ever assumed, new sessions per second. */
const FLOOR_ADMISSIONS_PER_S = 50;

/**
 * When refused CPEs should return: each coming second gets at most as many of
 * them as this process admits new sessions per second, so the refused come back
 * spread at the rate they can be served instead of as one herd (a herd of
 * reconnections overflows the kernel's accept queue, and overflowed connections
 * end in resets after seconds of retransmission).
 */
export class ReturnCalendar {
  /** Returns booked per epoch second. */
  private readonly booked = new Map<number, number>();
  private second: number;
  private admittedThisSecond = 0;
  private refusedThisSecond = 0;

  /**
   * @param admissionsPerS the rate assumed before one is measured. Too high
   * corrects itself (who returns too early is refused and booked again, later);
   * too low would park CPEs for minutes, so it starts high.
   */
  constructor(
    private admissionsPerS: number,
    private readonly now: () => number = Date.now,
  ) {
    this.second = Math.floor(now() / 1000);
  }

  /** A new session was let in. */
  admitted(): void {
    this.roll();
    this.admittedThisSecond++;
  }

  /** Books a return for a refused CPE; the Retry-After value in seconds. */
  book(): number {
    const now = this.roll();
    this.refusedThisSecond++;
    let at = now + MIN_RETRY_AFTER_S;
    while ((this.booked.get(at) ?? 0) >= this.admissionsPerS && at < now + MAX_RETRY_AFTER_S) at++;
    this.booked.set(at, (this.booked.get(at) ?? 0) + 1);
    return at - now;
  }

  /**
   * Moves to the current second. A full second in which some CPE was refused
   * measured the capacity (admissions were limited by it, not by demand) and
   * updates the rate, smoothed; past bookings are forgotten.
   */
  private roll(): number {
    const now = Math.floor(this.now() / 1000);
    if (now === this.second) return now;
    if (now === this.second + 1 && this.refusedThisSecond > 0) {
      this.admissionsPerS = Math.max(FLOOR_ADMISSIONS_PER_S, Math.round(0.7 * this.admissionsPerS + 0.3 * this.admittedThisSecond));
    }
    this.second = now;
    this.admittedThisSecond = 0;
    this.refusedThisSecond = 0;
    for (const at of this.booked.keys()) if (at <= now) this.booked.delete(at);
    return now;
  }
}

/**
 * Overload guard. Past `maxInProgress` requests in progress, the first POST of
 * a new session is answered 503 with Retry-After (from the {@link ReturnCalendar})
 * before its body is read, and its connection closed: the CPE retries later, and
 * a backlog of waiting CPEs holds no memory here. POSTs of open sessions (a
 * session cookie, or a connection that carries a session) always pass: refusing
 * one would cut a session whose lock is held, and its CPE would start over;
 * their number is bounded by the sessions admitted.
 */
export function shedLoad(maxInProgress: number, bySocket: WeakMap<Socket, string>): Koa.Middleware {
  // Until measured: as if every request in progress ended within a second.
  const calendar = new ReturnCalendar(Math.max(maxInProgress, FLOOR_ADMISSIONS_PER_S));
  let inProgress = 0;
  return async (ctx, next) => {
    const inSession = bySocket.has(ctx.req.socket) || readCookie(ctx.get('Cookie'), SESSION_COOKIE) !== null;
    if (!inSession) {
      if (inProgress >= maxInProgress) {
        ctx.status = 503;
        ctx.set('Retry-After', String(calendar.book()));
        ctx.set('Connection', 'close');
        ctx.body = 'overloaded: retry later\n';
        return;
      }
      calendar.admitted();
    }
    inProgress++;
    try {
      await next();
    } finally {
      inProgress--;
    }
  };
}
