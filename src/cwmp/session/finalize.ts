import type { SessionResult } from '../../db/types';
import type { SessionDeps } from './context';
import type { SessionLogEntry, SessionState } from './state';

/** Why a session ended; anything but 'completed' is kept in the device history. */
export type EndReason = 'completed' | 'timeout' | 'replaced';

const COMMIT_RETRY_MS = 5_000;

export function resultOf(state: SessionState, log: SessionLogEntry[], reason: EndReason): SessionResult {
  const result: SessionResult = {
    sessionId: state.id,
    deviceKey: state.deviceKey,
    inform: state.inform,
    ops: [],
    doneRequestIds: [],
    faults: [],
    history: [],
  };
  for (const e of log) {
    if (e.t === 'op') result.ops.push(e.op);
    else if (e.t === 'done') result.doneRequestIds.push(e.id);
    else if (e.t === 'fault') result.faults.push(e.fault);
    else result.history.push(e.entry);
  }
  if (reason !== 'completed') {
    const detail = state.inFlight ? { unanswered: state.inFlight.request.method } : {};
    result.history.push({ time: Date.now(), kind: `session-${reason}`, detail, sessionId: state.id });
  }
  return result;
}

/**
 * Ends a session: commits what it learnt in one transaction, then frees the
 * device. Exactly one process ends a given session (the claim); a request
 * left unanswered stays in the device's queue for its next session. If the
 * commit fails (database down), the session is put back to be ended again
 * later rather than lose what it learnt. Returns false when it was not ours.
 */
export async function endSession(deps: SessionDeps, sid: string, reason: EndReason): Promise<boolean> {
  const { sessions, store, log } = deps;
  if (!(await sessions.claim(sid))) return false;
  const state = await sessions.load(sid);
  if (!state) return false;
  try {
    await store.commitSession(resultOf(state, await sessions.readLog(sid), reason));
  } catch (err) {
    log.error({ deviceId: state.deviceKey, sessionId: sid, err }, 'session commit failed; will retry');
    await sessions.retryLater(sid, COMMIT_RETRY_MS);
    throw err;
  }
  await sessions.drop(state);
  log.info({ deviceId: state.deviceKey, sessionId: sid, reason, ms: Date.now() - state.startedAt }, 'session ended');
  return true;
}

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
