/**
 * GetQueuedTransfers (TR-069 A.4.1.1, deprecated), ACS -> CPE. No arguments.
 * Out: TransferList QueuedTransferStruct{CommandKey, State 1|2|3}[0..16].
 */
import { array, struct } from '../codec';
import { queuedTransferFields } from '../structs';
import type { GetQueuedTransfers as Request, GetQueuedTransfersResponse as Response, QueuedTransferStruct } from '../types';
import { noArguments, rpc } from './shared';

export const GetQueuedTransfers = noArguments<Request>('GetQueuedTransfers');
export const GetQueuedTransfersResponse = rpc<Response>('GetQueuedTransfersResponse', {
  TransferList: array('QueuedTransferStruct', 'cwmp:QueuedTransferStruct', struct<QueuedTransferStruct>(queuedTransferFields)),
});
