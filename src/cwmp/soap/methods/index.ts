/**
 * The dispatch table: one codec per CwmpMessage variant. The mapped type
 * makes a method missing from this table a compile error.
 */
import type { CwmpMessage, CwmpMethod } from '../types';
import { AddObject, AddObjectResponse } from './add-object';
import { AutonomousDUStateChangeComplete, AutonomousDUStateChangeCompleteResponse } from './autonomous-du-state-change-complete';
import { AutonomousTransferComplete, AutonomousTransferCompleteResponse } from './autonomous-transfer-complete';
import { CancelTransfer, CancelTransferResponse } from './cancel-transfer';
import { ChangeDUState, ChangeDUStateResponse } from './change-du-state';
import { DeleteObject, DeleteObjectResponse } from './delete-object';
import { Download, DownloadResponse } from './download';
import { DUStateChangeComplete, DUStateChangeCompleteResponse } from './du-state-change-complete';
import { FactoryReset, FactoryResetResponse } from './factory-reset';
import { Fault } from './fault';
import { GetAllQueuedTransfers, GetAllQueuedTransfersResponse } from './get-all-queued-transfers';
import { GetParameterAttributes, GetParameterAttributesResponse } from './get-parameter-attributes';
import { GetParameterNames, GetParameterNamesResponse } from './get-parameter-names';
import { GetParameterValues, GetParameterValuesResponse } from './get-parameter-values';
import { GetQueuedTransfers, GetQueuedTransfersResponse } from './get-queued-transfers';
import { GetRPCMethods, GetRPCMethodsResponse } from './get-rpc-methods';
import { Inform, InformResponse } from './inform';
import { Kicked, KickedResponse } from './kicked';
import { Reboot, RebootResponse } from './reboot';
import { RequestDownload, RequestDownloadResponse } from './request-download';
import { ScheduleDownload, ScheduleDownloadResponse } from './schedule-download';
import { ScheduleInform, ScheduleInformResponse } from './schedule-inform';
import { SetParameterAttributes, SetParameterAttributesResponse } from './set-parameter-attributes';
import { SetParameterValues, SetParameterValuesResponse } from './set-parameter-values';
import type { MethodCodec } from './shared';
import { TransferComplete, TransferCompleteResponse } from './transfer-complete';
import { Upload, UploadResponse } from './upload';

export type { MethodCodec } from './shared';

type CodecTable = { readonly [K in CwmpMethod]: MethodCodec<Extract<CwmpMessage, { method: K }>> };

const table: CodecTable = {
  GetRPCMethods, GetRPCMethodsResponse,
  SetParameterValues, SetParameterValuesResponse,
  GetParameterValues, GetParameterValuesResponse,
  GetParameterNames, GetParameterNamesResponse,
  SetParameterAttributes, SetParameterAttributesResponse,
  GetParameterAttributes, GetParameterAttributesResponse,
  AddObject, AddObjectResponse,
  DeleteObject, DeleteObjectResponse,
  Reboot, RebootResponse,
  FactoryReset, FactoryResetResponse,
  Download, DownloadResponse,
  Upload, UploadResponse,
  ScheduleInform, ScheduleInformResponse,
  ScheduleDownload, ScheduleDownloadResponse,
  CancelTransfer, CancelTransferResponse,
  ChangeDUState, ChangeDUStateResponse,
  GetQueuedTransfers, GetQueuedTransfersResponse,
  GetAllQueuedTransfers, GetAllQueuedTransfersResponse,
  Inform, InformResponse,
  TransferComplete, TransferCompleteResponse,
  AutonomousTransferComplete, AutonomousTransferCompleteResponse,
  DUStateChangeComplete, DUStateChangeCompleteResponse,
  AutonomousDUStateChangeComplete, AutonomousDUStateChangeCompleteResponse,
  RequestDownload, RequestDownloadResponse,
  Kicked, KickedResponse,
  Fault,
};

const byName: ReadonlyMap<string, MethodCodec<CwmpMessage>> = new Map(
  Object.entries(table) as [string, MethodCodec<CwmpMessage>][],
);

/** The codec for a Body entry's local name, or undefined for an unknown/unsupported method. */
export function codecFor(local: string): MethodCodec<CwmpMessage> | undefined {
  return byName.get(local);
}

/** The codec of a message (the union makes the lookup total). */
export function codecOf<M extends CwmpMessage>(message: M): MethodCodec<M> {
  return table[message.method] as unknown as MethodCodec<M>;
}

/** Every method name the codec knows, for tests and GetRPCMethodsResponse builders. */
export const CWMP_METHODS = Object.keys(table) as CwmpMethod[];
