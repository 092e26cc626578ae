/**
 * AddObject (TR-069 A.3.2.6), ACS -> CPE.
 * In: ObjectName string(256) ending in ".", ParameterKey string(32).
 * Out: InstanceNumber unsignedInt >= 1, Status 0|1. Faults: 9005, 9003, 9004, 9002, 9001.
 */
import { instanceNumber, status, str, trimmed } from '../codec';
import type { AddObject as Request, AddObjectResponse as Response } from '../types';
import { rpc } from './shared';

export const AddObject = rpc<Request>('AddObject', { ObjectName: trimmed, ParameterKey: str });
export const AddObjectResponse = rpc<Response>('AddObjectResponse', { InstanceNumber: instanceNumber, Status: status });
