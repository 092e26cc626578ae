/**
 * AutonomousTransferComplete (TR-069 A.3.3.3, CWMP 1.1+), CPE -> ACS for a transfer the ACS did
 * not request. In: AnnounceURL, TransferURL, IsDownload, FileType, FileSize, TargetFileName,
 * FaultStruct, StartTime, CompleteTime. Out: empty.
 */
import { bool, str, trimmed, uint } from '../codec';
import { faultStruct } from '../structs';
import type { AutonomousTransferComplete as Request, AutonomousTransferCompleteResponse as Response } from '../types';
import { noArguments, rpc } from './shared';

export const AutonomousTransferComplete = rpc<Request>('AutonomousTransferComplete', {
  AnnounceURL: trimmed,
  TransferURL: trimmed,
  IsDownload: bool,
  FileType: trimmed,
  FileSize: uint,
  TargetFileName: str,
  FaultStruct: faultStruct,
  StartTime: trimmed,
  CompleteTime: trimmed,
});
export const AutonomousTransferCompleteResponse = noArguments<Response>('AutonomousTransferCompleteResponse');
