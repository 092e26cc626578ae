/**
 * GetParameterValues (TR-069 A.3.2.2), ACS -> CPE.
 * In: ParameterNames string(256)[] (a path ending in "." means the subtree).
 * Out: ParameterList ParameterValueStruct[]. Faults: 9005 invalid name, 9002, 9003, 9004.
 */
import { parameterValueList, stringList } from '../structs';
import type { GetParameterValues as Request, GetParameterValuesResponse as Response } from '../types';
import { rpc } from './shared';

export const GetParameterValues = rpc<Request>('GetParameterValues', { ParameterNames: stringList });
export const GetParameterValuesResponse = rpc<Response>('GetParameterValuesResponse', { ParameterList: parameterValueList });
