import { deviceKeyOf } from '../../model/device-key';
import { eventLabel } from '../../metrics/labels';
import { metrics } from '../../metrics/registry';
import { decode } from '../soap/decode';
import { acsFault } from '../soap/fault-codes';
import type { CwmpEnvelope, Inform } from '../soap/types';
import type { CwmpPost, SessionDeps } from './context';
import { certificateRefusal, startSession } from './inform';
import { endOpened } from './finalize';
import { endReply, faultReply, errorReply, type CwmpReply } from './replies';
import type { SessionState } from './state';
import { badAnswer, continueSession } from './rpc-loop';

const DEFAULT_NAMESPACE = 'urn:dslforum-org:cwmp-1-0';

/**
 * One CWMP POST in, one reply out. Stateless between calls: the session
 * lives in Redis, so any process can take any POST of any session.
 */
export async function handlePost(deps: SessionDeps, post: CwmpPost): Promise<CwmpReply> {
  // Only while some device is traced (trace/switch.ts): the quiet session pays a property read.
  const receivedAt = deps.trace?.active ? Date.now() : 0;
  let envelope: CwmpEnvelope | null = null;
  const empty = post.body.trim() === '';
  // A quiet session this process opened: its empty POST ends it without reading it back; any other POST reads it (opened.ts).
  const opened = post.sessionId ? deps.sessions.opened.take(post.sessionId) : undefined;
  if (opened && empty) return endOpenedSession(deps, post, opened, receivedAt);
  if (!empty) {
    const decoded = decode(post.body);
    if (!decoded.ok) return isAnswer(decoded.method) ? refuseAnswer(deps, post, decoded) : refuse(deps, post, decoded);
    envelope = decoded.envelope;
    if (envelope.body.method === 'Inform') {
      for (const e of (envelope.body as Inform).Event) metrics.informs.inc({ event: eventLabel(e.EventCode) });
      const reply = await startSession(deps, post, envelope as CwmpEnvelope<Inform>);
      if (receivedAt) deps.trace?.record(deviceKeyOf((envelope as CwmpEnvelope<Inform>).body.DeviceId), post, receivedAt, reply);
      return reply;
    }
  }
  const state = post.sessionId ? await deps.sessions.load(post.sessionId) : null;
  if (!state) {
    return noSession(envelope ? envelope.body.method : 'empty POST');
  }
  const refused = certificateRefusal(deps, post, state.inform.deviceId, state.deviceKey);
  if (refused) return refused;
  const reply = await continueSession(deps, state, envelope);
  if (receivedAt) deps.trace?.record(state.deviceKey, post, receivedAt, reply);
  return reply;
}

/** The empty POST of a quiet session opened here (see endOpened): 204, or "no session" if it ended meanwhile. */
async function endOpenedSession(deps: SessionDeps, post: CwmpPost, state: SessionState, receivedAt: number): Promise<CwmpReply> {
  const refused = certificateRefusal(deps, post, state.inform.deviceId, state.deviceKey);
  if (refused) return refused;
  const reply = (await endOpened(deps, state)) === 'gone' ? noSession('empty POST') : endReply();
  if (receivedAt) deps.trace?.record(state.deviceKey, post, receivedAt, reply);
  return reply;
}

function noSession(what: string): CwmpReply {
  return errorReply('ACS_ERR_NO_SESSION', `no CWMP session for this ${what}: a session starts with an Inform`);
}

type DecodeFailure = Extract<ReturnType<typeof decode>, { ok: false }>;

function isAnswer(method: string | undefined): method is string {
  return method !== undefined && (method === 'Fault' || method.endsWith('Response'));
}

/** A response with a bad argument answers the request in flight: that request failed, and the session goes on. */
async function refuseAnswer(deps: SessionDeps, post: CwmpPost, failure: DecodeFailure): Promise<CwmpReply> {
  const state = post.sessionId ? await deps.sessions.load(post.sessionId) : null;
  if (!state) return refuse(deps, post, failure);
  return badAnswer(deps, state, { method: failure.method as string, id: failure.id, reason: failure.reason });
}

/** Unreadable XML gets 400 and a one-line reason; a readable envelope with a bad method or argument gets a CWMP fault. */
function refuse(deps: SessionDeps, post: CwmpPost, failure: DecodeFailure): CwmpReply {
  deps.log.warn({ remoteAddress: post.remoteAddress, sessionId: post.sessionId, reason: failure.reason }, 'cwmp message refused');
  if (failure.kind === 'malformed') return errorReply('ACS_ERR_BAD_XML', `bad CWMP message: ${failure.reason}`);
  const code = failure.kind === 'unknown-method' ? 8000 : 8003;
  const namespace = failure.namespace ?? DEFAULT_NAMESPACE;
  // Re-binding the session is only for a CPE that proved it owns it (cookie or connection), never for an address match.
  const own = post.sessionSource === 'cookie' || post.sessionSource === 'connection' ? (post.sessionId ?? undefined) : undefined;
  return faultReply(namespace, failure.id, acsFault(code, failure.reason), own);
}
