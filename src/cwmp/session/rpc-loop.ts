import { acsFault } from '../soap/fault-codes';
import { faultLabel } from '../../metrics/labels';
import { metrics } from '../../metrics/registry';
import type { AcsRequest, CpeResponse, CwmpEnvelope, CwmpMessage, Fault } from '../soap/types';
import type { SessionDeps } from './context';
import { endClaimed, endSession } from './finalize';
import { ACS_METHODS, cpeRequestReply } from './cpe-requests';
import { endReply, errorReply, faultReply, soapReply, type CwmpReply } from './replies';
import { entriesForFault, entriesForResponse } from './results';
import { taskProgress } from './task-progress';
import { engineAnswer, nextEngineRound } from './provisioning';
import type { QueuedRequest, SessionLogEntry, SessionState } from './state';

/**
 * Everything after the Inform (TR-069 §3.7.1.2-5): the CPE's own requests,
 * its empty POST, then the ACS's queued requests one at a time, each answered
 * by a response or fault matched by cwmp:ID, until the ACS has nothing left
 * and ends the session with 204.
 */
export async function continueSession(
  deps: SessionDeps,
  state: SessionState,
  envelope: CwmpEnvelope | null,
): Promise<CwmpReply> {
  if (envelope === null) return emptyPost(deps, state);
  const msg = envelope.body;
  if (isCpeRequest(msg)) return cpeRequest(deps, state, envelope as CwmpEnvelope<AcsRequest>);
  if (msg.method === 'Fault' || msg.method.endsWith('Response')) return answer(deps, state, envelope);
  return faultReply(state.namespace, envelope.header.ID, acsFault(8000, `${msg.method} is not a request a CPE sends`));
}

const acsMethods = new Set(ACS_METHODS);

function isCpeRequest(msg: CwmpMessage): msg is AcsRequest {
  return acsMethods.has(msg.method);
}

async function emptyPost(deps: SessionDeps, state: SessionState): Promise<CwmpReply> {
  if (state.phase === 'awaiting-response') {
    // The CPE owes us a response but sent nothing: it will not answer this one.
    deps.log.warn({ deviceId: state.deviceKey, sessionId: state.id, method: state.inFlight?.request.method }, 'empty post instead of a response');
    state.inFlight = null;
  }
  state.phase = 'acs-requests';
  return sendNext(deps, state, []);
}

async function cpeRequest(deps: SessionDeps, state: SessionState, envelope: CwmpEnvelope<AcsRequest>): Promise<CwmpReply> {
  const id = envelope.header.ID;
  if (state.holdRequests) {
    return faultReply(state.namespace, id, acsFault(8003, 'HoldRequests is true: answer the pending request first'), state.id);
  }
  const { reply, history } = cpeRequestReply(state, envelope.body, Date.now());
  if (history.length > 0) {
    try {
      await deps.store.appendHistory(state.deviceKey, history);
    } catch (err) {
      // Not stored, so not answered: fault 8005 tells the CPE to send it again (TR-069 A.5).
      deps.log.error({ deviceId: state.deviceKey, sessionId: state.id, method: envelope.body.method, err }, 'cpe request not stored; retry asked');
      return faultReply(state.namespace, id, acsFault(8005, 'the ACS cannot store this request now; retry'), state.id);
    }
  }
  if (history.length > 0) (state.cpeRequests ??= []).push(...history.map((h) => ({ method: h.kind, detail: h.detail as Record<string, unknown> })));
  if (!(await deps.sessions.save(state))) return gone();
  return soapReply(state.namespace, id === undefined ? {} : { ID: id }, reply, state.id);
}

/**
 * An answer the CPE got wrong (e.g. an AddObjectResponse whose InstanceNumber
 * is no positive integer): the request it answers failed, as if refused with
 * 8003, and nothing the answer said is stored.
 */
export function badAnswer(deps: SessionDeps, state: SessionState, got: { method: string; id?: string; reason: string }): Promise<CwmpReply> {
  deps.log.warn({ deviceId: state.deviceKey, sessionId: state.id, method: got.method, reason: got.reason }, 'bad response');
  const detail = { got: got.method, want: state.inFlight?.request.method, reason: got.reason };
  const history: SessionLogEntry = { t: 'history', entry: { time: Date.now(), kind: 'bad-response', detail, sessionId: state.id } };
  const fault = acsFault(8003, `bad response: ${got.reason}`);
  return answer(deps, state, { header: got.id === undefined ? {} : { ID: got.id }, body: fault, namespace: state.namespace }, [history]);
}

