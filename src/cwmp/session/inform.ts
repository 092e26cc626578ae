import { newProvisionState } from '../../engine/types';
import { createHash } from 'node:crypto';
import { acsFault } from '../soap/fault-codes';
import { negotiateVersion } from '../soap/version';
import type { CwmpEnvelope, CwmpVersion, DeviceIdStruct, EventStruct, Inform } from '../soap/types';
import { deviceKeyOf } from '../../model/device-key';
import type { HistoryEntry, InformRecord, StoredModel } from '../../db/types';
import type { CwmpPost, SessionDeps } from './context';
import type { EventRef, LoadedFacts } from './device-facts';
import { COMMAND_KEY_MAX, EVENT_CODE_MAX } from '../../db/events';
import { MAX_PATH_LENGTH } from '../../db/paths';
import { isRoutine, isUnrepeated } from './events';
import { endSession, quietAtOpen } from './finalize';
import { identityMismatch } from '../http/client-cert';
import { faultReply, errorReply, soapReply, type CwmpReply } from './replies';
import type { SessionState, TaskProvision } from './state';
import { taskProvisionCalls } from '../../tasks/build';
import { registeredEvent } from '../../webhooks/session-events';
import type { TaskRef } from '../../tasks/types';
import { coalescerOf } from '../../db/coalesce';
import { markTasksSent, type SentMark } from '../../db/tasks';

/** What a CPE is told to wait before retrying an Inform the ACS could not store. */
const RETRY_AFTER_S = 10;
/** How long a task's "sent" mark waits to share its statement with other sessions' marks (nobody waits for it). */
const SENT_MARK_DELAY_MS = 10;
/** How often a takeover looks again at a session another process is ending. */
const TAKEOVER_POLL_MS = 200;
/*
 * How long a BOOTSTRAP's Inform waits for its orders' runs to make their
 * first tasks (a worker's job: tens of ms). Past it the session goes on
 * without them; their connection requests, held until it is over, bring the
 * device back for them.
 */
const ORDER_TASKS_WAIT_MS = 3000;

/**
 * The Inform pipeline (TR-069 §3.7.1.1), as an ordered list of steps:
 * negotiate version → check headers → authenticate → lock the device →
 * load its queue → record the Inform → InformResponse.
 * Each step either passes or ends the exchange with a reply.
 */
interface InformCtx {
  deps: SessionDeps;
  post: CwmpPost;
  envelope: CwmpEnvelope<Inform>;
  deviceKey: string;
  version?: CwmpVersion;
  useCwmpVersion?: string;
  loaded?: LoadedFacts;
  /** Chosen when the Inform is acknowledged (its history entry names it). */
  sessionId?: string;
  record?: InformRecord;
  /** What acknowledging the Inform stored (absent for a routine Inform: nothing to make durable). */
  ack?: { pending: EventRef[]; model: StoredModel };
  /** The Inform's history entry, left to the session's commit when nothing needed acknowledging. */
  informEntry?: HistoryEntry;
}

type Step = (c: InformCtx) => Promise<CwmpReply | null> | CwmpReply | null;

const steps: Step[] = [negotiate, checkHeaders, checkInform, checkCertificate, loadFacts, authenticate, rememberFacts, acknowledge];

export async function startSession(deps: SessionDeps, post: CwmpPost, envelope: CwmpEnvelope<Inform>): Promise<CwmpReply> {
  const c: InformCtx = { deps, post, envelope, deviceKey: deviceKeyOf(envelope.body.DeviceId) };
  for (const step of steps) {
    const reply = await step(c);
    if (reply) return reply;
  }
  return openSession(c);
}

function fault(c: InformCtx, code: 8003 | 8005 | 8006, message: string): CwmpReply {
  return faultReply(c.envelope.namespace, c.envelope.header.ID, acsFault(code, message));
}

function negotiate(c: InformCtx): CwmpReply | null {
  const v = negotiateVersion(c.envelope.namespace, c.envelope.header);
  if (!v.ok) return faultReply(c.envelope.namespace, c.envelope.header.ID, v.fault);
  c.version = v.version;
  c.useCwmpVersion = v.useCwmpVersion;
  return null;
}

