/**
 * The simulated CPE's answer to one ACS request: pure, no I/O.
 *
 * handleRequest applies what the RPC changes in the device view right away
 * (values, attributes, instances, ParameterKey, the transfer queue) and
 * returns the response or Fault plus the {@link Effect}s the simulator carries
 * out after the session (reboot, factory reset, transfers, scheduled informs).
 */
import type { CpeRequest, GetRPCMethodsResponse, ScheduleInform } from '../../cwmp/soap/types';
import type { DeviceModel } from '../model/device';
import { getParameterAttributes, setParameterAttributes } from './attributes';
import { fail } from './cpe-faults';
import { diagnosticEffects } from './diagnostics';
import { injectedSpvFault } from './fault-injection';
import { addObject, deleteObject } from './objects';
import { CPE_METHODS, type LiveValues, type RpcContext, type RpcOptions, type RpcResult } from './options';
import { getParameterNames, getParameterValues, setParameterValues } from './parameters';
import {
  cancelTransfer,
  changeDUState,
  download,
  getAllQueuedTransfers,
  getQueuedTransfers,
  scheduleDownload,
  upload,
} from './transfers';

const NO_OPTIONS: RpcOptions = {};

function isDisabled(options: RpcOptions, method: string): boolean {
  const d = options.disabledMethods;
  if (!d) return false;
  return Array.isArray(d) ? d.includes(method) : (d as ReadonlySet<string>).has(method);
}

/** The methods GetRPCMethods lists: every implemented one minus the disabled. */
export function supportedMethods(options: RpcOptions = NO_OPTIONS): string[] {
  return CPE_METHODS.filter((m) => !isDisabled(options, m));
}

function scheduleInform(options: RpcOptions, req: ScheduleInform): RpcResult {
  if (!(req.DelaySeconds > 0)) return { response: fail(options, 9003, 'DelaySeconds must be greater than 0'), effects: [] };
  if (req.CommandKey.length > 32) return { response: fail(options, 9003, 'CommandKey longer than 32 characters'), effects: [] };
  return {
    response: { method: 'ScheduleInformResponse' },
    effects: [{ kind: 'scheduleInform', DelaySeconds: req.DelaySeconds, CommandKey: req.CommandKey }],
  };
}

/** Answers one request the ACS sent to the device; `live` gives the values it computes when read (counters). */
export function handleRequest(device: DeviceModel, request: CpeRequest, options: RpcOptions = NO_OPTIONS, live?: LiveValues): RpcResult {
  if (isDisabled(options, request.method)) return { response: fail(options, 9000, request.method), effects: [] };
  const ctx: RpcContext = { device, options, live };
  const only = (response: RpcResult['response']): RpcResult => ({ response, effects: [] });
  switch (request.method) {
    case 'GetRPCMethods': {
      const response: GetRPCMethodsResponse = { method: 'GetRPCMethodsResponse', MethodList: supportedMethods(options) };
      return only(response);
    }
    case 'GetParameterNames':
      return only(getParameterNames(ctx, request));
    case 'GetParameterValues':
      return only(getParameterValues(ctx, request));
    case 'SetParameterValues': {
      const injected = injectedSpvFault(options, request);
      if (injected) return only(injected);
      const response = setParameterValues(ctx, request);
      return { response, effects: response.method === 'Fault' ? [] : diagnosticEffects(device, request.ParameterList) };
    }
    case 'GetParameterAttributes':
      return only(getParameterAttributes(ctx, request));
    case 'SetParameterAttributes':
      return only(setParameterAttributes(ctx, request));
    case 'AddObject':
      return only(addObject(ctx, request));
    case 'DeleteObject':
      return only(deleteObject(ctx, request));
    case 'Reboot':
      if (request.CommandKey.length > 32) return only(fail(options, 9003, 'CommandKey longer than 32 characters'));
      return { response: { method: 'RebootResponse' }, effects: [{ kind: 'reboot', CommandKey: request.CommandKey }] };
    case 'FactoryReset':
      return { response: { method: 'FactoryResetResponse' }, effects: [{ kind: 'factoryReset' }] };
    case 'Download':
      return download(ctx, request);
    case 'Upload':
      return upload(ctx, request);
    case 'ScheduleInform':
      return scheduleInform(options, request);
    case 'ScheduleDownload':
      return scheduleDownload(ctx, request);
    case 'CancelTransfer':
      return cancelTransfer(ctx, request);
    case 'ChangeDUState':
      return changeDUState(ctx, request);
    case 'GetQueuedTransfers':
      return only(getQueuedTransfers(ctx));
    case 'GetAllQueuedTransfers':
      return only(getAllQueuedTransfers(ctx));
    default: {
      // A method this switch does not know (a newer CpeRequest member, or a decoder passing one through).
      const unknown: { method: string } = request;
      return only(fail(options, 9000, unknown.method));
    }
  }
}
