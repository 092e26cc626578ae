import type { DUStateChangeComplete, OpResultStruct, TransferComplete } from '../cwmp/soap/types';
import type { Effect } from './cpe';
import type { SimDevice } from './device';
import { downloadFile, uploadFile, type TransferOutcome } from './file-transfer';

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

/**
 * Carries out what a session's RPCs asked for, after the session, as a CPE
 * does (TR-069 A.3.2.8-9, A.4.1): reboots, resets, transfers, scheduled
 * informs and DU changes, each announced in a later Inform.
 */
export function applyEffects(device: SimDevice, effects: readonly Effect[], s: Scheduler): void {
  for (const e of effects) applyEffect(device, e, s);
}

function applyEffect(device: SimDevice, e: Effect, s: Scheduler): void {
  switch (e.kind) {
    case 'reboot':
      device.addEvent('1 BOOT');
      device.addEvent('M Reboot', e.CommandKey);
      return s.later(device, BOOT_MS, () => s.connect(device));
    case 'factoryReset':
      device.model.reset();
      device.events = [];
      device.requests = [];
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
  }
}

type TransferEffect = Extract<Effect, { kind: 'download' | 'upload' | 'scheduleDownload' }>;

function transferDelayMs(e: TransferEffect): number {
  if (e.kind === 'scheduleDownload') return (e.request.TimeWindowList[0]?.WindowStart ?? 0) * 1000;
  return e.request.DelaySeconds * 1000;
}

async function runTransfer(device: SimDevice, e: TransferEffect, s: Scheduler): Promise<void> {
  device.model.transfers.setState(e.transferId, 2);
  const r = e.request;
  const outcome =
    e.kind === 'upload'
      ? await uploadFile(r.URL, r.Username, r.Password, configDump(device))
      : await downloadFile(r.URL, r.Username, r.Password, e.request.FileSize);
  device.model.transfers.remove(e.transferId);
  const method = e.kind === 'upload' ? 'Upload' : e.kind === 'download' ? 'Download' : 'ScheduleDownload';
  device.requests.push(transferComplete(r.CommandKey, outcome));
  device.addEvent('7 TRANSFER COMPLETE');
  device.addEvent(`M ${method}`, r.CommandKey);
  if (e.kind !== 'upload' && outcome.fault.FaultCode === 0 && r.FileType.startsWith('1 ')) installFirmware(device, e);
  s.connect(device);
}

/** A firmware image "installs" by reboot; a version in its file name becomes the SoftwareVersion. */
function installFirmware(device: SimDevice, e: TransferEffect): void {
  const name = e.kind === 'download' ? e.request.TargetFileName || e.request.URL : e.request.URL;
  const version = /(\d+(?:\.\d+)+)/.exec(name.split('/').pop() ?? '')?.[1];
  const ref = device.model.lookup(`${device.model.root}DeviceInfo.SoftwareVersion`);
  if (version && ref !== undefined) device.model.setValue(ref, version);
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
  device.requests.push(request);
  device.addEvent('11 DU STATE CHANGE COMPLETE');
  device.addEvent('M ChangeDUState', e.request.CommandKey);
  s.later(device, BOOT_MS, () => s.connect(device));
}
