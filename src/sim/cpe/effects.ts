/**
 * What an RPC leaves for the simulator to do after the session (or later):
 * the RPC handlers change the data model and the transfer queue right away,
 * but never reboot, transfer files or schedule anything themselves.
 */
import type { ChangeDUState, Download, ScheduleDownload, Upload } from '../../cwmp/soap/types';
import type { DiagnosticKind } from '../diagnostics/catalog';

export type Effect =
  /** Reboot after the session; the next Inform carries "1 BOOT" and "M Reboot" with this CommandKey. */
  | { readonly kind: 'reboot'; readonly CommandKey: string }
  /** Factory reset after the session (DeviceModel.reset()); the next Inform carries "0 BOOTSTRAP". */
  | { readonly kind: 'factoryReset' }
  /** Start the queued download `transferId` after DelaySeconds; TransferComplete later ("M Download"). */
  | { readonly kind: 'download'; readonly transferId: number; readonly request: Download }
  /** Start the queued upload `transferId` after DelaySeconds; TransferComplete later ("M Upload"). */
  | { readonly kind: 'upload'; readonly transferId: number; readonly request: Upload }
  /** Run the queued download `transferId` inside its time windows ("M ScheduleDownload"). */
  | { readonly kind: 'scheduleDownload'; readonly transferId: number; readonly request: ScheduleDownload }
  /** Open a session after DelaySeconds with "3 SCHEDULED" and "M ScheduleInform". */
  | { readonly kind: 'scheduleInform'; readonly DelaySeconds: number; readonly CommandKey: string }
  /** Apply the DU operations; DUStateChangeComplete later ("11 DU STATE CHANGE COMPLETE", "M ChangeDUState"). */
  | { readonly kind: 'changeDUState'; readonly request: ChangeDUState }
  /** These queued transfers were removed from the queue: drop their timers. */
  | { readonly kind: 'cancelTransfer'; readonly CommandKey: string; readonly transferIds: readonly number[] }
  /** Run the diagnostic at `path` after the session; "8 DIAGNOSTICS COMPLETE" when done, unless `run` is superseded. */
  | { readonly kind: 'diagnostic'; readonly test: DiagnosticKind; readonly path: string; readonly run: number }
  /** The diagnostic at `path` was canceled or its inputs changed: drop its timer. */
  | { readonly kind: 'cancelDiagnostic'; readonly path: string };

export type EffectKind = Effect['kind'];
