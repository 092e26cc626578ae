/**
 * Tasks as every caller sees them (REST API, `acs task`, workflows,
 * campaigns): checked, stored, listed, cancelled, retried, waited on. The
 * CWMP session does the rest (src/cwmp/session/task-progress.ts): a task runs
 * in its device's next session and is finished by that session's commit.
 */
import type { DeviceFactsCache } from '../cwmp/session/device-facts';
import { batched } from '../db/coalesce';
import { deviceTypesOf, deviceTypesRead, getTask, isDuplicateKey, listTasks, moveTask, storedTask, taskByKey, taskInsert, type NewTask, type TaskFilter } from '../db/tasks';
import type { DeviceKey, DeviceStore } from '../db/types';
import { AcsError } from '../errors';
import { nameProblem, type FileService } from '../files';
import type { Logger } from '../log';
import { delaysWithin, requestUntilAnswered, type ConnectionRequestOutcome } from '../connreq';
import { typeOf as bbfTypeOf } from '../model/datamodel-types';
import { firstRequest, taskSpec, type TaskLookup } from './build';
import type { TaskWaiter } from './waiter';
import type { CreateOptions, Task, TaskApi, TaskSpec, TaskStatus, TaskTiming } from './types';
import { FINISHED, MAX_IDEMPOTENCY_KEY } from './types';

/** Asks a device to connect now (connection requests); its answer is shown with the task. */
export interface Connector {
  request(device: DeviceKey): Promise<ConnectionRequestOutcome>;
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
  /** Whether the file store holds a file of that name: without it, a fileName is resolved to a URL unchecked. */
  fileExists?: (name: string) => Promise<boolean>;
  /** A single-use URL a device uploads a file of the file store to (upload tasks with fileName). */
  uploadTarget?: FileService['uploadTarget'];
  /** Whether a provision script of that name exists (provision tasks). */
  hasProvision?: (name: string) => boolean;
}

/** Stands for an upload URL while the body is checked, before one is made. */
const UPLOAD_URL_UNMADE = 'http://upload-url.invalid/';

export type { CreateOptions } from './types';

/** A process's file store as tasks with a fileName need it: the URL of a file, whether it exists, an upload URL. */
export function fileDeps(files: Pick<FileService, 'fileUrl' | 'store' | 'uploadTarget'>): Pick<TaskServiceDeps, 'fileUrl' | 'fileExists' | 'uploadTarget'> {
  return {
    fileUrl: (name) => files.fileUrl(name),
    fileExists: async (name) => (await files.store.getFile(name)) !== null,
    uploadTarget: (request) => files.uploadTarget(request),
  };
}

/** The task, with what the connection request (if asked) said. */
export interface Created {
  task: Task;
  /** False when an idempotency key gave back a task created before. */
  created: boolean;
  /** Absent when no connection request was asked (not told to, or the task given back is finished). */
  connectionRequest?: ConnectionRequestOutcome;
}

export class TaskService implements TaskApi {
  constructor(private readonly deps: TaskServiceDeps) {}

  async create(device: DeviceKey, body: unknown, options: CreateOptions = {}): Promise<Task> {
    return (await this.createAndConnect(device, body, options)).task;
  }

  /**
   * Checks the body against the device's cached types and the BBF models,
   * stores the task (or, with a known idempotency key, gives back the task
   * stored with it), then asks the device to connect if told to and the task
   * is not finished. Two SQL statements, the device with its types and the
   * insert, each sent with those of other requests under way (db/coalesce.ts).
   */
  async createAndConnect(device: DeviceKey, body: unknown, options: CreateOptions = {}): Promise<Created> {
    checkTiming(options);
    const key = idempotencyKeyOf(options.idempotencyKey);
    const types = deviceTypesOf((await batched(this.deps.store.sql, 'task-device-reads', deviceTypesRead(device, valuePaths(body)))).rows);
    if (!types) throw new AcsError('ACS_ERR_NOT_FOUND', `no device with id ${device}`);
    const spec = await this.specOf(device, body, { typeOf: (path) => types.get(path) ?? bbfTypeOf(path), fileUrl: this.deps.fileUrl, hasProvision: this.deps.hasProvision });
    await this.checkFile(spec, body);
    const { task, created } = await this.insert({ device, spec, timing: options, idempotencyKey: key, now: Date.now() });
    if (created) {
      await this.deps.facts.markPending(device);
      this.deps.log.info({ deviceId: device, task: task.id, name: spec.name }, 'task created');
    }
    if (!options.connectionRequest || isFinished(task)) return { task, created };
    if (!this.deps.connector) throw new AcsError('ACS_ERR_BAD_REQUEST', 'connection requests are not available in this process');
    const { connector } = this.deps;
    // A caller that waits for the task would otherwise wait for the device's next periodic Inform after a 503.
    return { task, created, connectionRequest: await requestUntilAnswered((d) => connector.request(d), device, delaysWithin(options.waitMs ?? 0)) };
  }

