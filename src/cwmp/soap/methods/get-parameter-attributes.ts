/**
 * GetParameterAttributes (TR-069 A.3.2.5), ACS -> CPE.
 * In: ParameterNames string(256)[]. Out: ParameterList ParameterAttributeStruct{Name,
 * Notification, AccessList}[]. Faults: 9005, 9003, 9002, 9004.
 */
import { array, struct, trimmed } from '../codec';
import { notification, stringList } from '../structs';
import type { GetParameterAttributes as Request, GetParameterAttributesResponse as Response, ParameterAttributeStruct } from '../types';
import { rpc } from './shared';

const parameterAttributeStruct = struct<ParameterAttributeStruct>({ Name: trimmed, Notification: notification, AccessList: stringList });

export const GetParameterAttributes = rpc<Request>('GetParameterAttributes', { ParameterNames: stringList });
export const GetParameterAttributesResponse = rpc<Response>('GetParameterAttributesResponse', {
  ParameterList: array('ParameterAttributeStruct', 'cwmp:ParameterAttributeStruct', parameterAttributeStruct),
});