async function answer(deps: SessionDeps, state: SessionState, envelope: CwmpEnvelope, noted: SessionLogEntry[] = []): Promise<CwmpReply> {
  const sent = state.inFlight;
  const msg = envelope.body as CpeResponse | Fault;
  if (!sent) {
    deps.log.warn({ deviceId: state.deviceKey, sessionId: state.id, method: msg.method }, 'response to nothing; ignored');
    return sendNext(deps, state, noted);
  }
  if (envelope.header.ID !== undefined && envelope.header.ID !== sent.cwmpId) {
    // A stale or duplicated answer: not the answer to what is in flight. Ask again.
    deps.log.warn({ deviceId: state.deviceKey, sessionId: state.id, id: envelope.header.ID, want: sent.cwmpId }, 'cwmp:ID mismatch; request sent again');
    const header = { ID: sent.cwmpId, ...(state.holdRequests ? { HoldRequests: true } : {}) };
    return soapReply(state.namespace, header, sent.request, state.id);
  }
  const now = Date.now();
  metrics.rpcs.inc({ method: sent.request.method, fault: msg.method === 'Fault' ? faultLabel(msg.FaultCode) : 'none' });
  let log: SessionLogEntry[];
  if (msg.method === 'Fault') log = [...noted, ...entriesForFault(sent, msg, now)];
  else if (msg.method === `${sent.request.method}Response`) log = [...noted, ...entriesForResponse(sent, msg, state.id, now), ...taskProgress(state, sent, msg)];
  else return unexpected(deps, state, msg.method);
  log.push(...engineAnswer(state, sent, msg, now));
  state.inFlight = null;
  return sendNext(deps, state, log);
}

/** A response of the wrong kind: the request stays queued for the next session; move on. */
function unexpected(deps: SessionDeps, state: SessionState, method: string): Promise<CwmpReply> {
  const want = state.inFlight?.request.method;
  deps.log.warn({ deviceId: state.deviceKey, sessionId: state.id, method, want }, 'unexpected response');
  const entry = { time: Date.now(), kind: 'unexpected-response', detail: { got: method, want }, sessionId: state.id };
  state.inFlight = null;
  return sendNext(deps, state, [{ t: 'history', entry }]);
}

/** The session ended under the CPE (timed out, or replaced by a newer Inform): what it sent is not recorded. */
function gone(): CwmpReply {
  return errorReply('ACS_ERR_NO_SESSION', 'the CWMP session has ended (timed out or replaced); start a new one with an Inform');
}

/** The next request to send; a task whose expiry passed during the session is left for the sweep to mark expired. */
function nextUnexpired(state: SessionState): QueuedRequest | undefined {
  const now = Date.now();
  let next = state.queue.shift();
  while (next?.task?.expiry != null && next.task.expiry <= now) next = state.queue.shift();
  return next;
}

async function sendNext(deps: SessionDeps, state: SessionState, log: SessionLogEntry[]): Promise<CwmpReply> {
  if (state.queue.length === 0 && state.provision && !state.provision.done) {
    const rest = await nextEngineRound(deps, state, log);
    if (rest === null) return gone();
    log = rest;
  }
  const next = nextUnexpired(state);
  if (!next) {
    state.phase = 'acs-requests';
    if (log.length === 0) await endSession(deps, state.id, 'completed', state);
    else {
      // Its last entries saved and the session claimed in one round trip.
      const entries = await deps.sessions.saveAndClaim(state, log);
      if (entries === null) return gone();
      await endClaimed(deps, state, entries, 'completed');
    }
    return endReply();
  }
  const cwmpId = `${state.id.slice(0, 8)}-${++state.sent}`;
  state.inFlight = { ...next, cwmpId, sentAt: Date.now() };
  state.phase = 'awaiting-response';
  state.holdRequests = deps.config.cwmpHoldRequests;
  if (!(await deps.sessions.save(state, log))) return gone();
  deps.log.debug({ deviceId: state.deviceKey, sessionId: state.id, method: next.request.method, cwmpId }, 'request sent');
  const header = { ID: cwmpId, ...(state.holdRequests ? { HoldRequests: true } : {}) };
  // Signed here, as it goes: a task may wait in the queue longer than a signed URL lives.
  const request = deps.fileAccess ? deps.fileAccess.grant(next.request, state.deviceKey) : next.request;
  return soapReply(state.namespace, header, request, state.id);
}
