import type { CpeRequest, CpeResponse, CwmpVersion } from '../soap/types';
import type { CacheOp, CpeCredentials, DeviceKey, FaultRecord, HistoryEntry, InformRecord, StoredModel, TaskOutcome } from '../../db/types';
import type { TaskRef } from '../../tasks/types';
import type { EngineRequestMeta, ProvisionState } from '../../engine/types';
import type { EventRef } from './device-facts';
import type { ProvisionCall } from '../../presets/types';

/**
 * Where a session is in the TR-069 §3.7.1 message flow:
 * - `cpe-requests`: after the Inform, the CPE may send its own requests;
 * - `acs-requests`: the CPE sent an empty POST; the ACS sends its requests;
 * - `awaiting-response`: an ACS request is out, its response is due.
 */
export type SessionPhase = 'cpe-requests' | 'acs-requests' | 'awaiting-response';

/** A queued ACS request, with the id of its task (its row in the device's persisted queue). */
export interface QueuedRequest {
  id: number | null;
  request: CpeRequest;
  /** The task it carries out (a multi-RPC task sends its next request when this one is answered). */
  task?: TaskRef;
  /** The task's earlier answers in this session, for a multi-RPC task's result. */
  earlier?: CpeResponse[];
  /** Set when the provisioning engine planned it (id is then null). */
  engine?: EngineRequestMeta;
}

export interface InFlightRequest extends QueuedRequest {
  cwmpId: string;
  sentAt: number;
}

/**
 * A session as kept in Redis, so that any ACS process can serve its next
 * HTTP request. Small and rewritten each step; what the session learns goes
 * to an append-only log beside it instead (see {@link SessionLogEntry}).
 */
export interface SessionState {
  id: string;
  deviceKey: DeviceKey;
  namespace: string;
  cwmpVersion: CwmpVersion;
  remoteAddress: string;
  phase: SessionPhase;
  startedAt: number;
  inform: InformRecord;
  /** The Inform's history entry when it was not acknowledged (a connection request): the commit stores it. */
  informEntry?: HistoryEntry;
  queue: QueuedRequest[];
  /** Ids of the open tasks this session loaded (due or not): any it did not finish are still open after it. */
  loadedIds: number[];
  /** Provision tasks due in this session: run by the engine, each as a channel of its own ("task:<id>"), before the presets. */
  taskProvisions?: TaskProvision[];
  /** A BOOTSTRAP whose orders could not be looked at as it opened: the session's end looks again. */
  ordersUnread?: true;
  /** The CPE's own requests in this session (TransferComplete ...), for whoever waits on the device. */
  cpeRequests?: { method: string; detail: Record<string, unknown> }[];
  inFlight: InFlightRequest | null;
  /** True when the ACS's last message carried HoldRequests=true. */
  holdRequests: boolean;
  /** Counter for the cwmp:ID of the ACS's requests. */
  sent: number;
  /** Entries appended to the session's log so far: 0 lets a quiet session end without reading it. */
  logged: number;
  /** Hash of what this Inform said (identity, address, parameters), to spot one that changed nothing. */
  informHash: string;
  /** The device facts as read at the Inform (see device-facts.ts), to update them at the end. */
  facts: { version: string; credentials: CpeCredentials | null; knownHash: string | null };
  /**
   * The device's pending events this session carries (those of its own Inform
   * included): answered events whose provisioning is not done yet. Dropped at
   * the end if the session's provisioning settled (see finalize.ts).
   */
  carried: EventRef[];
  /** Event codes presets are matched against: the Inform's, then the carried ones. */
  events: string[];
  /** What the store held of the device's model when the session began (a new device: nothing to read back). */
  model: StoredModel;
  /** The provisioning engine's part of the session; null when no preset can apply (no engine step at all). */
  provision: ProvisionState | null;
}

/**
 * A provision task: run named provisions once, with their arguments, in one
 * channel (as a preset's). A session opened before tasks could list
 * provisions kept `name` and `args` instead (task-progress.ts callsOf).
 */
export interface TaskProvision {
  id: number;
  provisions: ProvisionCall[];
  /** Given as a list (`provisions`): its result is a list too. */
  listed?: true;
}

/** What a session learnt, appended as it happens, committed in one transaction at its end. */
export type SessionLogEntry =
  | { t: 'op'; op: CacheOp }
  | { t: 'task'; outcome: TaskOutcome }
  | { t: 'fault'; fault: FaultRecord }
  | { t: 'history'; entry: HistoryEntry };
