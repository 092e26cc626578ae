import type { SessionResult, ValueChange } from '../../db/types';
import type { SessionCommitted } from '../../tasks/committed';
import type { SessionDeps } from './context';
import { isRoutine } from './events';
import type { SessionLogEntry, SessionState } from './state';
import { finishing, isTaskChannel, provisionOutcomes } from './task-progress';
import { sessionEvents } from '../../webhooks/session-events';
import { metrics, sessionEnded } from '../../metrics/registry';

/** Why a session ended; anything but 'completed' is kept in the device history. */
export type EndReason = 'completed' | 'timeout' | 'replaced';

const COMMIT_RETRY_MS = 5_000;

export function resultOf(state: SessionState, log: SessionLogEntry[], reason: EndReason): SessionResult {
  const result: SessionResult = {
    sessionId: state.id,
    deviceKey: state.deviceKey,
    inform: state.inform,
    ops: [],
    tasks: [],
    faults: [],
    history: state.informEntry ? [state.informEntry] : [],
  };
  for (const e of log) {
    if (e.t === 'op') result.ops.push(e.op);
    else if (e.t === 'task') result.tasks.push(e.outcome);
    else if (e.t === 'fault') result.faults.push(e.fault);
    else result.history.push(e.entry);
  }
  result.tasks.push(...provisionOutcomes(state));
  const p = state.provision;
  // A provision task's channel is one-shot: its fault finishes the task, it is not kept on the device.
  const set = p?.faults.filter((f) => !isTaskChannel(f.channel)) ?? [];
  const cleared = p?.clearedFaults.filter((c) => !isTaskChannel(c)) ?? [];
  if (set.length + cleared.length > 0) result.channelFaults = { set, cleared };
  if (p && p.tags.add.length + p.tags.remove.length > 0) result.tags = { add: p.tags.add, remove: p.tags.remove };
  if (state.model !== 'stored') result.fresh = true;
  const done = doneEvents(state);
  if (done.length > 0) result.doneEvents = { ids: done.map((e) => e.id), before: state.startedAt };
  if (reason !== 'completed') {
    const detail = state.inFlight ? { unanswered: state.inFlight.request.method } : {};
    result.history.push({ time: Date.now(), kind: `session-${reason}`, detail, sessionId: state.id });
  }
  return result;
}

/**
 * The carried events this session is done with: all of them once its
 * provisioning settled (every preset they triggered ran to the end without a
 * fault), or when no preset wanted them; none otherwise (provisioning cut short,
 * a channel faulted or backing off): the next sessions carry them again.
 */
function doneEvents(state: SessionState): SessionState['carried'] {
  const p = state.provision;
  return p === null || p.settled ? state.carried : [];
}

/**
 * A session that learnt nothing but "the device is alive": a routine Inform
 * whose content matches the last committed one, and no exchange after it.
 * Such a session only touches last_inform, in a batch, without a transaction.
 */
function isQuiet(state: SessionState, log: SessionLogEntry[], reason: EndReason): boolean {
  const p = state.provision;
  const provisioned = p !== null && (p.faults.length + p.clearedFaults.length + p.tags.add.length + p.tags.remove.length > 0);
  return (
    reason === 'completed' && log.length === 0 && !provisioned && state.carried.length === 0 &&
    isRoutine(state.inform.events) && state.informHash === state.facts.knownHash
  );
}

/**
 * Commits what the session learnt, then frees the device. What follows the
 * database commit (device facts, notices, the session's end) is sent
 * together: one Redis round trip.
 */
async function commit(deps: SessionDeps, state: SessionState, log: SessionLogEntry[], reason: EndReason): Promise<void> {
  if (isQuiet(state, log, reason)) return void (await Promise.all([deps.sessions.touch(state.deviceKey, state.inform.time), deps.sessions.drop(state)]));
  const result = resultOf(state, log, reason);
  const { valueChanges, firstInform } = await deps.store.commitSession(result);
  const finished = new Set(finishing(result.tasks).map((t) => t.id));
  const pending = state.loadedIds.some((id) => !finished.has(id));
  const consumed = new Set(result.doneEvents?.ids ?? []);
  const events = state.carried.filter((e) => !consumed.has(e.id));
  const facts = { credentials: state.facts.credentials, pending, informHash: state.informHash, events };
  // The facts are written before the lock goes (same pipeline, in order): the device's next session reads them.
  await Promise.all([deps.facts.write(state.deviceKey, state.facts.version, facts), notify(deps, state, result, valueChanges, firstInform), deps.sessions.drop(state)]);
}

