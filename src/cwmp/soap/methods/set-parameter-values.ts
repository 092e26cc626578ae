/**
 * SetParameterValues (TR-069 A.3.2.1), ACS -> CPE.
 * In: ParameterList ParameterValueStruct[] (each Value with xsi:type), ParameterKey string(32).
 * Out: Status 0 (applied) | 1 (committed, applied later, e.g. after reboot).
 * Faults: 9003 with one SetParameterValuesFault per bad parameter (9005-9008), 9001, 9002, 9004.
 */
import { str, status } from '../codec';
import { parameterValueList } from '../structs';
import type { SetParameterValues as Request, SetParameterValuesResponse as Response } from '../types';
import { rpc } from './shared';

export const SetParameterValues = rpc<Request>('SetParameterValues', { ParameterList: parameterValueList, ParameterKey: str });
export const SetParameterValuesResponse = rpc<Response>('SetParameterValuesResponse', { Status: status });
