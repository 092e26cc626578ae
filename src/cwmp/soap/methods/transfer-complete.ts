/**
 * TransferComplete (TR-069 A.3.3.2), CPE -> ACS after Download/Upload/ScheduleDownload.
 * In: CommandKey (echoes the RPC's), FaultStruct{FaultCode 0 | 9001 | 9002 | 9010-9020, FaultString},
 * StartTime, CompleteTime. Out: empty. Faults: 8002, 8005.
 */
import { str, trimmed } from '../codec';
import { faultStruct } from '../structs';
import type { TransferComplete as Request, TransferCompleteResponse as Response } from '../types';
import { noArguments, rpc } from './shared';

export const TransferComplete = rpc<Request>('TransferComplete', {
  CommandKey: str,
  FaultStruct: faultStruct,
  StartTime: trimmed,
  CompleteTime: trimmed,
});
export const TransferCompleteResponse = noArguments<Response>('TransferCompleteResponse');
