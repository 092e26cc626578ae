import type { AcsRequest, AcsResponse } from '../soap/types';
import type { HistoryEntry } from '../../db/types';
import type { SessionState } from './state';

/** The ACS methods this server implements, for GetRPCMethods (TR-069 A.3.1.1). */
export const ACS_METHODS = [
  'Inform',
  'GetRPCMethods',
  'TransferComplete',
  'AutonomousTransferComplete',
  'DUStateChangeComplete',
  'AutonomousDUStateChangeComplete',
  'RequestDownload',
  'Kicked',
];

function responseTo(request: AcsRequest): AcsResponse {
  switch (request.method) {
    case 'GetRPCMethods':
      return { method: 'GetRPCMethodsResponse', MethodList: ACS_METHODS };
    case 'Kicked':
      // No web redirection flow is configured: send the CPE where it asked to go next.
      return { method: 'KickedResponse', NextURL: request.Next };
    case 'Inform':
      return { method: 'InformResponse', MaxEnvelopes: 1 };
    default:
      return { method: `${request.method}Response` } as AcsResponse;
  }
}

/**
 * The answer to a request the CPE sends within its session (TransferComplete,
 * RequestDownload ...), and what goes to the device history, where later work
 * (firmware campaigns, tasks) picks up transfer results. Once answered, the CPE
 * never sends it again: the history is stored before the answer goes out.
 */
export function cpeRequestReply(state: SessionState, request: AcsRequest, time: number): { reply: AcsResponse; history: HistoryEntry[] } {
  const { method, ...detail } = request;
  const history = method === 'GetRPCMethods' ? [] : [{ time, kind: method, detail, sessionId: state.id }];
  return { reply: responseTo(request), history };
}
