/**
 * The planner's contract: declarations of the session's provisions (each
 * tagged with its channel) in, the next round of RPCs out.
 */
import type { CpeRequest, ParameterValueStruct } from '../../cwmp/soap/types';
import type { EpochMs } from '../../db/types';
import type { Declaration } from '../../sandbox/types';
import type { VendorAdapter } from '../../vendor/adapter';

/** A declaration and the channel (fault-isolation unit) whose provision made it. */
export interface ChannelDeclaration {
  channel: string;
  declaration: Declaration;
}

/** Values to set on an instance as soon as the AddObject that creates it succeeds (its alias keys). */
export type InstanceKeys = ParameterValueStruct[];

/**
 * What the front end reads right after a listing's answer, in the same round
 * (no engine step in between): for each object the listing returns, these
 * names relative to it ("SSID" → "Device.WiFi.SSID.3.SSID"), in one
 * GetParameterValues. `leaves`: the parameters it returns too (an alias
 * filter's keys are asked under every child, as the planner would).
 */
export interface FollowUp {
  names: string[];
  leaves: boolean;
}

/** One RPC the engine wants sent, and who asked for it. */
export interface PlannedRequest {
  request: CpeRequest;
  /** Channels whose declarations need it: they share its fault. */
  channels: string[];
  /** AddObject: the alias keys to set on the new instance (relative names). */
  keys?: InstanceKeys;
  /** Synthetic values to record when the device accepts the request (action history: Reboot, Downloads.N.*). */
  record?: ParameterValueStruct[];
  /** SetParameterValues: the channels that declared each parameter. */
  paramChannels?: Record<string, string[]>;
  /** GetParameterNames: the read of each listed instance the next step would plan (reads.ts followUpOf). */
  then?: FollowUp;
}

export interface PlanContext {
  /** The session's clock (scripts' Date.now()). */
  now: EpochMs;
  /** Sent with every SetParameterValues/AddObject/DeleteObject: names the configuration being applied. */
  parameterKey: string;
  /** Paths the device answered 9005 to in this session: not asked for again. */
  refused?: readonly string[];
  /** The device's vendor profile (src/vendor): declarations and written values as the device wants them. */
  vendor?: VendorAdapter | null;
}

/** Which round the plan is: reads come first, then writes, then actions that end the device's uptime. */
export type PlanPhase = 'reads' | 'writes' | 'actions' | 'none';

export interface Plan {
  phase: PlanPhase;
  requests: PlannedRequest[];
  /** Channels left out of the plan: a value they declared cannot be sent as the parameter's type. */
  invalid?: InvalidValue[];
}

/** A declared value the parameter's type cannot take (a number for an xsd:boolean, 2^32 for an xsd:unsignedInt). */
export interface InvalidValue {
  channel: string;
  path: string;
  message: string;
}
