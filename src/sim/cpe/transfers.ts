/**
 * File transfers and software modules: Download, Upload, ScheduleDownload,
 * CancelTransfer, GetQueuedTransfers, GetAllQueuedTransfers, ChangeDUState
 * (TR-069 A.3.2.8, A.4.1).
 */
import type {
  CancelTransfer,
  CancelTransferResponse,
  ChangeDUState,
  ChangeDUStateResponse,
  Download,
  DownloadResponse,
  Fault,
  GetAllQueuedTransfersResponse,
  GetQueuedTransfersResponse,
  ScheduleDownload,
  ScheduleDownloadResponse,
  Upload,
  UploadResponse,
} from '../../cwmp/soap/types';
import { UNKNOWN_TIME } from '../model/types';
import type { Effect } from './effects';
import { fail } from './cpe-faults';
import type { RpcContext, RpcOptions, RpcResult } from './options';

const DEFAULT_SCHEMES = ['http', 'https', 'ftp'];
/** "1 Firmware Upgrade Image", "X 00D09E Vendor thing", ... */
const FILE_TYPE = /^(?:\d+ \S.*|X \S+ \S.*)$/;
const WINDOW_MODES = new Set(['1 At Any Time', '2 Immediately', '3 When Idle', '4 Confirmation Needed']);
const VENDOR_MODE = /^X \S+ \S.*$/;

function invalid(options: RpcOptions, message: string): Fault {
  return fail(options, 9003, message);
}

/** The checks shared by Download, Upload and ScheduleDownload; undefined when the request is acceptable. */
function checkTransfer({ device, options }: RpcContext, req: Download | Upload | ScheduleDownload): Fault | undefined {
  if (req.CommandKey.length > 32) return invalid(options, 'CommandKey longer than 32 characters');
  if (!FILE_TYPE.test(req.FileType) || req.FileType.length > 64) return invalid(options, `Invalid FileType "${req.FileType}"`);
  if (req.URL === '' || req.URL.length > 256) return invalid(options, 'URL empty or longer than 256 characters');
  let scheme: string;
  try {
    scheme = new URL(req.URL).protocol.replace(/:$/, '').toLowerCase();
  } catch {
    return invalid(options, `Invalid URL "${req.URL}"`);
  }
  if (!(options.transferSchemes ?? DEFAULT_SCHEMES).includes(scheme)) {
    return fail(options, 9013, scheme);
  }
  if (req.Username.length > 256 || req.Password.length > 256) return invalid(options, 'Username or Password longer than 256 characters');
  if (req.method !== 'Upload' && req.TargetFileName.length > 256) return invalid(options, 'TargetFileName longer than 256 characters');
  if (device.queuedTransferCount >= (options.maxQueuedTransfers ?? 16)) return fail(options, 9004, 'transfer queue full');
  return undefined;
}

/** Queues the download; Status 1 (TransferComplete follows), times unknown. */
export function download(ctx: RpcContext, req: Download): RpcResult {
  const bad = checkTransfer(ctx, req);
  if (bad) return { response: bad, effects: [] };
  const t = ctx.device.transfers.add(req);
  const response: DownloadResponse = { method: 'DownloadResponse', Status: 1, StartTime: UNKNOWN_TIME, CompleteTime: UNKNOWN_TIME };
  return { response, effects: [{ kind: 'download', transferId: t.id, request: req }] };
}

/** Queues the upload; Status 1 (TransferComplete follows), times unknown. */
export function upload(ctx: RpcContext, req: Upload): RpcResult {
  const bad = checkTransfer(ctx, req);
  if (bad) return { response: bad, effects: [] };
  const t = ctx.device.transfers.add(req);
  const response: UploadResponse = { method: 'UploadResponse', Status: 1, StartTime: UNKNOWN_TIME, CompleteTime: UNKNOWN_TIME };
  return { response, effects: [{ kind: 'upload', transferId: t.id, request: req }] };
}

/**
 * TimeWindowList must hold 1 or 2 windows, each with WindowEnd >= WindowStart,
 * a standard (or "X <OUI> ...") WindowMode and MaxRetries >= -1; a second
 * window may not start before the first ends.
 */
