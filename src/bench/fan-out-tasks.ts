/**
 * Scenario (d), part 1: one setParameterValues task to every device of a
 * registered fleet, each POSTed with `?connection_request` through the REST
 * API from t0, `concurrency` POSTs in flight (an operator's script with a
 * connection pool). Measured per device on one clock (Date.now of this
 * process and of the ACS processes): the POST, the task's createdAt, and what
 * the CPE saw (sim-timeline.ts). A task's done time is the end of the CPE's
 * session that ran it (the ACS commits the session, and with it the task,
 * right after its last answer): the task's own updatedAt cannot serve, as
 * the ACS stamps a finished task with its session's Inform time.
 *
 * Finishing is watched with two cheap list calls per poll (`GET
 * /tasks?status=queued&limit=1`, the same for `sent`) once every POST has been
 * answered: the latencies come from the timestamps, so the poll period only
 * decides when the bench stops looking (and bounds `observedAllDoneMs`), not
 * what it measures, and no `?timeout=` holds 10,000 requests (and their
 * waiter reads) open on the NBI.
 */
import { deviceKeyOf } from '../model/device-key';
import type { SimDevice } from '../sim/device';
import type { Fleet } from '../sim/fleet';
import { distribution, tally, type Distribution } from './distribution';
import { eachLimited, type NbiClient } from './nbi-client';
import type { SimTimeline } from './sim-timeline';

export const FAN_OUT_PATH = 'Device.Time.NTPServer1';

export interface FanOutTaskOptions {
  /** POSTs in flight at once. */
  concurrency: number;
  /** Give up waiting for unfinished tasks this long after the last POST was answered (ms). */
  deadlineMs: number;
  pollMs: number;
}

/** A task POSTed with ?connection_request: when, what the REST API answered, or why it failed. */
export interface Posted {
  device: SimDevice;
  postStart: number;
  postEnd: number;
  httpStatus: number;
  taskId?: number;
  createdAt?: number;
  cr?: { outcome: string; time: number };
  error?: string;
}

interface TaskView {
  id: number;
  status: string;
  createdAt: number;
  updatedAt: number;
}

export interface FanOutTaskReport {
  devices: number;
  /** POSTs in flight at once. */
  concurrency: number;
  /** From t0 to the last POST's answer. */
  postSeconds: number;
  /** From t0 to the end of the last CPE session that ran a task; null when some task was not done by the deadline. */
  allDoneMs: number | null;
  /** From t0 to the first poll that found no task queued or sent (late by up to the poll period). */
  observedAllDoneMs: number | null;
  /** Tasks per final status ("done", "fault", "queued" ...). */
  statuses: Record<string, number>;
  /** Connection-request outcomes the POSTs answered with. */
  crOutcomes: Record<string, number>;
  httpStatuses: Record<string, number>;
  /** Devices whose simulated CPE holds the new value. */
  applied: number;
  /** CWMP POSTs the front end answered 503 + Retry-After (the CPE waited and sent again). */
  deferred: number;
  /** done time − t0 */
  fromT0: Distribution;
  /** done time − the start of the device's POST */
  fromPost: Distribution;
  phases: FanOutPhases;
  /** The first few errors (POST failures, unfinished tasks). */
  problems: string[];
}

/**
 * Per device (ms): `post` the POST's round trip (check, store, connection
 * request); `create` POST start → task created (its createdAt, taken before
 * the insert); `cr` task created → the CPE accepted the connection request
 * (the insert, the facts' invalidation, then the requester's own time:
 * admission, target lookup, the Digest exchange up to the CPE's 200);
 * `queue` (the issue's "queue overhead") the CPE's 200 → its Inform leaving,
 * i.e. (Inform − task created) − `cr`; `session` Inform → the CPE's session
 * ended (task done); `informLag` Inform sent → the Inform time the ACS
 * stamped on the task (how long the Inform waited for the front end). `cr` and `queue` are both taken at the
 * CPE's side of the 200: the requester's own timestamp of it comes after its
 * event loop got to the reply, which may be after the Inform already left.
 */
