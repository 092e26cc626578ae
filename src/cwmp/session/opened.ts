import type { SessionState } from './state';

/** Most sessions kept; far above what one front end has in flight at its concurrency limit. */
const MAX_ENTRIES = 50_000;

/**
 * The quiet sessions this process opened, by session id, until their CPE's
 * empty POST: that POST can then end the session without reading its state
 * back from Redis (one round trip and a JSON parse of the whole Inform less).
 *
 * Only sessions that would end quietly as opened are kept: a routine Inform
 * whose content matches the last committed one, nothing queued, no provision,
 * no event carried. Nothing another process can do to such a session before
 * its empty POST changes that: a CPE request adds only `cpeRequests` (the
 * quiet end ignores them, as it always did), and anything else ends the
 * session, which the claim in redis-store.ts (endOpenedQuiet) sees. A POST
 * other than the empty one drops the entry all the same (dispatch.ts), so the
 * state is read from Redis then.
 *
 * Entries whose empty POST went to another process (or never came) are
 * dropped once older than the session timeout, or when too many are kept.
 */
export class OpenedSessions {
  private readonly byId = new Map<string, SessionState>();

  constructor(private readonly timeoutMs: number) {}

  remember(state: SessionState): void {
    this.byId.set(state.id, state);
    this.evict(state.startedAt - this.timeoutMs);
  }

  /** The session as opened here, and forgotten here; undefined if this process did not open it quiet (or forgot it). */
  take(sid: string): SessionState | undefined {
    const state = this.byId.get(sid);
    if (state) this.byId.delete(sid);
    return state;
  }

  forget(sid: string): void {
    this.byId.delete(sid);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Insertion order is opening order: the oldest come first. */
  private evict(before: number): void {
    for (const [sid, state] of this.byId) {
      if (state.startedAt >= before && this.byId.size <= MAX_ENTRIES) return;
      this.byId.delete(sid);
    }
  }
}
