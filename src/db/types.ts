/**
 * The device store's contract: what CWMP sessions and the NBI need from
 * storage, independent of the SQL dialect behind it (MySQL or SQLite).
 *
 * Invariant: everything a CWMP session learns is written by one
 * {@link DeviceStore.commitSession} call, in one transaction, touching only
 * rows whose content changed. A refused or half-finished message never
 * reaches the store.
 */
import type {
  CpeRequest,
  CpeResponse,
  DeviceIdStruct,
  EventStruct,
  NotificationLevel,
  ParameterInfoStruct,
  ParameterPath,
  ParameterAttributeStruct,
  ParameterValueStruct,
  SetParameterValuesFaultStruct,
  XsdType,
} from '../cwmp/soap/types';
import type { TaskFault, TaskProgress, TaskRef } from '../tasks/types';

/** "OUI-ProductClass-SerialNumber", each part percent-encoded, "-" as %2D. */
export type DeviceKey = string;

/** Milliseconds since the epoch; kept as numbers so both SQL dialects agree. */
export type EpochMs = number;

/** What the device told us in its Inform, plus where it came from. */
export interface InformRecord {
  deviceId: DeviceIdStruct;
  events: EventStruct[];
  retryCount: number;
  currentTime: string;
  parameters: ParameterValueStruct[];
  remoteAddress: string;
  cwmpVersion: string;
  time: EpochMs;
}

/** One change to the cached data model, in the order the session learnt it. */
export type CacheOp =
  /** Values read (GetParameterValuesResponse) or written (SetParameterValues accepted). */
  | { op: 'values'; parameters: ParameterValueStruct[]; time: EpochMs }
  /** GetParameterNamesResponse for `path` (with NextLevel): names, object flags, writability. */
  | { op: 'names'; path: ParameterPath; nextLevel: boolean; parameters: ParameterInfoStruct[]; time: EpochMs }
  /** GetParameterAttributesResponse. */
  | { op: 'attributes'; parameters: ParameterAttributeStruct[]; time: EpochMs }
  /** SetParameterAttributes accepted: only the fields the request changed. */
  | {
      op: 'set-attributes';
      parameters: { Name: ParameterPath; Notification?: NotificationLevel; AccessList?: string[] }[];
      time: EpochMs;
    }
  /** AddObject succeeded: `path` is the new instance, e.g. "Device.IP.Interface.3.". */
  | { op: 'add-instance'; path: ParameterPath; time: EpochMs }
  /** DeleteObject succeeded: drop `path` (an instance, ending in ".") and everything below it. */
  | { op: 'delete-subtree'; path: ParameterPath; time: EpochMs }
  /** A provision's clear(): forget what is cached under `path` (the path itself and below) that is older than `before`. */
  | { op: 'clear'; path: string; before: EpochMs; time: EpochMs };

/** A request that came back as a CWMP fault. */
export interface FaultRecord {
  requestId: number | null;
  request: CpeRequest;
  code: number;
  message: string;
  detail?: SetParameterValuesFaultStruct[];
  time: EpochMs;
}

/** Something worth keeping in the device's (bounded) history. */
export interface HistoryEntry {
  time: EpochMs;
  /** "inform", or the name of a CPE request (TransferComplete, RequestDownload ...), or "session-timeout" etc. */
  kind: string;
  /** Event codes of an Inform, or a summary of a CPE request. */
  detail: unknown;
  sessionId: string;
}

/** Everything one CWMP session learnt, committed in one transaction. */
export interface SessionResult {
  sessionId: string;
  deviceKey: DeviceKey;
  inform: InformRecord;
  /** Cache changes after the Inform's own parameters, in order. */
  ops: CacheOp[];
  /** Tasks the CPE answered (or, for provision tasks, whose provisioning ended): done with a result, or fault. */
  tasks: TaskOutcome[];
  faults: FaultRecord[];
  history: HistoryEntry[];
  /** Provisioning channels that faulted in this session (upserted) or ran clean (their fault dropped). */
  channelFaults?: { set: ChannelFault[]; cleared: string[] };
  /** Tags the session's provisions added or removed (declare('Tags.<name>', ..., { value: true|false })). */
  tags?: { add: string[]; remove: string[] };
  /** Pending events whose provisioning this session carried out: dropped unless reported again after `before`. */
  doneEvents?: { ids: number[]; before: EpochMs };
  /** The device's model was empty when the session began (created or cleared by its Inform): nothing to read back. */
  fresh?: boolean;
}

/**
 * An event of an answered Inform (or a CPE request) whose provisioning is not
 * done yet. Once the ACS answered, the CPE never reports it again (TR-069
 * §3.7.1.5): this row is the only trace, until a session carries it out.
 */
export interface PendingEvent {
  id: number;
  /** "0 BOOTSTRAP", "1 BOOT", "M Download" ... */
  code: string;
  commandKey: string;
  /** When it was last reported. */
  time: EpochMs;
  sessionId: string;
  /** What came with it (the values of a 4 VALUE CHANGE). */
  detail?: unknown;
}

