/**
 * ScheduleDownload (TR-069 A.4.1.8, CWMP 1.2+), ACS -> CPE.
 * In: CommandKey, FileType, URL, Username, Password, FileSize, TargetFileName,
 * TimeWindowList TimeWindowStruct{WindowStart, WindowEnd, WindowMode, UserMessage, MaxRetries}[1..2].
 * Out: empty. Faults: 9020 (time windows), 9010-9019, 9001-9004.
 */
import { array, int, str, struct, trimmed, uint } from '../codec';
import type { ScheduleDownload as Request, ScheduleDownloadResponse as Response, TimeWindowStruct } from '../types';
import { downloadFileFields } from './download';
import { noArguments, rpc } from './shared';

const timeWindowStruct = struct<TimeWindowStruct>({
  WindowStart: uint,
  WindowEnd: uint,
  WindowMode: trimmed,
  UserMessage: str,
  MaxRetries: int,
});

export const ScheduleDownload = rpc<Request>('ScheduleDownload', {
  ...downloadFileFields,
  TimeWindowList: array('TimeWindowStruct', 'cwmp:TimeWindowStruct', timeWindowStruct),
});
export const ScheduleDownloadResponse = noArguments<Response>('ScheduleDownloadResponse');
