/**
 * Tasks as every caller sees them (REST API, `acs task`, workflows,
 * campaigns): checked, stored, listed, cancelled, retried, waited on. The
 * CWMP session does the rest (src/cwmp/session/task-progress.ts): a task runs
 * in its device's next session and is finished by that session's commit.
 */
import type { Redis } from 'ioredis';
import type { XsdType } from '../cwmp/soap/types';
import type { DeviceFactsCache } from '../cwmp/session/device-facts';
import { getTask, insertTask, listTasks, moveTask, type TaskFilter } from '../db/tasks';
import type { DeviceKey, DeviceStore } from '../db/types';
import { AcsError } from '../errors';
import type { Logger } from '../log';
import { typeOf as bbfTypeOf } from '../model/datamodel-types';
import { taskSpec } from './build';
import type { TaskWaiter } from './waiter';
import type { Task, TaskApi, TaskStatus, TaskTiming } from './types';
import { FINISHED } from './types';

/** Asks a device to connect now (connection requests); its answer is shown with the task. */
export interface Connector {
  request(device: DeviceKey): Promise<unknown>;
}

export interface TaskServiceDeps {
  store: DeviceStore;
  /** The device facts in Redis: a new task must reach the device's next session even on its quiet path. */
  facts: DeviceFactsCache;
  log: Logger;
  /** Present in processes that can ask devices to connect. */
  connector?: Connector | null;
  /** Present in processes that wait for tasks to finish (?timeout=). */
  waiter?: TaskWaiter | null;
  /** Resolves a file of the ACS's file store to the URL a CPE downloads it from (download tasks with fileName). */
  fileUrl?: (name: string) => string | undefined;
  /** Whether a provision script of that name exists (provision tasks). */
  hasProvision?: (name: string) => boolean;
}

export interface CreateOptions extends TaskTiming {
  connectionRequest?: boolean;
}

/** A new task, with what the connection request (if asked) said. */
export interface Created {
  task: Task;
  connectionRequest?: unknown;
}

export class TaskService implements TaskApi {
  constructor(private readonly deps: TaskServiceDeps) {}

  async create(device: DeviceKey, body: unknown, options: CreateOptions = {}): Promise<Task> {
    return (await this.createAndConnect(device, body, options)).task;
  }

  /** Checks the body against the device's cached types and the BBF models, stores the task, then asks the device to connect if told to. */
  async createAndConnect(device: DeviceKey, body: unknown, options: CreateOptions = {}): Promise<Created> {
    const { store, facts } = this.deps;
    if (!(await deviceExists(store, device))) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${device}`);
    checkTiming(options);
    const types = await cachedTypes(store, device, body);
    const spec = taskSpec(body, { typeOf: (path) => types.get(path) ?? bbfTypeOf(path), fileUrl: this.deps.fileUrl, hasProvision: this.deps.hasProvision });
    const now = Date.now();
    const id = await store.sql.transaction((db) => insertTask(db, device, spec, options, now));
    await facts.invalidate(device);
    const task = (await this.get(id)) as Task;
    this.deps.log.info({ deviceId: device, task: id, name: spec.name }, 'task created');
    if (!options.connectionRequest) return { task };
    if (!this.deps.connector) throw new AcsError('ACS_ERR_BAD_REQUEST', 'connection requests are not available in this process');
    return { task, connectionRequest: await this.deps.connector.request(device) };
  }

  get(id: number): Promise<Task | null> {
    return this.deps.store.sql.read((db) => getTask(db, id));
  }

  list(filter: TaskFilter): Promise<Task[]> {
    return this.deps.store.sql.read((db) => listTasks(db, filter));
  }

  /** Queued or sent tasks only. A task its session already holds may still reach the device in that session. */
  cancel(id: number): Promise<Task> {
    return this.move(id, ['queued', 'sent'], 'cancelled', false);
  }

  /** A finished task that did not succeed runs again, as it was (same id, fault and result cleared, no expiry). */
  async retry(id: number): Promise<Task> {
    const task = await this.move(id, ['fault', 'expired', 'cancelled'], 'queued', true);
    await this.deps.facts.invalidate(task.device);
    return task;
  }

  /** The task once finished, or as it is when `timeoutMs` has passed. */
  async waitFinished(id: number, timeoutMs: number): Promise<Task | null> {
    const { waiter } = this.deps;
    if (!waiter) return this.get(id);
    return waiter.wait(id, timeoutMs, () => this.get(id));
  }

  private async move(id: number, from: readonly TaskStatus[], to: TaskStatus, reset: boolean): Promise<Task> {
    const now = Date.now();
    const moved = await this.deps.store.sql.transaction((db) => moveTask(db, id, from, to, now, reset));
    const task = await this.get(id);
    if (!task) throw new AcsError('ACS_ERR_NOT_FOUND', `no task with id ${id}`);
    if (!moved) throw new AcsError('ACS_ERR_CONFLICT', `task ${id} is ${task.status}; only a task that is ${from.join(' or ')} can be ${to === 'queued' ? 'retried' : to}`);
    return task;
  }
}

export function isFinished(task: Task): boolean {
  return FINISHED.includes(task.status);
}

/** One indexed lookup: loading the whole device (its parameters) just to know it exists cost most of a task POST. */
async function deviceExists(store: DeviceStore, device: DeviceKey): Promise<boolean> {
  return (await store.sql.read((db) => db.select('SELECT 1 AS x FROM devices WHERE device_key = ?', [device]))).length > 0;
}

function checkTiming(options: TaskTiming): void {
  for (const field of ['due', 'expiry'] as const) {
    const v = options[field];
    if (v != null && (!Number.isSafeInteger(v) || v < 0)) throw new AcsError('ACS_ERR_BAD_REQUEST', `${field} must be a time in milliseconds since the epoch`);
  }
  if (options.due != null && options.expiry != null && options.expiry <= options.due) {
    throw new AcsError('ACS_ERR_BAD_REQUEST', 'expiry must come after due');
  }
}

/** The cached xsd types of the parameters a setParameterValues body names: the device's own word beats the data model's. */
async function cachedTypes(store: DeviceStore, device: DeviceKey, body: unknown): Promise<Map<string, XsdType>> {
  const list = (body as { parameterValues?: unknown } | null)?.parameterValues;
  if (!Array.isArray(list)) return new Map();
  const paths = list.flatMap((e: unknown) => (Array.isArray(e) && typeof e[0] === 'string' && e[0] !== '' && !e[0].endsWith('.') ? [e[0]] : []));
  if (paths.length === 0) return new Map();
  const rows = await store.getParametersUnder(device, paths.slice(0, 1000));
  return new Map(rows.flatMap((r) => (r.type ? [[r.path, r.type] as const] : [])));
}
