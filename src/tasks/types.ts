/**
 * Tasks: what an operator asks of one device from outside (the REST API, the
 * `acs task` command, a workflow step, a campaign). A task is stored before
 * anything is sent, runs in the device's next session (in creation order,
 * before presets), and keeps its result or fault after it finished, for
 * TASK_RETENTION_MS.
 */
import type { CpeRequest, CpeResponse, SetParameterValuesFaultStruct } from '../cwmp/soap/types';
import type { DeviceKey, EpochMs } from '../db/types';
import type { ProvisionCall } from '../presets/types';

/** Every task type; one per CPE RPC, plus refreshObject (a subtree read) and provision (named provisions run once). */
export const TASK_NAMES = [
  'getParameterNames',
  'getParameterValues',
  'setParameterValues',
  'getParameterAttributes',
  'setParameterAttributes',
  'refreshObject',
  'addObject',
  'deleteObject',
  'reboot',
  'factoryReset',
  'download',
  'upload',
  'scheduleInform',
  'scheduleDownload',
  'cancelTransfer',
  'changeDUState',
  'getQueuedTransfers',
  'getAllQueuedTransfers',
  'getRPCMethods',
  'provision',
] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/**
 * queued: waiting for a session; sent: handed to a session (sent again by the
 * next one if that session ends without its answer); done / fault: the CPE
 * answered; expired: its expiry passed before it was sent; cancelled: by an operator.
 */
export type TaskStatus = 'queued' | 'sent' | 'done' | 'fault' | 'expired' | 'cancelled';
export const FINISHED: readonly TaskStatus[] = ['done', 'fault', 'expired', 'cancelled'];

/** Why a task failed: the CPE's fault (with SetParameterValuesFault details), or the ACS's reason (a provision's channel fault). */
export interface TaskFault {
  code: number | string;
  message: string;
  detail?: SetParameterValuesFaultStruct[];
}

/**
 * What the task does, checked and normalized (GenieACS's body shape plus our
 * types): `name` and the fields of that type. For an RPC task, `request` is the
 * first CPE request it sends; a provision task has `provisions` instead.
 */
export interface TaskSpec {
  name: TaskName;
  /** The body as accepted (normalized), kept for display and retry. */
  args: Record<string, unknown>;
  request?: CpeRequest;
  provisions?: ProvisionCall[];
}

export interface Task {
  id: number;
  device: DeviceKey;
  name: TaskName;
  args: Record<string, unknown>;
  status: TaskStatus;
  createdAt: EpochMs;
  /** Not sent before this time (null: at the next session). */
  due: EpochMs | null;
  /** Not sent after this time: the task becomes expired (null: never). */
  expiry: EpochMs | null;
  /** Last change of status. */
  updatedAt: EpochMs;
  /** The session that sent it last. */
  sessionId: string | null;
  /** The CPE's answer (the response message without its method), for done tasks. */
  result: unknown;
  fault: TaskFault | null;
  /** How many times an operator retried it. */
  retries: number;
  /** The caller's key: creating a task again with it gives back this one. */
  idempotencyKey: string | null;
}

/** Options of a new task. */
export interface TaskTiming {
  due?: EpochMs | null;
  expiry?: EpochMs | null;
}

/** Longest idempotency key (the REST API's Idempotency-Key header included). */
export const MAX_IDEMPOTENCY_KEY = 128;

/** Options of a new task beyond its timing. */
export interface CreateOptions extends TaskTiming {
  /** Ask the device to connect now (again on a repeated key, while the task is not finished). */
  connectionRequest?: boolean;
  /** The caller waits this long for the task (?timeout=): a connection request the CPE answers 503 is asked again within it. */
  waitMs?: number;
  /** 1 to 128 characters, unique per device: a second create with the key gives back the first task, whatever its status. */
  idempotencyKey?: string;
}

/**
 * How far a task of several RPCs got: the request it sends next, and the
 * earlier answers its result needs. Kept with the task at each commit, so a
 * session cut between two of its RPCs does not make the next one start over.
 */
export interface TaskProgress {
  next: CpeRequest;
  earlier: CpeResponse[];
}

/** A task as a session carries it in its queue: what to send now, and what it is. */
export interface TaskRef {
  id: number;
  name: TaskName;
  args: Record<string, unknown>;
  expiry: EpochMs | null;
}

/** Tasks as other modules (workflows, campaigns, the CLI) create and read them: the same checks as the REST API. */
export interface TaskApi {
  /** Checks `body` (GenieACS's task shape), stores the task; with `connectionRequest`, asks the device to connect now. Throws ACS_ERR_BAD_REQUEST / ACS_ERR_NOT_FOUND / ACS_ERR_CONFLICT (a key used for a task of another name). */
  create(device: DeviceKey, body: unknown, options?: CreateOptions): Promise<Task>;
  get(id: number): Promise<Task | null>;
}
