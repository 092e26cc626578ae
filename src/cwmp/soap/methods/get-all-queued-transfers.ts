/**
 * GetAllQueuedTransfers (TR-069 A.4.1.7, CWMP 1.1+), ACS -> CPE. No arguments.
 * Out: TransferList AllQueuedTransferStruct{CommandKey, State, IsDownload, FileType, FileSize,
 * TargetFileName}[0..16].
 */
import { array, bool, str, struct, trimmed, uint } from '../codec';
import { queuedTransferFields } from '../structs';
import type { AllQueuedTransferStruct, GetAllQueuedTransfers as Request, GetAllQueuedTransfersResponse as Response } from '../types';
import { noArguments, rpc } from './shared';

const allQueuedTransferStruct = struct<AllQueuedTransferStruct>({
  ...queuedTransferFields,
  IsDownload: bool,
  FileType: trimmed,
  FileSize: uint,
  TargetFileName: str,
});

export const GetAllQueuedTransfers = noArguments<Request>('GetAllQueuedTransfers');
export const GetAllQueuedTransfersResponse = rpc<Response>('GetAllQueuedTransfersResponse', {
  TransferList: array('AllQueuedTransferStruct', 'cwmp:AllQueuedTransferStruct', allQueuedTransferStruct),
});
