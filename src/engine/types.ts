/**
 * What the provisioning engine keeps in a session (inside the session state
 * in Redis, so any worker can take the next step) and what a step hands back
 * to the CWMP front end.
 */
import type { CpeRequest, ParameterValueStruct } from '../cwmp/soap/types';
import type { ChannelFault } from '../db/types';
import type { FollowUp, InstanceKeys } from './planner/types';

/** An RPC the engine asked for that the device refused, as the front end saw it. */
export interface RequestOutcome {
  method: CpeRequest['method'];
  channels: string[];
  /** The paths it was about (for 9005 recovery). */
  paths: string[];
  fault?: { code: number; message: string; detail?: { name: string; code: number }[] };
  /** SetParameterValues: the channels that declared each parameter. */
  paramChannels?: Record<string, string[]>;
  /** The refused request set the alias keys of new instances: not recovered (a listing would only lead to another AddObject). */
  aliasKeys?: true;
}

export interface ProvisionState {
  /** Presets chosen at the first step, in order (names); null before it. */
  presets: string[] | null;
  /** The vendor profile chosen with the presets (its name; null: none matched). Absent before the first step. */
  vendor?: string | null;
  /** Planning rounds and engine RPCs so far (limits). */
  steps: number;
  rpcs: number;
  /** ext() results of this session, so replays see the same answers. */
  extResults: Record<string, unknown>;
  /** Tag changes the provisions made, committed with the session. */
  tags: { add: string[]; remove: string[] };
  /** Channels that faulted in this session (not run again in it). */
  faults: ChannelFault[];
  /** Channels with a stored fault that ran clean in this session: their fault is dropped. */
  clearedFaults: string[];
  /** Faults of engine requests since the last step. */
  outcomes: RequestOutcome[];
  /** Objects listed again after a 9005 (a second 9005 under one of them is a fault). */
  refreshed: string[];
  /** Paths the device answered 9005 to in this session (names of a refused GetParameterValues among them): never asked again. */
  refused: string[];
  /** clear() calls already applied ("path@before"). */
  cleared: string[];
  /**
   * Parameters a script gave a value that the device refused as not writable
   * (9008) in this session: left as they are (the listing that followed told
   * the planner), and kept in the device history so that operators see why.
   * Optional: a session state saved before 2026-12-06 has none.
   */
  notWritable?: string[];
  /** The last runs' log() lines, per provision (replaced on each replay). */
  logs: Record<string, string[]>;
  /** Nothing left to do in this session. */
  done: boolean;
  /** Provisioning ended with every chosen preset run to the end, none faulted or backing off: the session's events are done with. */
  settled: boolean;
}

/** Attached to a queued request the engine planned. */
export interface EngineRequestMeta {
  channels: string[];
  /** AddObject: alias keys to set on the new instance (relative names). */
  keys?: InstanceKeys;
  /** Synthetic values recorded in the cache when the device accepts it. */
  record?: ParameterValueStruct[];
  /** SetParameterValues: the channels that declared each parameter (a refused one faults only its own). */
  paramChannels?: Record<string, string[]>;
  /** The SetParameterValues of the alias keys of the instances the round's AddObjects made. */
  aliasKeys?: true;
  /** GetParameterNames: read these names under each object listed, right after its answer (provisioning.ts). */
  then?: FollowUp;
  /** The GetParameterValues a listing's `then` made (one per round, for every listing of it). */
  followUp?: true;
}

export function newProvisionState(): ProvisionState {
  return { presets: null, steps: 0, rpcs: 0, extResults: {}, tags: { add: [], remove: [] }, faults: [], clearedFaults: [], outcomes: [], refreshed: [], refused: [], cleared: [], logs: {}, done: false, settled: false };
}

/**
 * A state read back from Redis, with the fields a session stored by an
 * older version lacks (`refused`) at their initial values: a session open
 * across a deploy goes on under the new code.
 */
export function provisionStateOf(stored: Omit<ProvisionState, 'refused'> & Partial<Pick<ProvisionState, 'refused'>>): ProvisionState {
  return { ...stored, refused: stored.refused ?? [] };
}

/**
 * Where each provision's log() lines go in `logs`: "<preset>/<provision>",
 * and "<preset>/<provision>#2" … for the same provision again in the preset
 * (another run, other arguments: its lines are its own).
 */
export function logKeys(preset: string, calls: readonly { name: string }[]): string[] {
  const seen = new Map<string, number>();
  return calls.map(({ name }) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? `${preset}/${name}` : `${preset}/${name}#${n}`;
  });
}
