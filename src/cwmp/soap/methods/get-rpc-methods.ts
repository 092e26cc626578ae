/**
 * GetRPCMethods (TR-069 A.3.1.1): both directions; no arguments.
 * Response: MethodList string(64)[]. Faults: 9000/8000 if unsupported (never in practice).
 */
import { stringList } from '../structs';
import type { GetRPCMethods as Request, GetRPCMethodsResponse as Response } from '../types';
import { noArguments, rpc } from './shared';

export const GetRPCMethods = noArguments<Request>('GetRPCMethods');
export const GetRPCMethodsResponse = rpc<Response>('GetRPCMethodsResponse', { MethodList: stringList });
