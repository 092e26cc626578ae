/**
 * DeleteObject (TR-069 A.3.2.7), ACS -> CPE.
 * In: ObjectName (an instance path ending in "."), ParameterKey string(32).
 * Out: Status 0|1. Faults: 9005, 9003, 9002, 9001.
 */
import { status, str, trimmed } from '../codec';
import type { DeleteObject as Request, DeleteObjectResponse as Response } from '../types';
import { rpc } from './shared';

export const DeleteObject = rpc<Request>('DeleteObject', { ObjectName: trimmed, ParameterKey: str });
export const DeleteObjectResponse = rpc<Response>('DeleteObjectResponse', { Status: status });