/** What the store held of a device's model when its Inform was acknowledged: nothing (a new device), only action records (cleared by a BOOTSTRAP), or its cache. */
export type StoredModel = 'new' | 'cleared' | 'stored';

/** What acknowledging an Inform answers. */
export interface InformAcknowledged {
  /** Every pending event of the device; null when it recorded none (they are as they were). */
  pending: PendingEvent[] | null;
  /** What is left of its cached model. */
  model: StoredModel;
  /** This is the device's first Inform: its row is new, or was made bare (tags, credentials) before it came. */
  firstInform: boolean;
}

/** What an answered Inform makes durable before its InformResponse goes out. */
export interface InformAcknowledgement {
  sessionId: string;
  deviceKey: DeviceKey;
  inform: InformRecord;
  /** The events to keep pending (all but the routine ones; none when no preset wants them). */
  events: { code: string; commandKey: string; detail?: unknown }[];
  history: HistoryEntry[];
}

/** What the provisioning engine reads of a device besides its cached model. */
export interface ProvisioningFacts {
  tags: string[];
  channelFaults: ChannelFault[];
  /** Last 1 BOOT and 0 BOOTSTRAP Informs: actions "since a time" are judged by them. */
  lastBoot: EpochMs | null;
  lastBootstrap: EpochMs | null;
  /** The first Inform here (a precondition's Registered). */
  firstInform: EpochMs | null;
}

/**
 * A provisioning fault of one channel (a preset's fault-isolation unit) on a
 * device: a script fault, an RPC the device refused, or an engine limit. The
 * channel is skipped until `nextRetry`, then tried again (exponential backoff).
 */
export interface ChannelFault {
  channel: string;
  /** 'script.timeout' | 'script.error' | ... (sandbox), 'script.budget' (skipped: the channel's faulting runs used their time), 'cwmp.<FaultCode>' (device refused an RPC), 'engine.limit', 'engine.value' (a declared value its parameter's type cannot take), 'ext.error'. */
  code: string;
  message: string;
  /** The preset and the provision (script file) the fault comes from, when known. */
  preset?: string;
  script?: string;
  line?: number;
  column?: number;
  /** How many sessions in a row this channel faulted (1 the first time). */
  retries: number;
  /** When it first faulted (of this streak) and most recently. */
  firstTime: EpochMs;
  time: EpochMs;
  /** The channel is skipped by sessions before this time. */
  nextRetry: EpochMs;
}

/** An open task of a device (queued, or sent by a session that ended without its answer), as a session takes it. */
export interface PendingRequest {
  id: number;
  deviceKey: DeviceKey;
  /** What to send now: the first request, or where an earlier session left a task of several RPCs; null for a provision task (it runs in the engine). */
  request: CpeRequest | null;
  /** A resumed task's earlier answers that its result needs (addObject's AddObjectResponse). */
  earlier?: CpeResponse[];
  createdAt: EpochMs;
  /** Not to be sent before this time (null: now). */
  due: EpochMs | null;
  task: TaskRef;
}

/**
 * What a session did with a task: finished it (done or fault), or, for a task
 * of several RPCs, got an answer and moved on to its next request ('sent' with
 * the progress, kept at the commit so that the next session resumes there).
 */
export type TaskOutcome =
  | { id: number; status: 'done' | 'fault'; result?: unknown; fault?: TaskFault }
  | { id: number; status: 'sent'; progress: TaskProgress };

/** A cached leaf's value as a commit changed it. */
export interface ValueChange {
  path: ParameterPath;
  old: string | null;
  value: string | null;
  type: string | null;
}

export interface CommitOutcome {
  /** Leaf values the session changed (rows that existed before): all of them, the webhooks keep those subscribed to. */
  valueChanges: ValueChange[];
  /** The commit wrote the device's first Inform (its row was new or bare; an acknowledged Inform wrote it before, see InformAcknowledged). */
  firstInform: boolean;
}

/** A cached parameter or object, as stored. */
export interface CachedParameter {
  path: ParameterPath;
  /** "object" paths end with "."; "instance" objects are numbered ones (".3."). */
  kind: 'leaf' | 'object' | 'instance';
  value: string | null;
  type: XsdType | null;
  writable: boolean | null;
  notification: NotificationLevel | null;
  accessList: string[] | null;
  /** Leaves: when the value was read. Objects (which have no value): when their children were last listed. */
  valueTime: EpochMs | null;
  /** When a listing last named the path (its existence, writability). */
  namesTime: EpochMs | null;
  attributesTime: EpochMs | null;
}

export interface DeviceSummary {
  deviceKey: DeviceKey;
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
  softwareVersion: string | null;
  lastInform: EpochMs | null;
}

