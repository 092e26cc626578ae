/**
 * CancelTransfer (TR-069 A.4.1.9, CWMP 1.2+), ACS -> CPE. In: CommandKey. Out: empty.
 * Faults: 9021 cancel not permitted in the current state, 9001-9003.
 */
import type { CancelTransfer as Request, CancelTransferResponse as Response } from '../types';
import { commandKeyOnly, noArguments, rpc } from './shared';

export const CancelTransfer = rpc<Request>('CancelTransfer', commandKeyOnly);
export const CancelTransferResponse = noArguments<Response>('CancelTransferResponse');
