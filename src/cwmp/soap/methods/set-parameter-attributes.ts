/**
 * SetParameterAttributes (TR-069 A.3.2.4), ACS -> CPE.
 * In: ParameterList SetParameterAttributesStruct{Name, NotificationChange, Notification 0-6,
 * AccessListChange, AccessList string[] ("Subscriber")}[1..]. Out: empty.
 * Faults: 9009 notification rejected, 9005, 9003, 9002, 9004.
 */
import { array, bool, struct, trimmed } from '../codec';
import { notification, stringList } from '../structs';
import type { SetParameterAttributes as Request, SetParameterAttributesResponse as Response, SetParameterAttributesStruct } from '../types';
import { noArguments, rpc } from './shared';

const setParameterAttributesStruct = struct<SetParameterAttributesStruct>({
  Name: trimmed,
  NotificationChange: bool,
  Notification: notification,
  AccessListChange: bool,
  AccessList: stringList,
});

export const SetParameterAttributes = rpc<Request>('SetParameterAttributes', {
  ParameterList: array('SetParameterAttributesStruct', 'cwmp:SetParameterAttributesStruct', setParameterAttributesStruct),
});
export const SetParameterAttributesResponse = noArguments<Response>('SetParameterAttributesResponse');
