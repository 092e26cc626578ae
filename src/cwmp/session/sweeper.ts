/**
 * The periodic work of every CWMP process, run by server.ts: ending the
 * sessions whose CPE went quiet (their deadline passed; the claim in
 * redis-store.ts lets exactly one process end each), and writing the
 * last_inform times that quiet sessions left in the `touched` batch.
 */
import type { SessionDeps } from './context';
import { endSession } from './finalize';

/** Ends the sessions whose CPE went quiet; run periodically by every CWMP process. */
export async function sweepExpired(deps: SessionDeps, now = Date.now()): Promise<number> {
  let ended = 0;
  for (const sid of await deps.sessions.expired(now, 100)) {
    try {
      if (await endSession(deps, sid, 'timeout')) ended++;
    } catch {
      // Logged by endSession and re-queued; carry on with the others.
    }
  }
  return ended;
}

/** Writes the batched last_inform times of quiet sessions; on failure they go back for the next run. */
export async function flushTouched(deps: SessionDeps, batch = 1000): Promise<number> {
  const entries = await deps.sessions.takeTouched(batch);
  if (entries.length === 0) return 0;
  try {
    await deps.store.touchDevices(entries);
  } catch (err) {
    await deps.sessions.untake(entries);
    throw err;
  }
  return entries.length;
}
