/**
 * File transfers and software modules (TR-069 A.3.2.8-9, A.4.1.5-10):
 * download, upload, scheduleDownload, cancelTransfer, changeDUState. Every
 * string is checked against its schema length; the CommandKey is the
 * operator's or a random one, kept in the args so a retried task sends the
 * same key the CPE's TransferComplete will quote.
 */
import { z } from 'zod';
import type { Download, TimeWindowStruct } from '../cwmp/soap/types';
import { commandKeyText, keyText, nameText, numbered, unsignedIntShape } from './body-shapes';
import {
  array, bad, commandKey, int, MAX_KEY, MAX_NAME, object, onlyFields, optionalText, optionalUnsignedInt, optionalUrl, show, text,
  unsignedInt, url, type Body,
} from './fields';
import { downloadFileType, uploadFileType, windowMode } from './file-types';
import { kind, type TaskKind, type TaskLookup } from './kind';

/** What Download and ScheduleDownload share. */
interface FileArgs {
  fileType: string;
  url: string;
  /** The file store's name, when the URL came from it. */
  fileName?: string;
  fileSize: number;
  targetFileName: string;
  username: string;
  password: string;
  commandKey: string;
}

/** The body fields Download and ScheduleDownload share: url, or fileName (file) from the file store. */
const FILE_FIELDS = {
  fileType: numbered.meta({ description: '"1 Firmware Upgrade Image" ... "5 Ringer File", the number alone, or a vendor\'s "X <OUI> <name>"' }),
  url: nameText.optional().meta({ description: 'where the CPE fetches the file (http, https or ftp); or give fileName' }),
  fileName: nameText.optional().meta({ description: 'a file of the file store (PUT /files/{name}): its URL for the CPE' }),
  file: nameText.optional().meta({ description: 'fileName\'s other name' }),
  fileSize: unsignedIntShape.optional(),
  targetFileName: nameText.optional(),
  username: nameText.optional(),
  password: nameText.optional(),
  commandKey: commandKeyText,
};

const SECONDS = unsignedIntShape.optional().meta({ description: 'seconds from now' });

function fileArgs(b: Body, lookup: TaskLookup): FileArgs {
  return {
    fileType: downloadFileType(b.fileType),
    ...source(b, lookup),
    fileSize: optionalUnsignedInt(b.fileSize, 'fileSize'),
    targetFileName: optionalText(b.targetFileName, 'targetFileName', MAX_NAME),
    username: optionalText(b.username, 'username', MAX_NAME),
    password: optionalText(b.password, 'password', MAX_NAME),
    commandKey: commandKey(b.commandKey),
  };
}

/**
 * url, or fileName ("file" in GenieACS's older examples) resolved by the file
 * store. A stored task carries both; its url is then taken as resolved.
 */
function source(b: Body, lookup: TaskLookup): { url: string; fileName?: string } {
  if (b.fileName !== undefined && b.file !== undefined) bad('give fileName or file, not both');
  const nameField = b.fileName !== undefined ? 'fileName' : 'file';
  if (b[nameField] === undefined) return { url: url(b.url, 'url') };
  const fileName = text(b[nameField], nameField, MAX_NAME);
  if (fileName === '') bad(`${nameField} must not be empty`);
  if (!lookup.fileUrl) {
    if (b.url !== undefined) return { url: url(b.url, 'url'), fileName };
    bad(`${nameField}: this ACS has no file store to resolve ${show(fileName)}; give url instead`);
  }
  const resolved = lookup.fileUrl(fileName);
  if (resolved === undefined) bad(`${nameField}: no file named ${show(fileName)} in the file store`);
  if (b.url !== undefined && b.url !== resolved) bad(`url ${show(b.url)} does not match the file store's URL for ${show(fileName)}; give one of them`);
  return { url: url(resolved, `${nameField} (resolved URL)`), fileName };
}