export interface DeviceDetail extends DeviceSummary {
  hardwareVersion: string | null;
  firstInform: EpochMs | null;
  lastBoot: EpochMs | null;
  lastBootstrap: EpochMs | null;
  remoteAddress: string | null;
  cwmpVersion: string | null;
  tags: string[];
  history: HistoryEntry[];
  faults: FaultRecord[];
  channelFaults: ChannelFault[];
  pendingEvents: PendingEvent[];
  parameters: CachedParameter[];
}

/** Credentials a CPE must present (HTTP Basic/Digest) when authentication applies to it. */
export interface CpeCredentials {
  username: string;
  password: string;
}

/**
 * Raw SQL for the modules that keep tables of their own (tasks, workflow runs,
 * campaigns, files, connection requests): `?` placeholders in both dialects.
 * On SQLite every call runs alone (see sql.ts), like the store's own.
 */
export interface SqlAccess {
  readonly driver: 'mysql' | 'sqlite';
  /** Each statement committed on its own (no transaction): reads, and single-statement writes. */
  autocommit<T>(fn: (db: import('./sql').Db) => Promise<T>): Promise<T>;
  transaction<T>(fn: (db: import('./sql').Db) => Promise<T>): Promise<T>;
}

/** A task that expired before its device ran it (told of as task.failed). */
export interface ExpiredTask {
  id: number;
  deviceKey: DeviceKey;
  expiresAt: EpochMs;
}

export interface DeviceStore {
  /** Told of the tasks a device's session found past their expiry and marked expired (the roles send task.failed). */
  onTasksExpired?: (tasks: ExpiredTask[]) => void;
  readonly sql: SqlAccess;
  /** Creates the schema (migrations) if needed. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** The one write of a session. Idempotent: committing the same result twice leaves the same data. */
  /** Commits what a session learnt; answers what changed that others may want to hear of. */
  commitSession(result: SessionResult): Promise<CommitOutcome>;

  /**
   * Makes an Inform's news durable before it is answered, in one transaction:
   * the device row (created if new), its history entry, a BOOTSTRAP's clearing
   * of the cached model, and its events as pending events. Returns every
   * pending event of the device, what is left of its cached model, and
   * whether this is its first Inform.
   */
  acknowledgeInform(ack: InformAcknowledgement): Promise<InformAcknowledged>;
  /** Appends to a device's history now (a CPE request about to be answered), creating a bare device if needed. */
  appendHistory(deviceKey: DeviceKey, entries: HistoryEntry[]): Promise<void>;
  /** The device's pending events, oldest first ([] for an unknown device). */
  pendingEvents(deviceKey: DeviceKey): Promise<PendingEvent[]>;
  /** Tags, channel faults and boot times, read once per session by the provisioning engine. */
  getProvisioningFacts(deviceKey: DeviceKey): Promise<ProvisioningFacts>;

  /**
   * Records Informs that changed nothing but the time (periodic sessions with
   * no work): last_inform only, many devices per statement, never moving a
   * device's last_inform backwards. Unknown devices are ignored.
   */
  touchDevices(entries: { deviceKey: DeviceKey; time: EpochMs }[]): Promise<void>;

  /** The device's open tasks, oldest first (expired ones become expired first). */
  pendingRequests(deviceKey: DeviceKey): Promise<PendingRequest[]>;
  /** Queues one CPE request as a task named after its method (what the REST API does after checking a task body). */
  enqueueRequest(deviceKey: DeviceKey, request: CpeRequest): Promise<number>;

  listDevices(options?: { limit?: number; offset?: number }): Promise<DeviceSummary[]>;
  getDevice(deviceKey: DeviceKey): Promise<DeviceDetail | null>;
  getParameters(deviceKey: DeviceKey, prefix?: ParameterPath): Promise<CachedParameter[]>;
  /** What a planner needs under some paths: rows at or below each prefix ("X." a subtree, "X" one row), plus the objects above them. */
  getParametersUnder(deviceKey: DeviceKey, prefixes: string[]): Promise<CachedParameter[]>;

  setTags(deviceKey: DeviceKey, add: string[], remove: string[]): Promise<void>;
  /** Tags of a device ([] when unknown). */
  getTags(deviceKey: DeviceKey): Promise<string[]>;

  /** The device's faulted provisioning channels. */
  getChannelFaults(deviceKey: DeviceKey): Promise<ChannelFault[]>;
  /** Drops a channel's fault (operator retry); false when there was none. */
  clearChannelFault(deviceKey: DeviceKey, channel: string): Promise<boolean>;
  /** Deletes the device and everything kept about it; false when there is no such device. */
  deleteDevice(deviceKey: DeviceKey): Promise<boolean>;

  /** Per-device CPE credentials; a device can exist in the store before its first Inform to carry them. */
  setCpeCredentials(deviceKey: DeviceKey, credentials: CpeCredentials | null): Promise<void>;
  getCpeCredentials(deviceKey: DeviceKey): Promise<CpeCredentials | null>;
}
