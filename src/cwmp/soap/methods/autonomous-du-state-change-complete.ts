/**
 * AutonomousDUStateChangeComplete (TR-069 A.4.2.4, CWMP 1.2+), CPE -> ACS.
 * In: Results AutonOpResultStruct (OpResultStruct + OperationPerformed "Install" | "Update" |
 * "Uninstall")[1..], repeated elements. Out: empty.
 */
import { repeated, struct, trimmed } from '../codec';
import { opResultFields } from '../structs';
import type {
  AutonOpResultStruct,
  AutonomousDUStateChangeComplete as Request,
  AutonomousDUStateChangeCompleteResponse as Response,
} from '../types';
import { noArguments, rpc } from './shared';

const autonOpResultStruct = struct<AutonOpResultStruct>({ ...opResultFields, OperationPerformed: trimmed });

export const AutonomousDUStateChangeComplete = rpc<Request>('AutonomousDUStateChangeComplete', {
  Results: repeated(autonOpResultStruct, 1),
});
export const AutonomousDUStateChangeCompleteResponse = noArguments<Response>('AutonomousDUStateChangeCompleteResponse');
