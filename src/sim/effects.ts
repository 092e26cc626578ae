import type { DUStateChangeComplete, OpResultStruct, TransferComplete } from '../cwmp/soap/types';
import type { Effect } from './cpe';
import type { SimDevice } from './device';
import { abortDiagnostics, runDiagnostic } from './diagnostics';
import { downloadFile, uploadFile, type TransferOutcome } from './file-transfer';
import { ev } from './outbox';

/** What effects need from the fleet: timers, and a session started for a device. */
export interface Scheduler {
  /** Run `task` after `delayMs`; `key` lets a later cancel() find it. */
  later(device: SimDevice, delayMs: number, task: () => Promise<void> | void, key?: string): void;
  cancel(device: SimDevice, key: string): void;
  /** Start a session for the device as soon as it is free (coalesced). */
  connect(device: SimDevice): void;
}

/** A rebooting CPE is back after this long; short, so tests and benchmarks do not wait. */
const BOOT_MS = 200;
/** A requested diagnostic starts this long after the session (RpcOptions.diagnosticsDelayMs overrides). */
const DIAGNOSTIC_MS = 50;

/**
 * Carries out what a session's RPCs asked for, after the session, as a CPE
 * does (TR-069 A.3.2.8-9, A.4.1): reboots, resets, transfers, scheduled
 * informs, DU changes and requested diagnostics (../diagnostics), each
 * announced in a later Inform.
 */
export function applyEffects(device: SimDevice, effects: readonly Effect[], s: Scheduler): void {
  for (const e of effects) applyEffect(device, e, s);
}

function applyEffect(device: SimDevice, e: Effect, s: Scheduler): void {
  switch (e.kind) {
    case 'reboot':
      abortDiagnostics(device.model);
      device.addEvent('1 BOOT');
      device.addEvent('M Reboot', e.CommandKey);
      return s.later(device, BOOT_MS, () => s.connect(device));
    case 'factoryReset':
      device.model.reset();
      device.outbox.clear();
      device.addEvent('0 BOOTSTRAP');
      device.addEvent('1 BOOT');
      return s.later(device, BOOT_MS, () => s.connect(device));
    case 'scheduleInform':
      return s.later(device, e.DelaySeconds * 1000, () => {
        device.addEvent('3 SCHEDULED');
        device.addEvent('M ScheduleInform', e.CommandKey);
        s.connect(device);
      });
    case 'download':
    case 'upload':
    case 'scheduleDownload':
      return s.later(device, transferDelayMs(e), () => runTransfer(device, e, s), `transfer-${e.transferId}`);
    case 'changeDUState':
      return completeDuChange(device, e, s);
    case 'cancelTransfer':
      for (const id of e.transferIds) s.cancel(device, `transfer-${id}`);
      return;
    case 'diagnostic':
      return s.later(device, device.rpcOptions.diagnosticsDelayMs ?? DIAGNOSTIC_MS, () => completeDiagnostic(device, e, s), `diagnostic-${e.path}`);
    case 'cancelDiagnostic':
      return s.cancel(device, `diagnostic-${e.path}`);
  }
}

/** TR-106 DiagnosticsState: a test the ACS requested ends (Complete or an error) with a session carrying "8 DIAGNOSTICS COMPLETE". */
async function completeDiagnostic(device: SimDevice, e: Extract<Effect, { kind: 'diagnostic' }>, s: Scheduler): Promise<void> {
  const run = { kind: e.test, path: e.path, run: e.run };
  if (!(await runDiagnostic(device.model, run, device.rpcOptions.diagnosticsCompleteValue))) return;
  device.addEvent('8 DIAGNOSTICS COMPLETE');
  s.connect(device);
}

type TransferEffect = Extract<Effect, { kind: 'download' | 'upload' | 'scheduleDownload' }>;

function transferDelayMs(e: TransferEffect): number {
  if (e.kind === 'scheduleDownload') return (e.request.TimeWindowList[0]?.WindowStart ?? 0) * 1000;
  return e.request.DelaySeconds * 1000;
}