/** The arguments Download and ScheduleDownload share (A.3.2.8, A.4.1.8), in the order the schema lists them. */
function fileFields(a: FileArgs): Pick<Download, 'CommandKey' | 'FileType' | 'URL' | 'Username' | 'Password' | 'FileSize' | 'TargetFileName'> {
  return {
    CommandKey: a.commandKey,
    FileType: a.fileType,
    URL: a.url,
    Username: a.username,
    Password: a.password,
    FileSize: a.fileSize,
    TargetFileName: a.targetFileName,
  };
}

type DownloadArgs = FileArgs & { delaySeconds: number; successUrl: string; failureUrl: string };

export const download = kind<DownloadArgs>({
  body: { ...FILE_FIELDS, delaySeconds: SECONDS, successUrl: nameText.optional(), failureUrl: nameText.optional() },
  example: { fileType: '1 Firmware Upgrade Image', fileName: 'fw-1.2.bin' },
  normalize: (b, lookup) => ({
    ...fileArgs(b, lookup),
    delaySeconds: optionalUnsignedInt(b.delaySeconds, 'delaySeconds'),
    successUrl: optionalUrl(b.successUrl, 'successUrl'),
    failureUrl: optionalUrl(b.failureUrl, 'failureUrl'),
  }),
  request: (a) => ({
    method: 'Download',
    ...fileFields(a),
    DelaySeconds: a.delaySeconds,
    SuccessURL: a.successUrl,
    FailureURL: a.failureUrl,
  }),
});

interface UploadArgs {
  fileType: string;
  url: string;
  /** The file store's name the upload is stored under, when the URL came from it. */
  fileName?: string;
  username: string;
  password: string;
  delaySeconds: number;
  commandKey: string;
}

export const upload = kind<UploadArgs>({
  body: {
    fileType: numbered.meta({ description: '"1 Vendor Configuration File", "2 Vendor Log File", the number alone, "3 Vendor Configuration File <i>", "4 Vendor Log File <i>"' }),
    url: nameText.optional().meta({ description: 'where the CPE sends the file (http, https or ftp); or give fileName' }),
    fileName: nameText.optional().meta({ description: 'store the file in the file store under this name (GET /files?deviceKey=...): the CPE gets a single-use upload URL of its own' }),
    username: nameText.optional(),
    password: nameText.optional(),
    delaySeconds: SECONDS,
    commandKey: commandKeyText,
  },
  example: { fileType: '1 Vendor Configuration File', fileName: 'backup-00D09E-HG8245-1234.cfg' },
  normalize: (b, lookup) => ({
    fileType: uploadFileType(b.fileType),
    ...destination(b, lookup),
    username: optionalText(b.username, 'username', MAX_NAME),
    password: optionalText(b.password, 'password', MAX_NAME),
    delaySeconds: optionalUnsignedInt(b.delaySeconds, 'delaySeconds'),
    commandKey: commandKey(b.commandKey),
  }),
  request: (a) => ({
    method: 'Upload',
    CommandKey: a.commandKey,
    FileType: a.fileType,
    URL: a.url,
    Username: a.username,
    Password: a.password,
    DelaySeconds: a.delaySeconds,
  }),
});

/**
 * url, or fileName: the file store's single-use upload URL for the device
 * (lookup.uploadUrl). With fileName, a url beside it (a task read back and
 * posted again carries the spent one) is replaced.
 */
function destination(b: Body, lookup: TaskLookup): { url: string; fileName?: string } {
  if (b.fileName === undefined) return { url: url(b.url, 'url') };
  const fileName = text(b.fileName, 'fileName', MAX_NAME);
  if (fileName === '') bad('fileName must not be empty');
  if (!lookup.uploadUrl) bad(`fileName: this ACS has no file store to keep ${show(fileName)} in; give url instead`);
  return { url: url(lookup.uploadUrl(fileName), 'fileName (upload URL)'), fileName };
}