export interface FanOutPhases {
  post: Distribution;
  create: Distribution;
  cr: Distribution;
  queue: Distribution;
  session: Distribution;
  informLag: Distribution;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function fanOutTasks(nbi: NbiClient, fleet: Fleet, timeline: SimTimeline, o: FanOutTaskOptions): Promise<FanOutTaskReport> {
  const devices = fleet.devices;
  const deferredBefore = fleet.deferred;
  const t0 = Date.now();
  const value = `ntp-fanout-${t0}.example`;
  const body = { name: 'setParameterValues', parameterValues: [[FAN_OUT_PATH, value, 'xsd:string']] };
  const posted: Posted[] = [];
  await eachLimited(devices, o.concurrency, async (device) => void posted.push(await postOne(nbi, device, body)));
  const postSeconds = (Date.now() - t0) / 1000;
  const finished = await waitFinished(nbi, Date.now() + o.deadlineMs, o.pollMs);
  const observedAllDoneMs = finished ? Date.now() - t0 : null;
  const tasks = await readTasks(nbi, posted);
  const deferred = fleet.deferred - deferredBefore;
  return report({ concurrency: o.concurrency, t0, posted, tasks, timeline, postSeconds, finished, observedAllDoneMs, deferred, applied: devices.filter((d) => d.model.getValue(FAN_OUT_PATH) === value).length });
}

export async function postOne(nbi: NbiClient, device: SimDevice, body: unknown): Promise<Posted> {
  const key = deviceKeyOf(device.deviceId());
  const postStart = Date.now();
  try {
    const r = await nbi.post(`/devices/${encodeURIComponent(key)}/tasks?connection_request`, body);
    const b = r.body as { id?: number; createdAt?: number; connectionRequest?: { outcome: string; time: number } } | null;
    const error = r.status >= 300 ? `POST ${key}: HTTP ${r.status} ${JSON.stringify(r.body)}` : undefined;
    return { device, postStart, postEnd: Date.now(), httpStatus: r.status, taskId: b?.id, createdAt: b?.createdAt, cr: b?.connectionRequest, error };
  } catch (err) {
    return { device, postStart, postEnd: Date.now(), httpStatus: 0, error: `POST ${key}: ${(err as Error).message}` };
  }
}

/** True once no task is queued or sent (every one finished), false at the deadline. */
async function waitFinished(nbi: NbiClient, deadline: number, pollMs: number): Promise<boolean> {
  for (;;) {
    const [queued, sent] = await Promise.all(['queued', 'sent'].map((s) => nbi.ok<unknown[]>(nbi.get(`/tasks?status=${s}&limit=1`), `list ${s} tasks`)));
    if (queued.length === 0 && sent.length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(pollMs);
  }
}

/** Every task of this run, read back in pages of 1000 (newest first). */
async function readTasks(nbi: NbiClient, posted: readonly Posted[]): Promise<Map<number, TaskView>> {
  const ids = posted.flatMap((p) => (p.taskId === undefined ? [] : [p.taskId]));
  const out = new Map<number, TaskView>();
  if (ids.length === 0) return out;
  const lowest = Math.min(...ids);
  let before = Math.max(...ids) + 1;
  while (before > lowest) {
    const page = await nbi.ok<TaskView[]>(nbi.get(`/tasks?limit=1000&before=${before}`), 'list tasks');
    if (page.length === 0) break;
    for (const t of page) out.set(t.id, t);
    before = page[page.length - 1].id;
  }
  return out;
}

interface Gathered {
  concurrency: number;
  t0: number;
  posted: Posted[];
  tasks: Map<number, TaskView>;
  timeline: SimTimeline;
  postSeconds: number;
  finished: boolean;
  observedAllDoneMs: number | null;
  applied: number;
  deferred: number;
}

function report(g: Gathered): FanOutTaskReport {
  const rows = g.posted.map((p) => ({ p, task: p.taskId === undefined ? undefined : g.tasks.get(p.taskId), cpe: g.timeline.get(p.device) }));
  const done = rows.filter((r) => r.task?.status === 'done');
  const doneAt = (r: (typeof rows)[number]) => r.cpe.sessionEndAt ?? NaN;
  const of = (f: (r: (typeof rows)[number]) => number | undefined) => distribution(rows.map((r) => f(r) ?? NaN));
  const unfinished = rows.filter((r) => r.task && !['done', 'fault', 'expired', 'cancelled'].includes(r.task.status));
  return {
    devices: g.posted.length,
    concurrency: g.concurrency,
    postSeconds: g.postSeconds,
    allDoneMs: g.finished && done.length === rows.length ? Math.max(...done.map(doneAt)) - g.t0 : null,
    observedAllDoneMs: g.observedAllDoneMs,
    statuses: tally(rows.map((r) => r.task?.status ?? 'not created')),
    crOutcomes: tally(rows.map((r) => r.p.cr?.outcome ?? 'none')),
    httpStatuses: tally(rows.map((r) => String(r.p.httpStatus))),
    applied: g.applied,
    deferred: g.deferred,
    fromT0: distribution(done.map((r) => doneAt(r) - g.t0)),
    fromPost: distribution(done.map((r) => doneAt(r) - r.p.postStart)),
    phases: {
      post: of((r) => r.p.postEnd - r.p.postStart),
      create: of((r) => (r.p.createdAt === undefined ? undefined : r.p.createdAt - r.p.postStart)),
      cr: of((r) => (r.cpe.crAt !== undefined && r.p.createdAt !== undefined ? r.cpe.crAt - r.p.createdAt : undefined)),
      queue: of((r) => (r.cpe.crAt !== undefined && r.cpe.informAt !== undefined ? r.cpe.informAt - r.cpe.crAt : undefined)),
      session: of((r) => (r.task?.status === 'done' && r.cpe.informAt !== undefined ? doneAt(r) - r.cpe.informAt : undefined)),
      informLag: of((r) => (r.task?.status === 'done' && r.cpe.informAt !== undefined ? r.task.updatedAt - r.cpe.informAt : undefined)),
    },
    problems: [
      ...rows.flatMap((r) => (r.p.error ? [r.p.error] : [])),
      ...unfinished.map((r) => `task ${r.task?.id} of ${deviceKeyOf(r.p.device.deviceId())} still ${r.task?.status}; connection request ${JSON.stringify(r.p.cr ?? null)}`),
    ].slice(0, 10),
  };
}