/** HoldRequests and UseCWMPVersion only ever travel ACS → CPE. */
function checkHeaders(c: InformCtx): CwmpReply | null {
  const h = c.envelope.header;
  if (h.HoldRequests !== undefined) return fault(c, 8003, 'HoldRequests is an ACS-to-CPE header');
  if (h.UseCWMPVersion !== undefined) return fault(c, 8003, 'UseCWMPVersion is an ACS-to-CPE header');
  return null;
}

/** Refused before anything is stored: values the store could not keep would poison the session's commit. */
function checkInform(c: InformCtx): CwmpReply | null {
  const id = c.envelope.body.DeviceId;
  for (const [field, value] of Object.entries(id)) {
    if (value.length > 64) return fault(c, 8003, `DeviceId.${field} longer than 64 characters`);
  }
  if (!id.OUI || !id.SerialNumber) return fault(c, 8003, 'DeviceId.OUI and DeviceId.SerialNumber must not be empty');
  const long = c.envelope.body.ParameterList.find((p) => p.Name.length > MAX_PATH_LENGTH);
  if (long) return fault(c, 8003, `parameter name longer than ${MAX_PATH_LENGTH} characters: ${long.Name.slice(0, 60)}...`);
  const event = c.envelope.body.Event.find((e) => e.EventCode.length > EVENT_CODE_MAX || e.CommandKey.length > COMMAND_KEY_MAX);
  if (event) return fault(c, 8003, `EventCode over ${EVENT_CODE_MAX} or CommandKey over ${COMMAND_KEY_MAX} characters: ${event.EventCode.slice(0, 60)}`);
  return null;
}

/** mTLS: the client certificate must name the device the Inform speaks for; refused before anything about it is read or stored. */
function checkCertificate(c: InformCtx): CwmpReply | null {
  return certificateRefusal(c.deps, c.post, c.envelope.body.DeviceId, c.deviceKey);
}

/**
 * The refusal of a POST whose client certificate names another device than
 * `id`, or null. Every POST of a session is checked, not only its Inform: a
 * session's cookie presented over a connection with another device's
 * (trusted) certificate must not speak for this device.
 */
export function certificateRefusal(deps: SessionDeps, post: CwmpPost, id: DeviceIdStruct, deviceKey: string): CwmpReply | null {
  const cert = post.clientCert;
  const reason = cert ? identityMismatch(deps.config.cwmpTlsIdentity, cert, id) : null;
  if (!reason) return null;
  deps.log.warn({ deviceId: deviceKey, remoteAddress: post.remoteAddress, reason }, 'request refused: client certificate of another device');
  return errorReply('ACS_ERR_CLIENT_CERT', `client certificate refused: ${reason}`);
}

/** Credentials, queue state and last Inform hash: from Redis, or the database the first time. */
async function loadFacts(c: InformCtx): Promise<null> {
  c.loaded = await c.deps.facts.load(c.deviceKey, c.deps.store);
  return null;
}

/** Facts read from the database are cached only now that the CPE is known to be who it says. */
async function rememberFacts(c: InformCtx): Promise<null> {
  const loaded = c.loaded as LoadedFacts;
  if (loaded.queue) await c.deps.facts.write(c.deviceKey, loaded.version, loaded.facts);
  return null;
}

/**
 * Once answered, an Inform's events are never reported again (TR-069
 * §3.7.1.5): anything but a routine Inform is made durable before the answer
 * (device row, history, BOOTSTRAP clearing, and the events as pending events
 * when some preset wants them: no preset, no provisioning to carry out). If
 * the database cannot take it the Inform is not answered, and the CPE keeps
 * its events and retries. A routine Inform costs nothing here, nor does a
 * connection request no preset wants: its history entry waits for the
 * session's commit (the CPE would not report it again anyway).
 */