/** A time window as stored (TimeWindowStruct, camelCase). */
interface TimeWindow {
  windowStart: number;
  windowEnd: number;
  windowMode: string;
  userMessage: string;
  maxRetries: number;
}

/** One of timeWindows (TimeWindowStruct, camelCase); seconds from the request. */
const TIME_WINDOW = z.strictObject({
  windowStart: unsignedIntShape,
  windowEnd: unsignedIntShape,
  windowMode: numbered.meta({ description: '"1 At Any Time", "2 Immediately", "3 When Idle", "4 Confirmation Needed", or the number alone' }),
  userMessage: nameText.optional(),
  maxRetries: z.union([z.int().min(-1).max(0x7fffffff), z.string().regex(/^-?\d+$/, { error: 'must be an integer from -1' })]).optional().meta({ description: '-1 (the default): the CPE chooses' }),
});

export const scheduleDownload = kind<FileArgs & { timeWindows: TimeWindow[] }>({
  body: { ...FILE_FIELDS, timeWindows: z.array(TIME_WINDOW).min(1).max(2) },
  example: { fileType: '1 Firmware Upgrade Image', fileName: 'fw-1.2.bin', timeWindows: [{ windowStart: 0, windowEnd: 3600, windowMode: '1 At Any Time' }] },
  normalize: (b, lookup) => ({ ...fileArgs(b, lookup), timeWindows: timeWindows(b.timeWindows) }),
  request: (a) => ({
    method: 'ScheduleDownload',
    ...fileFields(a),
    TimeWindowList: a.timeWindows.map(windowStruct),
  }),
});

/** One or two windows, seconds from the request; each ends no earlier than it starts, the second starts after the first ends (A.4.1.8). */
function timeWindows(value: unknown): TimeWindow[] {
  const windows = array(value, 'timeWindows', 1, 2).map((w, i) => timeWindow(w, `timeWindows[${i}]`));
  if (windows.length === 2 && windows[1].windowStart < windows[0].windowEnd) {
    bad('timeWindows[1].windowStart must not be before timeWindows[0].windowEnd (windows must not overlap)');
  }
  return windows;
}

function timeWindow(value: unknown, field: string): TimeWindow {
  const w = object(value, field);
  onlyFields(w, Object.keys(TIME_WINDOW.shape), field);
  const window: TimeWindow = {
    windowStart: unsignedInt(w.windowStart, `${field}.windowStart`),
    windowEnd: unsignedInt(w.windowEnd, `${field}.windowEnd`),
    windowMode: windowMode(w.windowMode, `${field}.windowMode`),
    userMessage: optionalText(w.userMessage, `${field}.userMessage`, MAX_NAME),
    // -1: the CPE chooses how many times to retry.
    maxRetries: w.maxRetries === undefined ? -1 : int(w.maxRetries, `${field}.maxRetries`, -1),
  };
  if (window.windowEnd < window.windowStart) bad(`${field}.windowEnd must not be before windowStart`);
  return window;
}

function windowStruct(w: TimeWindow): TimeWindowStruct {
  return { WindowStart: w.windowStart, WindowEnd: w.windowEnd, WindowMode: w.windowMode, UserMessage: w.userMessage, MaxRetries: w.maxRetries };
}

export const cancelTransfer = kind<{ commandKey: string }>({
  body: { commandKey: keyText.meta({ description: 'the CommandKey of the Download or Upload to cancel' }) },
  example: { commandKey: 'fw-1.2' },
  normalize: (b) => {
    if (b.commandKey === undefined) bad('commandKey is required: the CommandKey of the Download/Upload to cancel');
    return { commandKey: text(b.commandKey, 'commandKey', MAX_KEY) };
  },
  request: (a) => ({ method: 'CancelTransfer', CommandKey: a.commandKey }),
});

export const TRANSFER_TASKS: Record<string, TaskKind> = { download, upload, scheduleDownload, cancelTransfer };
