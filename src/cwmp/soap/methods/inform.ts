/**
 * Inform (TR-069 A.3.3.1), CPE -> ACS, opens every session.
 * In (all mandatory): DeviceId{Manufacturer, OUI, ProductClass, SerialNumber}, Event
 * EventStruct{EventCode, CommandKey}[0..64], MaxEnvelopes, CurrentTime (kept as sent: real CPEs
 * send no TZ or 0000-00-00T00:00:00), RetryCount, ParameterList ParameterValueStruct[].
 * Out: InformResponse{MaxEnvelopes} (send 1). Faults: 8005 retry later, 8006 version, 8003.
 */
import { array, str, struct, trimmed, uint } from '../codec';
import { parameterValueList } from '../structs';
import type { DeviceIdStruct, EventStruct, Inform as Request, InformResponse as Response } from '../types';
import { rpc } from './shared';

// Identity fields are trimmed: they key the device (OUI-ProductClass-SerialNumber).
const deviceIdStruct = struct<DeviceIdStruct>({
  Manufacturer: trimmed,
  OUI: trimmed,
  ProductClass: trimmed,
  SerialNumber: trimmed,
});

const eventStruct = struct<EventStruct>({ EventCode: trimmed, CommandKey: str });

export const Inform = rpc<Request>('Inform', {
  DeviceId: deviceIdStruct,
  Event: array('EventStruct', 'cwmp:EventStruct', eventStruct),
  MaxEnvelopes: uint,
  CurrentTime: trimmed,
  RetryCount: uint,
  ParameterList: parameterValueList,
});
export const InformResponse = rpc<Response>('InformResponse', { MaxEnvelopes: uint });