async function acknowledge(c: InformCtx): Promise<CwmpReply | null> {
  const inform = c.envelope.body;
  if (isRoutine(inform.Event)) return null;
  const { store, facts, log, sessions } = c.deps;
  c.sessionId = sessions.newSessionId(c.deviceKey);
  const record = informRecord(c);
  const entry = { time: record.time, kind: 'inform', detail: inform.Event.map((e) => e.EventCode), sessionId: c.sessionId };
  const events = wantedEvents(c).map((e) => ({ code: e.EventCode, commandKey: e.CommandKey, ...detailOf(e.EventCode, inform) }));
  if (events.length === 0 && isUnrepeated(inform.Event)) {
    c.informEntry = entry;
    return null;
  }
  let pending: EventRef[] | null;
  try {
    const ack = await store.acknowledgeInform({ sessionId: c.sessionId, deviceKey: c.deviceKey, inform: record, events, history: [entry] });
    pending = ack.pending;
    c.ack = { pending: pending ?? (c.loaded as LoadedFacts).facts.events, model: ack.model };
    // Told now: the row is no longer bare, and a session that then fails to open would not tell of it.
    if (ack.firstInform) void c.deps.webhooks?.emit([registeredEvent(c.deviceKey, c.sessionId, record)]);
  } catch (err) {
    log.error({ deviceId: c.deviceKey, err }, 'inform not acknowledged: its events could not be stored');
    return errorReply('ACS_ERR_UNAVAILABLE', 'the ACS cannot store this Inform now; retry later', { 'Retry-After': String(RETRY_AFTER_S) });
  }
  if (pending) await facts.setEvents(c.deviceKey, pending);
  return null;
}

/**
 * A device's BOOTSTRAP, its session open: the orders waiting for it are
 * applied now, and their first tasks join this session. A device the ACS
 * cannot ask to connect (behind NAT, or with connection-request credentials
 * the ACS does not know yet) is so configured in its first session, not at
 * its next periodic Inform, hours later. After the lock: a connection request
 * a run's first task asks for waits for the session's end, and is dropped
 * if the session did the task (connreq); an Inform refused as concurrent
 * applies nothing. If the look fails, the session's end looks again
 * (`ordersUnread`).
 */
async function applyOrders(c: InformCtx, state: SessionState): Promise<void> {
  const { orders, log, sessions } = c.deps;
  if (!orders || !state.inform.events.some((e) => e.EventCode === '0 BOOTSTRAP')) return;
  try {
    if ((await orders.onBootstrap(state.inform.deviceId, ORDER_TASKS_WAIT_MS)) === 0) return;
    await reloadTasks(c, state);
    if (state.taskProvisions && !state.provision) state.provision = newProvisionState();
  } catch (err) {
    log.error({ deviceId: c.deviceKey, err }, 'orders not looked at; looked at again as the session ends');
    state.ordersUnread = true;
  }
  await sessions.save(state);
}

/** The Inform's events to keep pending: all but the routine ones, if some preset listens to them (with those already pending). */
function wantedEvents(c: InformCtx): EventStruct[] {
  const events = c.envelope.body.Event.filter((e) => !isRoutine([e]));
  const codes = [...c.envelope.body.Event.map((e) => e.EventCode), ...(c.loaded as LoadedFacts).facts.events.map((e) => e.code)];
  return c.deps.provisioning?.wants(codes) ? events : [];
}

/** A VALUE CHANGE keeps the values the Inform reported with it. */
function detailOf(code: string, inform: Inform): { detail?: unknown } {
  return code === '4 VALUE CHANGE' ? { detail: inform.ParameterList } : {};
}

async function authenticate(c: InformCtx): Promise<CwmpReply | null> {
  const { config, auth, log } = c.deps;
  const own = c.loaded?.facts.credentials ?? null;
  if (!own && config.cwmpAuth === 'none') return null;
  const credentials = own ?? { username: config.cwmpUsername, password: config.cwmpPassword };
  const scheme = config.cwmpAuth === 'basic' ? 'basic' : 'digest';
  const outcome = auth.verify(c.post.authorization, scheme, credentials, c.post.httpMethod, c.post.uri);
  if (outcome.ok && (!outcome.replayKey || (await c.deps.sessions.firstUse(outcome.replayKey)))) return null;
  if (outcome.ok) {
    log.warn({ deviceId: c.deviceKey }, 'replayed digest answer refused');
    return errorReply('ACS_ERR_UNAUTHORIZED', 'authentication required: Digest nonce count already used', { 'WWW-Authenticate': auth.challenge(scheme) });
  }
  if (c.post.authorization) log.warn({ deviceId: c.deviceKey, reason: outcome.reason }, 'cpe authentication failed');
  return errorReply('ACS_ERR_UNAUTHORIZED', `authentication required: ${outcome.reason}`, { 'WWW-Authenticate': outcome.challenge });
}

