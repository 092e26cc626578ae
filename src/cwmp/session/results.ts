import type { CpeRequest, CpeResponse, Fault } from '../soap/types';
import type { CacheOp } from '../../db/types';
import { MAX_PATH_LENGTH } from '../../db/paths';
import type { InFlightRequest, SessionLogEntry } from './state';

/**
 * What a CPE's answer teaches us about its data model. A write the CPE
 * accepted is as good as a read: the cache takes the values we sent.
 */
function cacheOpOf(request: CpeRequest, response: CpeResponse, time: number): CacheOp | null {
  response = withinLimits(response);
  switch (response.method) {
    case 'GetParameterValuesResponse':
      return { op: 'values', parameters: response.ParameterList, time };
    case 'GetParameterNamesResponse':
      if (request.method !== 'GetParameterNames') return null;
      return { op: 'names', path: request.ParameterPath, nextLevel: request.NextLevel, parameters: response.ParameterList, time };
    case 'GetParameterAttributesResponse':
      return { op: 'attributes', parameters: response.ParameterList, time };
    case 'SetParameterValuesResponse':
      return request.method === 'SetParameterValues' ? { op: 'values', parameters: request.ParameterList, time } : null;
    case 'SetParameterAttributesResponse':
      return request.method === 'SetParameterAttributes' ? setAttributesOp(request.ParameterList, time) : null;
    case 'AddObjectResponse':
      if (request.method !== 'AddObject') return null;
      return { op: 'add-instance', path: `${request.ObjectName}${response.InstanceNumber}.`, time };
    case 'DeleteObjectResponse':
      return request.method === 'DeleteObject' ? { op: 'delete-subtree', path: request.ObjectName, time } : null;
    default:
      return null;
  }
}

function setAttributesOp(list: Extract<CpeRequest, { method: 'SetParameterAttributes' }>['ParameterList'], time: number): CacheOp {
  const parameters = list.map((p) => ({
    Name: p.Name,
    ...(p.NotificationChange ? { Notification: p.Notification } : {}),
    ...(p.AccessListChange ? { AccessList: p.AccessList } : {}),
  }));
  return { op: 'set-attributes', parameters, time };
}

/** Entries whose path the store cannot keep are dropped, rather than let them fail the whole session's commit. */
function withinLimits(response: CpeResponse): CpeResponse {
  if (!('ParameterList' in response)) return response;
  const list = response.ParameterList as { Name: string }[];
  if (list.every((p) => p.Name.length <= MAX_PATH_LENGTH)) return response;
  return { ...response, ParameterList: list.filter((p) => p.Name.length <= MAX_PATH_LENGTH) } as CpeResponse;
}

/**
 * Responses that say more than "done" (transfer status, queued transfers, a
 * change applied only after a reboot ...) go to the device history; a bare
 * Status 0 is "done" (the cache op or the task keeps what was done).
 */
function historyDetail(response: CpeResponse): unknown {
  const { method, ...rest } = response;
  if (method === 'GetParameterValuesResponse' || method === 'GetParameterNamesResponse') return undefined;
  if (method === 'GetParameterAttributesResponse') return undefined;
  const keys = Object.keys(rest);
  if (keys.length === 0 || (keys.length === 1 && 'Status' in rest && rest.Status === 0)) return undefined;
  return rest;
}

/** The log entries for a request the CPE answered. */
export function entriesForResponse(
  sent: InFlightRequest,
  response: CpeResponse,
  sessionId: string,
  time: number,
): SessionLogEntry[] {
  const out: SessionLogEntry[] = [];
  const op = cacheOpOf(sent.request, response, time);
  if (op) out.push({ t: 'op', op });
  const detail = historyDetail(response);
  if (detail !== undefined) out.push({ t: 'history', entry: { time, kind: response.method, detail, sessionId } });
  return out;
}

/**
 * The log entries for a request the CPE refused with a fault: recorded in the
 * device's fault log, and its task finished as faulted. The engine's own
 * requests are not recorded here: the engine recovers from their faults (a 9005 while probing) or turns them into
 * a fault of the channel that wanted them.
 */
export function entriesForFault(sent: InFlightRequest, fault: Fault, time: number): SessionLogEntry[] {
  if (sent.engine) return [];
  const detail = fault.SetParameterValuesFault ? { detail: fault.SetParameterValuesFault } : {};
  const record = {
    requestId: sent.id,
    request: sent.request,
    code: fault.FaultCode,
    message: fault.FaultString,
    ...detail,
    time,
  };
  const out: SessionLogEntry[] = [{ t: 'fault', fault: record }];
  if (sent.id !== null) out.push({ t: 'task', outcome: { id: sent.id, status: 'fault', fault: { code: record.code, message: record.message, ...detail } } });
  return out;
}