async function runTransfer(device: SimDevice, e: TransferEffect, s: Scheduler): Promise<void> {
  device.model.transfers.setState(e.transferId, 2);
  const r = e.request;
  const outcome = e.kind === 'upload' ? await uploadFile(r.URL, r.Username, r.Password, configDump(device), { tls: device.client.tls }) : await fetchImage(device, e);
  if (e.kind === 'upload') device.noteTransfer(r.URL, outcome);
  device.model.transfers.remove(e.transferId);
  const method = e.kind === 'upload' ? 'Upload' : e.kind === 'download' ? 'Download' : 'ScheduleDownload';
  device.queueRequest(transferComplete(r.CommandKey, outcome), ev('7 TRANSFER COMPLETE'), ev(`M ${method}`, r.CommandKey));
  if (e.kind !== 'upload' && outcome.fault.FaultCode === 0 && r.FileType.startsWith('1 ')) installFirmware(device, e);
  s.connect(device);
}

/**
 * Fetches a download's file, then checks it as a CPE checks an image:
 *  - failDownloads (fault injection): 9010, nothing fetched;
 *  - the fetch fails: its fault (HTTP 404 is 9016, see file-transfer.ts);
 *  - a firmware image whose file name contains "corrupt": 9018, not installed.
 */
async function fetchImage(device: SimDevice, e: Exclude<TransferEffect, { kind: 'upload' }>): Promise<TransferOutcome> {
  const r = e.request;
  if (device.rpcOptions.failDownloads) {
    const now = new Date().toISOString();
    return { fault: { FaultCode: 9010, FaultString: 'Download failure (injected fault)' }, startTime: now, completeTime: now, bytes: 0, statuses: [] };
  }
  const outcome = await downloadFile(r.URL, r.Username, r.Password, r.FileSize, {
    rangeBytes: device.rpcOptions.downloadRangeBytes,
    dropQuery: device.rpcOptions.dropsUrlQuery,
    tls: device.client.tls,
  });
  device.noteTransfer(r.URL, outcome);
  if (outcome.fault.FaultCode !== 0 || !r.FileType.startsWith('1 ') || !/corrupt/i.test(imageName(e))) return outcome;
  return { ...outcome, fault: { FaultCode: 9018, FaultString: 'File transfer failure: file corrupted (image rejected)' } };
}

/** The image's file name: TargetFileName, else the URL's last path segment. */
function imageName(e: TransferEffect): string {
  const name = e.kind === 'download' && e.request.TargetFileName ? e.request.TargetFileName : e.request.URL;
  return name.split('?')[0].split('/').pop() ?? '';
}

/**
 * A firmware image "installs" by reboot; a version in its file name becomes
 * the SoftwareVersion, unless the name contains "noinstall" or the device has
 * firmwareKeepsVersion: it reboots and comes back with its old version.
 */
function installFirmware(device: SimDevice, e: TransferEffect): void {
  const name = imageName(e);
  const version = /(\d+(?:\.\d+)+)/.exec(name)?.[1];
  const keeps = device.rpcOptions.firmwareKeepsVersion || /noinstall/i.test(name);
  const ref = device.model.lookup(`${device.model.root}DeviceInfo.SoftwareVersion`);
  if (version && ref !== undefined && !keeps) device.model.setValue(ref, version);
  abortDiagnostics(device.model);
  device.addEvent('1 BOOT');
}

function transferComplete(CommandKey: string, o: TransferOutcome): TransferComplete {
  return { method: 'TransferComplete', CommandKey, FaultStruct: o.fault, StartTime: o.startTime, CompleteTime: o.completeTime };
}

function configDump(device: SimDevice): string {
  return `# simulated configuration of ${device.key}\n`;
}

function completeDuChange(device: SimDevice, e: Extract<Effect, { kind: 'changeDUState' }>, s: Scheduler): void {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const Results: OpResultStruct[] = e.request.Operations.map((op, i) => ({
    UUID: op.UUID ?? `00000000-0000-5000-8000-${String(i + 1).padStart(12, '0')}`,
    DeploymentUnitRef: '',
    Version: ('Version' in op ? op.Version : undefined) ?? '',
    CurrentState: op.op === 'Uninstall' ? 'Uninstalled' : 'Installed',
    Resolved: true,
    ExecutionUnitRefList: '',
    StartTime: now,
    CompleteTime: now,
    Fault: { FaultCode: 0, FaultString: '' },
  }));
  const request: DUStateChangeComplete = { method: 'DUStateChangeComplete', Results, CommandKey: e.request.CommandKey };
  device.queueRequest(request, ev('11 DU STATE CHANGE COMPLETE'), ev('M ChangeDUState', e.request.CommandKey));
  s.later(device, BOOT_MS, () => s.connect(device));
}
