/**
 * DUStateChangeComplete (TR-069 A.4.2.3, CWMP 1.2+), CPE -> ACS after ChangeDUState.
 * In: Results OpResultStruct{UUID, DeploymentUnitRef, Version, CurrentState, Resolved,
 * ExecutionUnitRefList, StartTime, CompleteTime, Fault{FaultCode, FaultString?}}[1..]
 * (repeated elements, not a SOAP array), CommandKey [0..1]. Out: empty.
 */
import { repeated, str, struct, withDefault } from '../codec';
import { opResultFields } from '../structs';
import type { DUStateChangeComplete as Request, DUStateChangeCompleteResponse as Response, OpResultStruct } from '../types';
import { noArguments, rpc } from './shared';

export const DUStateChangeComplete = rpc<Request>('DUStateChangeComplete', {
  Results: repeated(struct<OpResultStruct>(opResultFields), 1),
  CommandKey: withDefault(str, ''),
});
export const DUStateChangeCompleteResponse = noArguments<Response>('DUStateChangeCompleteResponse');
