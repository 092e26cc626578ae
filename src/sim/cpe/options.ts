/**
 * Per-profile behaviour switches of the simulated CPE's RPC handling.
 */
import type { CpeRequest, CpeResponse, Fault } from '../../cwmp/soap/types';
import type { DeviceModel, NodeRef } from '../model/device';
import type { Effect } from './effects';

export type CpeMethod = CpeRequest['method'];

/** Every CPE method the simulator implements, in GetRPCMethodsResponse order. */
export const CPE_METHODS: readonly CpeMethod[] = [
  'GetRPCMethods',
  'SetParameterValues',
  'GetParameterValues',
  'GetParameterNames',
  'SetParameterAttributes',
  'GetParameterAttributes',
  'AddObject',
  'DeleteObject',
  'Reboot',
  'Download',
  'Upload',
  'FactoryReset',
  'GetQueuedTransfers',
  'GetAllQueuedTransfers',
  'ScheduleInform',
  'ScheduleDownload',
  'CancelTransfer',
  'ChangeDUState',
];

export interface RpcOptions {
  /** Methods answered with fault 9000 and left out of GetRPCMethods. */
  readonly disabledMethods?: ReadonlySet<string> | readonly string[];
  /** Accept Notification 3-6 (Lightweight Notification, CWMP 1.4). Default false: fault 9003. */
  readonly lightweightNotifications?: boolean;
  /**
   * SetParameterValues: the xsi:type must equal the parameter's type (9006
   * otherwise). Default true; false accepts any type whose value is valid for
   * the parameter's type, as many real CPEs do.
   */
  readonly strictTypes?: boolean;
  /** Status of successful SetParameterValues/AddObject/DeleteObject: 1 = applied after a reboot. Default 0. */
  readonly applyStatus?: 0 | 1;
  /** Most transfers the queue holds (TR-069: 16); more gives fault 9004. */
  readonly maxQueuedTransfers?: number;
  /** URL schemes Download/Upload/ScheduleDownload accept; others give fault 9013. Default http, https, ftp. */
  readonly transferSchemes?: readonly string[];
  /** FaultStrings say why ("Invalid parameter name: Device.Foo"); default false: the standard strings only. */
  readonly verboseFaults?: boolean;
  /**
   * GetParameterValues leaves out the names it does not know and answers the
   * rest, instead of fault 9005 (quirk `gpv-omits-missing`, seen in
   * third-party CPE software). Default false.
   */
  readonly gpvOmitsMissing?: boolean;
  /**
   * Fault injection (campaigns, benchmarks): every SetParameterValues is
   * refused, 9002 as a plain Internal error, 9007 as fault 9003 with a
   * SetParameterValuesFault 9007 for each parameter. See fault-injection.ts.
   */
  readonly refuseSetParameterValues?: 9002 | 9007;
  /** Downloads fetch the file in Range requests of this many bytes, as CPEs with little memory do (default: one plain GET). */
  readonly downloadRangeBytes?: number;
  /** Downloads cut the URL at "?" (quirk seen in CPE software): only credentials can then open a protected file. */
  readonly dropsUrlQuery?: boolean;
  /** SetParameterValues refuses (9007) an xsd:boolean written "true"/"false": only 1 and 0 (quirk `spv-boolean-digits`). */
  readonly booleanDigits?: boolean;
  /** SetParameterValues refuses (9007) an xsd:dateTime with a fraction or a zone (quirk `spv-datetime-plain`). */
  readonly plainDateTimes?: boolean;
  /** Fault injection: every Download is accepted, then its TransferComplete carries fault 9010 (nothing is fetched). */
  readonly failDownloads?: boolean;
  /**
   * Firmware images (FileType "1 Firmware Upgrade Image") install and reboot
   * but the SoftwareVersion stays as it was, as a device that falls back to
   * its old bank does. Also per file: a name containing "noinstall".
   */
  readonly firmwareKeepsVersion?: boolean;
  /** Wait after the session before a requested diagnostic runs, in ms (default 50). */
  readonly diagnosticsDelayMs?: number;
  /**
   * The success DiagnosticsState of every diagnostic, instead of the model
   * version's ("Complete"; TR-098 Download/Upload "Completed"): the TP-Link
   * XX230v dump reports "Completed" for IPPing and TraceRoute.
   */
  readonly diagnosticsCompleteValue?: 'Complete' | 'Completed';
}

export interface RpcResult {
  readonly response: CpeResponse | Fault;
  readonly effects: Effect[];
}

/**
 * Values a device computes when they are read instead of storing them
 * (counters, uptime: ../traffic): undefined for a parameter it stores.
 */
export interface LiveValues {
  valueOf(device: DeviceModel, ref: NodeRef): string | undefined;
}

/** What every handler receives. */
export interface RpcContext {
  readonly device: DeviceModel;
  readonly options: RpcOptions;
  /** GetParameterValues reads these before the stored values. */
  readonly live?: LiveValues;
}