export function scheduleDownload(ctx: RpcContext, req: ScheduleDownload): RpcResult {
  const failed = (f: Fault): RpcResult => ({ response: f, effects: [] });
  const windows = req.TimeWindowList;
  if (windows.length < 1 || windows.length > 2) return failed(invalid(ctx.options, 'TimeWindowList must hold 1 or 2 windows'));
  for (const w of windows) {
    if (w.WindowEnd < w.WindowStart) return failed(invalid(ctx.options, 'WindowEnd before WindowStart'));
    if (!WINDOW_MODES.has(w.WindowMode) && !VENDOR_MODE.test(w.WindowMode)) return failed(invalid(ctx.options, `Invalid WindowMode "${w.WindowMode}"`));
    if (w.MaxRetries < -1) return failed(invalid(ctx.options, 'MaxRetries below -1'));
    if (w.UserMessage.length > 256) return failed(invalid(ctx.options, 'UserMessage longer than 256 characters'));
  }
  if (windows.length === 2 && windows[1].WindowStart < windows[0].WindowEnd) return failed(invalid(ctx.options, 'Time windows overlap'));
  const bad = checkTransfer(ctx, req);
  if (bad) return failed(bad);
  const t = ctx.device.transfers.add(req);
  const response: ScheduleDownloadResponse = { method: 'ScheduleDownloadResponse' };
  return { response, effects: [{ kind: 'scheduleDownload', transferId: t.id, request: req }] };
}

/**
 * Removes the not-yet-started transfers with this CommandKey. Fault 9021 if
 * any of them is in progress or completed (none is removed then), 9003 if no
 * queued transfer has that CommandKey.
 */
export function cancelTransfer({ device, options }: RpcContext, req: CancelTransfer): RpcResult {
  const matches = device.queuedTransferCount === 0 ? [] : device.transfers.byCommandKey(req.CommandKey);
  if (matches.length === 0) return { response: fail(options, 9003, `no queued transfer with CommandKey "${req.CommandKey}"`), effects: [] };
  if (matches.some((t) => t.State !== 1)) return { response: fail(options, 9021, 'a transfer with this CommandKey has started'), effects: [] };
  for (const t of matches) device.transfers.remove(t.id);
  const response: CancelTransferResponse = { method: 'CancelTransferResponse' };
  return { response, effects: [{ kind: 'cancelTransfer', CommandKey: req.CommandKey, transferIds: matches.map((t) => t.id) }] };
}

export function getQueuedTransfers({ device }: RpcContext): GetQueuedTransfersResponse {
  const list = device.queuedTransferCount === 0 ? [] : device.transfers.list();
  return { method: 'GetQueuedTransfersResponse', TransferList: list.map((t) => ({ CommandKey: t.CommandKey, State: t.State })) };
}

export function getAllQueuedTransfers({ device }: RpcContext): GetAllQueuedTransfersResponse {
  const list = device.queuedTransferCount === 0 ? [] : device.transfers.list();
  return {
    method: 'GetAllQueuedTransfersResponse',
    TransferList: list.map((t) => ({
      CommandKey: t.CommandKey,
      State: t.State,
      IsDownload: t.IsDownload,
      FileType: t.FileType,
      FileSize: t.FileSize,
      TargetFileName: t.TargetFileName,
    })),
  };
}

/**
 * At least one operation; Install needs a URL, Uninstall a UUID. The work
 * (and DUStateChangeComplete) is the simulator's.
 */
export function changeDUState({ options }: RpcContext, req: ChangeDUState): RpcResult {
  const refuse = (m: string): RpcResult => ({ response: invalid(options, m), effects: [] });
  if (req.Operations.length === 0) return refuse('Operations is empty');
  if (req.CommandKey.length > 32) return refuse('CommandKey longer than 32 characters');
  for (const op of req.Operations) {
    if (op.op === 'Install' && (op.URL === '' || op.URL.length > 1024)) return refuse('Install without a URL');
    if (op.op === 'Uninstall' && op.UUID === '') return refuse('Uninstall without a UUID');
  }
  const response: ChangeDUStateResponse = { method: 'ChangeDUStateResponse' };
  const effect: Effect = { kind: 'changeDUState', request: req };
  return { response, effects: [effect] };
}