  /**
   * The body checked into a TaskSpec. An upload to the file store gets its
   * single-use URL once the rest passed the checks (a refused body makes none):
   * the URL checked stands in until then.
   */
  private async specOf(device: DeviceKey, body: unknown, lookup: TaskLookup): Promise<TaskSpec> {
    const { uploadTarget } = this.deps;
    if (!uploadTarget) return taskSpec(body, lookup);
    const checked = taskSpec(body, { ...lookup, uploadUrl: () => UPLOAD_URL_UNMADE });
    const args = checked.args as { fileType?: string; fileName?: string };
    if (checked.name !== 'upload' || args.fileName === undefined) return checked;
    const problem = nameProblem(args.fileName);
    if (problem) throw new AcsError('ACS_ERR_BAD_REQUEST', `fileName: ${problem}`);
    const target = await uploadTarget({ device, fileType: args.fileType ?? '', name: args.fileName });
    const made = { ...checked.args, url: target.url };
    return { ...checked, args: made, request: firstRequest({ name: checked.name, args: made }) };
  }

  /** One INSERT, sent with those of other requests under way; a repeated key reads the first task. */
  private async insert(t: NewTask): Promise<{ task: Task; created: boolean }> {
    const { sql } = this.deps.store;
    const key = t.idempotencyKey;
    // Twice at most: the key's task may be deleted (retention) between the refused insert and the read.
    for (let attempt = 1; ; attempt++) {
      try {
        return { task: storedTask(t, (await batched(sql, 'task-inserts', taskInsert(t))).insertId), created: true };
      } catch (err) {
        if (key === null || !isDuplicateKey(err)) throw err;
      }
      const existing = await sql.autocommit((db) => taskByKey(db, t.device, key));
      if (existing) return { task: sameName(existing, t.spec.name, key), created: false };
      if (attempt === 2) throw new AcsError('ACS_ERR_CONFLICT', `idempotency key ${JSON.stringify(key)} is in use; try again`);
    }
  }

  /** A download's fileName must name a file of the file store (taskSpec only made its URL); an upload's is the one it makes. */
  private async checkFile(spec: TaskSpec, body: unknown): Promise<void> {
    const name = spec.args.fileName;
    if (spec.name === 'upload' || typeof name !== 'string' || !this.deps.fileExists || (await this.deps.fileExists(name))) return;
    const field = (body as Record<string, unknown>).fileName !== undefined ? 'fileName' : 'file';
    throw new AcsError('ACS_ERR_BAD_REQUEST', `${field}: no file named ${JSON.stringify(name)} in the file store`);
  }

  get(id: number): Promise<Task | null> {
    return this.deps.store.sql.autocommit((db) => getTask(db, id));
  }

  list(filter: TaskFilter): Promise<Task[]> {
    return this.deps.store.sql.autocommit((db) => listTasks(db, filter));
  }

  /** Queued or sent tasks only. A task its session already holds may still reach the device in that session. */
  cancel(id: number): Promise<Task> {
    return this.move(id, ['queued', 'sent'], 'cancelled', false);
  }

  /** A finished task that did not succeed runs again, as it was (same id, fault and result cleared, no expiry). */
  async retry(id: number): Promise<Task> {
    const task = await this.move(id, ['fault', 'expired', 'cancelled'], 'queued', true);
    await this.deps.facts.markPending(task.device);
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

/** A key is 1 to 128 characters; absent or null, none. */
function idempotencyKeyOf(key: unknown): string | null {
  if (key === undefined || key === null) return null;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY) {
    throw new AcsError('ACS_ERR_BAD_REQUEST', `idempotencyKey must be a string of 1 to ${MAX_IDEMPOTENCY_KEY} characters`);
  }
  return key;
}

/** A key names one task: used again for a task of another type, it is the caller's mistake, not a replay. */
function sameName(task: Task, name: string, key: string): Task {
  if (task.name === name) return task;
  throw new AcsError('ACS_ERR_CONFLICT', `idempotency key ${JSON.stringify(key)} was used for task ${task.id} (${task.name}), not ${name}`);
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

/** The leaf paths a setParameterValues body names (at most 1000), whose cached types the checks use. */
function valuePaths(body: unknown): string[] {
  const list = (body as { parameterValues?: unknown } | null)?.parameterValues;
  if (!Array.isArray(list)) return [];
  const paths = list.flatMap((e: unknown) => (Array.isArray(e) && typeof e[0] === 'string' && e[0] !== '' && !e[0].endsWith('.') ? [e[0]] : []));
  return [...new Set(paths)].slice(0, 1000);
}