/** The commit is done: a notice that cannot go out is logged (waiting workflows fall back on their timeouts). */
/** `registered`: the commit wrote the device's first Inform (device.registered). */
async function notify(deps: SessionDeps, state: SessionState, result: SessionResult, valueChanges: ValueChange[], registered: boolean): Promise<void> {
  // After the CPE's last answer is written; batched for the stream up to BATCH_MS later.
  deps.webhooks?.emitSoon(() => sessionEvents(state, result, valueChanges, registered));
  deps.qoe?.fromSession(state.deviceKey, result.ops);
  if (deps.orders && state.ordersUnread) {
    await deps.orders.onBootstrap(state.inform.deviceId, 0).catch((err: unknown) => deps.log.error({ deviceId: state.deviceKey, err }, 'orders not looked at'));
  }
  if (!deps.notices) return;
  const notice: SessionCommitted = {
    device: state.deviceKey,
    sessionId: state.id,
    time: state.inform.time,
    events: state.inform.events.map((e) => ({ code: e.EventCode, commandKey: e.CommandKey })),
    requests: state.cpeRequests ?? [],
    tasks: finishing(result.tasks).map((t) => ({ id: t.id, status: t.status })),
  };
  await deps.notices.committed(notice).catch((err: unknown) => deps.log.error({ deviceId: state.deviceKey, sessionId: state.id, err }, 'commit notice not sent'));
}

/**
 * Ends a session: commits what it learnt in one transaction, then frees the
 * device. Exactly one process ends a given session (the claim); a request
 * left unanswered stays in the device's queue for its next session. If the
 * commit fails (database down), the session is put back to be ended again
 * later rather than lose what it learnt. Returns false when it was not ours.
 * `known` saves a read when the caller holds the session's latest state.
 */
export async function endSession(deps: SessionDeps, sid: string, reason: EndReason, known?: SessionState): Promise<boolean> {
  const { sessions } = deps;
  // The common case, a periodic Inform and nothing else: one Redis round trip, no database.
  if (known && known.logged === 0 && isQuiet(known, [], reason)) {
    const ours = await sessions.endQuiet(known);
    if (ours) endedQuiet(deps, known, reason);
    return ours;
  }
  const entries = await sessions.claimWithLog(sid);
  if (!entries) return false;
  const state = known ?? (await sessions.load(sid));
  if (!state) return false;
  await endClaimed(deps, state, entries, reason);
  return true;
}

/**
 * True when a session, as it opens, would end quietly at its CPE's empty POST:
 * nothing queued, no provision to run, nothing carried (see isQuiet). Such a
 * session is kept by the process that opened it (opened.ts) for endOpened.
 */
export function quietAtOpen(state: SessionState): boolean {
  return state.queue.length === 0 && state.taskProvisions === undefined && state.provision === null && state.logged === 0 && isQuiet(state, [], 'completed');
}

/**
 * The empty POST of a session this process opened quiet (quietAtOpen) and has
 * not read back since: ended as endSession would end it, without reading its
 * state. 'gone' when the session no longer exists (the CPE must start anew).
 */
export async function endOpened(deps: SessionDeps, state: SessionState): Promise<'ended' | 'claimed' | 'gone'> {
  state.phase = 'acs-requests';
  const outcome = await deps.sessions.endOpenedQuiet(state);
  if (outcome === 'ended') endedQuiet(deps, state, 'completed');
  return outcome;
}

/** What follows the end of a quiet session: its webhook events if subscribed, its log line and its metrics. */
function endedQuiet(deps: SessionDeps, state: SessionState, reason: EndReason): void {
  // After the CPE's last answer is written. Measured: even an empty emit per quiet session cost the
  // 10,000-in-flight bench its 0 failures, so nothing is built unless device.inform is subscribed.
  if (deps.webhooks?.wants('device.inform')) deps.webhooks.emitSoon(() => sessionEvents(state, null));
  if (deps.log.isLevelEnabled('info')) deps.log.info({ deviceId: state.deviceKey, sessionId: state.id, reason, ms: Date.now() - state.startedAt }, 'session ended');
  sessionEnded('quiet', state.startedAt);
}

/**
 * Ends a session this process has claimed (`entries`: its whole log). The
 * claim is a lease, renewed while the commit runs: a database stall must not
 * hand the session to a second committer.
 */
export async function endClaimed(deps: SessionDeps, state: SessionState, entries: SessionLogEntry[], reason: EndReason): Promise<void> {
  const { sessions, log } = deps;
  const renew = setInterval(() => void sessions.renewClaim(state.id).catch(() => undefined), sessions.renewEveryMs);
  try {
    await commit(deps, state, entries, reason);
  } catch (err) {
    clearInterval(renew);
    log.error({ deviceId: state.deviceKey, sessionId: state.id, err }, 'session commit failed; will retry');
    metrics.sessions.inc({ outcome: 'commit_failed' });
    await sessions.retryLater(state, COMMIT_RETRY_MS);
    throw err;
  } finally {
    clearInterval(renew);
  }
  log.info({ deviceId: state.deviceKey, sessionId: state.id, reason, ms: Date.now() - state.startedAt }, 'session ended');
  sessionEnded(reason, state.startedAt);
}
