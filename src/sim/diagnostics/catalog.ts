/**
 * The diagnostics a simulated CPE can run, where each lives in the data model
 * (TR-181 Device:2 and TR-098 InternetGatewayDevice:1, including the vendor
 * placement InternetGatewayDevice.DNS.Diagnostics.NSLookupDiagnostics. seen
 * on Huawei), which inputs each needs, and the state names each model version
 * uses. A device supports a diagnostic only when its model has the object.
 */
import type { DeviceModel } from '../model/device';
import type { RootKind } from '../model/types';

export type DiagnosticKind = 'IPPing' | 'TraceRoute' | 'Download' | 'Upload' | 'NSLookup';

/** A diagnostics object of one device: its kind and object path ("Device.IP.Diagnostics.IPPing."). */
export interface DiagnosticObject {
  readonly kind: DiagnosticKind;
  readonly path: string;
}

const PATHS: Readonly<Record<RootKind, ReadonlyArray<readonly [DiagnosticKind, string]>>> = {
  tr181: [
    ['IPPing', 'Device.IP.Diagnostics.IPPing.'],
    ['TraceRoute', 'Device.IP.Diagnostics.TraceRoute.'],
    ['Download', 'Device.IP.Diagnostics.DownloadDiagnostics.'],
    ['Upload', 'Device.IP.Diagnostics.UploadDiagnostics.'],
    ['NSLookup', 'Device.DNS.Diagnostics.NSLookupDiagnostics.'],
  ],
  tr098: [
    ['IPPing', 'InternetGatewayDevice.IPPingDiagnostics.'],
    ['TraceRoute', 'InternetGatewayDevice.TraceRouteDiagnostics.'],
    ['Download', 'InternetGatewayDevice.DownloadDiagnostics.'],
    ['Upload', 'InternetGatewayDevice.UploadDiagnostics.'],
    ['NSLookup', 'InternetGatewayDevice.NSLookupDiagnostics.'],
    ['NSLookup', 'InternetGatewayDevice.DNS.Diagnostics.NSLookupDiagnostics.'],
  ],
};

/** The diagnostics objects this device's model has. */
export function diagnosticsOf(device: DeviceModel): DiagnosticObject[] {
  const out: DiagnosticObject[] = [];
  for (const [kind, path] of PATHS[device.base.rootKind]) {
    if (device.lookup(path + 'DiagnosticsState') !== undefined) out.push({ kind, path });
  }
  return out;
}

/** The diagnostics object a parameter belongs to (directly), if any. */
export function diagnosticOfParameter(device: DeviceModel, name: string): DiagnosticObject | undefined {
  for (const [kind, path] of PATHS[device.base.rootKind]) {
    if (name.startsWith(path) && !name.slice(path.length).includes('.')) return { kind, path };
  }
  return undefined;
}

/**
 * Inputs that must be non-empty when DiagnosticsState is set to Requested
 * (TR-106 DiagnosticsState: errors in the test parameters MUST be detected in
 * the SetParameterValues that requests the test).
 */
export const REQUIRED_INPUTS: Readonly<Record<DiagnosticKind, readonly string[]>> = {
  IPPing: ['Host'],
  TraceRoute: ['Host'],
  Download: ['DownloadURL'],
  Upload: ['UploadURL'],
  NSLookup: ['HostName'],
};

/**
 * Inclusive ranges of numeric inputs (TR-181 / TR-098 ranges), enforced even
 * where the model (a CSV dump) carries no constraints.
 */
export const INPUT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  NumberOfRepetitions: [1, 4294967295],
  Timeout: [1, 4294967295],
  DataBlockSize: [1, 65535],
  DSCP: [0, 63],
  EthernetPriority: [0, 7],
  MaxHopCount: [1, 64],
  NumberOfTries: [1, 3],
};

/**
 * The success state: "Complete", except TR-098's Download/UploadDiagnostics
 * ("Completed", as TR-143 first named it; TR-181 2.17 lists it as deleted).
 */
export function completeState(root: RootKind, kind: DiagnosticKind): string {
  return root === 'tr098' && (kind === 'Download' || kind === 'Upload') ? 'Completed' : 'Complete';
}

/**
 * Error states a model version defines for the failure a rule produces: the
 * first candidate the version has. TR-098's Download/Upload have no
 * Error_CannotResolveHostName (a name that does not resolve is
 * Error_InitConnectionFailed there), nor Error_TransferFailed for an upload.
 */
export function errorState(root: RootKind, kind: DiagnosticKind, wanted: string): string {
  if (root === 'tr181') return wanted;
  if (kind === 'Download' || kind === 'Upload') {
    if (wanted === 'Error_CannotResolveHostName' || wanted === 'Error_NoRouteToHost') return 'Error_InitConnectionFailed';
    if (kind === 'Upload' && (wanted === 'Error_TransferFailed' || wanted === 'Error_Timeout')) return 'Error_NoTransferComplete';
    if (kind === 'Upload' && wanted === 'Error_IncorrectSize') return 'Error_NoTransferComplete';
  }
  return wanted;
}
