/**
 * Download (TR-069 A.3.2.8), ACS -> CPE.
 * In (all 10 mandatory): CommandKey, FileType ("1 Firmware Upgrade Image", ..., "X <OUI> <name>"),
 * URL, Username, Password, FileSize, TargetFileName, DelaySeconds, SuccessURL, FailureURL.
 * Out: Status, StartTime, CompleteTime. Faults: 9010-9019, 9013 protocol, 9001-9004.
 */
import { str, trimmed, uint } from '../codec';
import type { Download as Request, DownloadResponse as Response } from '../types';
import { transferResult } from '../structs';
import { rpc } from './shared';

/** The fields Download and ScheduleDownload share (A.3.2.8, A.4.1.8). */
export const downloadFileFields = {
  CommandKey: str,
  FileType: trimmed,
  URL: trimmed,
  Username: str,
  Password: str,
  FileSize: uint,
  TargetFileName: str,
};

export const Download = rpc<Request>('Download', {
  ...downloadFileFields,
  DelaySeconds: uint,
  SuccessURL: trimmed,
  FailureURL: trimmed,
});
export const DownloadResponse = rpc<Response>('DownloadResponse', transferResult);