/**
 * One session per device: the lock is taken and the session opened in one
 * Redis round trip. A new Inform while another session holds the lock takes
 * it over when the CPE shows it gave up on the old one (RetryCount > 0, a
 * reboot, or the same session's cookie: the InformResponse was lost);
 * otherwise it is refused with fault 8005 so the CPE retries later.
 */
async function openSession(c: InformCtx): Promise<CwmpReply> {
  const { sessions, log } = c.deps;
  const now = Date.now();
  const state = newState(c, c.sessionId ?? sessions.newSessionId(c.deviceKey), await tasksOf(c, now), now);
  // The address key is only read by processes that look sessions up by address (CWMP_ADDRESS_FALLBACK).
  const address = c.deps.config.cwmpAddressFallback;
  let holder = await sessions.lockAndOpen(state, address);
  // A lock whose session is gone (its process died while ending it) is broken at once.
  if (holder !== null && (await sessions.breakStaleLock(c.deviceKey, holder))) holder = await sessions.lockAndOpen(state, address);
  if (holder !== null && mayTakeOver(c, holder)) holder = await takeOver(c, state, holder);
  if (holder !== null) {
    log.warn({ deviceId: c.deviceKey, sessionId: holder }, 'concurrent inform refused');
    return fault(c, 8005, `another session with device ${c.deviceKey} is in progress; retry later`);
  }
  await applyOrders(c, state);
  markSent(c, state);
  // Its empty POST, if it comes back here, ends it without reading it back (opened.ts).
  if (quietAtOpen(state)) sessions.opened.remember(state);
  if (log.isLevelEnabled('info')) {
    const events = c.envelope.body.Event.map((e) => e.EventCode);
    log.info({ deviceId: c.deviceKey, sessionId: state.id, events, carried: state.carried.length, queued: state.queue.length }, 'session started');
  }
  const header = { ID: c.envelope.header.ID, ...(c.useCwmpVersion ? { UseCWMPVersion: c.useCwmpVersion } : {}) };
  return soapReply(c.envelope.namespace, header, { method: 'InformResponse', MaxEnvelopes: 1 }, state.id);
}

/**
 * Ends the session holding the device and opens this one. When another
 * process is ending that session already (a claim with a lease), this waits
 * for it: a claim's process that died lets go when the lease runs out, a few
 * seconds, and the CPE gets its session in this same request rather than a
 * fault 8005 for as long as the session timeout. Returns the holder, or null once opened.
 */
async function takeOver(c: InformCtx, state: SessionState, holder: string): Promise<string | null> {
  const { sessions, log } = c.deps;
  const deadline = Date.now() + sessions.leaseMs + TAKEOVER_POLL_MS;
  for (;;) {
    try {
      await endSession(c.deps, holder, 'replaced');
    } catch (err) {
      // Its commit failed (database down) and it was put back: the device stays with it for now.
      log.warn({ deviceId: c.deviceKey, sessionId: holder, err }, 'could not end the session being replaced');
      return holder;
    }
    await reloadTasks(c, state);
    const next = await sessions.lockAndOpen(state, c.deps.config.cwmpAddressFallback);
    if (next !== holder || Date.now() > deadline) return next;
    await new Promise((resolve) => setTimeout(resolve, TAKEOVER_POLL_MS));
  }
}

/** The replaced session's commit may have finished tasks or moved one on to its next RPC: the queue read before it is stale. */
async function reloadTasks(c: InformCtx, state: SessionState): Promise<void> {
  (c.loaded as LoadedFacts).queue = await c.deps.store.pendingRequests(c.deviceKey);
  const tasks = await tasksOf(c, Date.now());
  state.queue = tasks.queue;
  state.loadedIds = tasks.ids;
  if (tasks.provisions.length > 0) state.taskProvisions = tasks.provisions;
  else delete state.taskProvisions;
}

function mayTakeOver(c: InformCtx, holder: string): boolean {
  const inform = c.envelope.body;
  const rebooted = inform.Event.some((e) => e.EventCode === '1 BOOT' || e.EventCode === '0 BOOTSTRAP');
  const sameSession = holder === c.post.sessionId && c.post.sessionSource !== 'address';
  return inform.RetryCount > 0 || rebooted || sameSession || holder === '';
}

/** The Inform as stored, made once (its time is the session's start, whether acknowledged first or not). */
function informRecord(c: InformCtx): InformRecord {
  c.record ??= recordOf(c, Date.now());
  return c.record;
}

