/**
 * Runs a requested diagnostic of a simulated device and records its outcome,
 * unless the run was superseded meanwhile (a changed input, a new request, a
 * cancel, a reboot: see DeviceModel.nextDiagnosticRun).
 */
import type { DeviceModel } from '../model/device';
import { completeState, diagnosticsOf, errorState, type DiagnosticKind, type DiagnosticObject } from './catalog';
import { runNsLookup } from './nslookup';
import { runPing } from './ping';
import type { DiagnosticResult, Inputs } from './result';
import { runTraceRoute } from './traceroute';
import { runDownload, runUpload } from './transfer';
import { writeResult } from './write';

const RUNNERS: Readonly<Record<DiagnosticKind, (inputs: Inputs) => DiagnosticResult | Promise<DiagnosticResult>>> = {
  IPPing: runPing,
  TraceRoute: runTraceRoute,
  NSLookup: runNsLookup,
  Download: runDownload,
  Upload: runUpload,
};

/** A requested run: which diagnostic, and the run number it was requested as. */
export interface DiagnosticRun extends DiagnosticObject {
  readonly run: number;
}

function isCurrent(device: DeviceModel, d: DiagnosticRun): boolean {
  return device.diagnosticRun(d.path) === d.run && device.getValue(d.path + 'DiagnosticsState') === 'Requested';
}

/**
 * Performs the test and writes results and DiagnosticsState. Resolves true
 * when it did (the device then informs with "8 DIAGNOSTICS COMPLETE"), false
 * when the run is no longer current. `completeValue` overrides the success
 * state (RpcOptions.diagnosticsCompleteValue).
 */
export async function runDiagnostic(device: DeviceModel, d: DiagnosticRun, completeValue?: string): Promise<boolean> {
  if (!isCurrent(device, d)) return false;
  const inputs: Inputs = (name) => device.getValue(d.path + name) ?? '';
  let result: DiagnosticResult;
  try {
    result = await RUNNERS[d.kind](inputs);
  } catch {
    result = { state: 'Error_Internal', values: {} };
  }
  if (!isCurrent(device, d)) return false;
  const root = device.base.rootKind;
  const state = result.state === 'Complete' ? completeValue ?? completeState(root, d.kind) : errorState(root, d.kind, result.state);
  writeResult(device, d.path, result, state);
  return true;
}

/** A reboot ends every test in progress: DiagnosticsState None (TR-106), no event. */
export function abortDiagnostics(device: DeviceModel): void {
  for (const d of diagnosticsOf(device)) {
    if (device.getValue(d.path + 'DiagnosticsState') !== 'Requested') continue;
    device.nextDiagnosticRun(d.path);
    const ref = device.lookup(d.path + 'DiagnosticsState');
    if (ref !== undefined) device.setValue(ref, 'None');
  }
}