function recordOf(c: InformCtx, now: number): InformRecord {
  const inform = c.envelope.body;
  return {
    deviceId: inform.DeviceId,
    events: inform.Event,
    retryCount: inform.RetryCount,
    currentTime: inform.CurrentTime,
    parameters: inform.ParameterList,
    remoteAddress: c.post.remoteAddress,
    cwmpVersion: c.version ?? '1.0',
    time: now,
  };
}

/** What an Inform said that the store keeps; an unchanged hash lets a quiet session skip the database. */
function hashOf(r: InformRecord): string {
  const h = createHash('sha1').update(JSON.stringify([r.deviceId, r.remoteAddress, r.cwmpVersion]));
  for (const p of r.parameters) h.update(`\n${p.Name}\t${p.type}\t${p.Value}`);
  return h.digest('base64');
}

/** The device's open tasks, split into what this session does (requests, provisions) and what is not due yet. */
interface TasksOf {
  queue: SessionState['queue'];
  provisions: TaskProvision[];
  ids: number[];
}

async function tasksOf(c: InformCtx, now: number): Promise<TasksOf> {
  const loaded = c.loaded as LoadedFacts;
  const open = loaded.queue ?? (loaded.facts.pending ? await c.deps.store.pendingRequests(c.deviceKey) : []);
  const due = open.filter((p) => p.due === null || p.due <= now);
  return {
    queue: due.flatMap((p) => (p.request ? [{ id: p.id, request: p.request, task: p.task, ...(p.earlier ? { earlier: p.earlier } : {}) }] : [])),
    provisions: due.flatMap((p) => (p.request ? [] : [provisionTask(p.id, p.task)])),
    ids: open.map((p) => p.id),
  };
}

function provisionTask(id: number, task: TaskRef): TaskProvision {
  return { id, provisions: taskProvisionCalls(task) ?? [], ...(Array.isArray(task.args.provisions) ? { listed: true as const } : {}) };
}

/**
 * Shown as sent once the session holds the device; only a status for
 * operators, so a failure is logged, not fatal. Autocommit, and coalesced
 * with other sessions' marks: no transaction, and one statement for the
 * sessions that start within a few milliseconds.
 */
function markSent(c: InformCtx, state: SessionState): void {
  if (state.queue.length === 0 && state.taskProvisions === undefined) return;
  const ids = [...state.queue.flatMap((q) => (q.id === null ? [] : [q.id])), ...(state.taskProvisions ?? []).map((t) => t.id)];
  if (ids.length === 0) return;
  const { sql } = c.deps.store;
  const marks = coalescerOf<SentMark>(sql, 'tasks-sent', (m) => markTasksSent(sql, m), { delayMs: SENT_MARK_DELAY_MS });
  const now = Date.now();
  marks
    .add(ids.map((id) => ({ id, sessionId: state.id, now })))
    .catch((err: unknown) => c.deps.log.warn({ deviceId: c.deviceKey, sessionId: state.id, err }, 'tasks not marked sent'));
}

function newState(c: InformCtx, sid: string, tasks: TasksOf, now: number): SessionState {
  const inform = informRecord(c);
  const loaded = c.loaded as LoadedFacts;
  const carried = c.ack?.pending ?? loaded.facts.events;
  const events = [...new Set([...inform.events.map((e) => e.EventCode), ...carried.map((e) => e.code)])];
  return {
    id: sid,
    deviceKey: c.deviceKey,
    namespace: c.envelope.namespace,
    cwmpVersion: c.version ?? '1.0',
    remoteAddress: c.post.remoteAddress,
    phase: 'cpe-requests',
    startedAt: now,
    inform,
    ...(c.informEntry ? { informEntry: c.informEntry } : {}),
    queue: tasks.queue,
    loadedIds: tasks.ids,
    ...(tasks.provisions.length > 0 ? { taskProvisions: tasks.provisions } : {}),
    inFlight: null,
    holdRequests: false,
    sent: 0,
    logged: 0,
    informHash: hashOf(inform),
    facts: { version: loaded.version, credentials: loaded.facts.credentials, knownHash: loaded.facts.informHash },
    carried,
    events,
    model: c.ack?.model ?? 'stored',
    provision: c.deps.provisioning && (tasks.provisions.length > 0 || c.deps.provisioning.wants(events)) ? newProvisionState() : null,
  };
}
