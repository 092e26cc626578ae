/**
 * GetParameterAttributes and SetParameterAttributes (TR-069 A.3.2.4-5).
 * Attributes belong to parameters: a partial path stands for every parameter
 * below it.
 */
import type {
  Fault,
  GetParameterAttributes,
  GetParameterAttributesResponse,
  NotificationLevel,
  ParameterAttributeStruct,
  SetParameterAttributes,
  SetParameterAttributesResponse,
  SetParameterAttributesStruct,
} from '../../cwmp/soap/types';
import type { DeviceModel, NodeRef } from '../model/device';
import { ActiveNotify } from '../model/types';
import { fail } from './cpe-faults';
import type { RpcContext } from './options';
import { isPartialPath, resolveParameter, resolvePartial } from './parameters';

/** The only AccessList entry TR-069 defines. */
const ACCESS_ENTRIES = new Set(['Subscriber']);

/** The parameters a name stands for, or undefined if it names nothing. */
function parametersOf(device: DeviceModel, name: string): NodeRef[] | undefined {
  if (!isPartialPath(name)) {
    const ref = resolveParameter(device, name);
    return ref === undefined ? undefined : [ref];
  }
  const tops = resolvePartial(device, name);
  if (!tops) return undefined;
  const out: NodeRef[] = [];
  for (const top of tops) {
    device.walk(top, (ref) => {
      if (!device.isObject(ref)) out.push(ref);
    });
  }
  return out;
}

export function getParameterAttributes({ device, options }: RpcContext, req: GetParameterAttributes): GetParameterAttributesResponse | Fault {
  const out: ParameterAttributeStruct[] = [];
  for (const name of req.ParameterNames) {
    const refs = parametersOf(device, name);
    if (!refs) return fail(options, 9005, name);
    for (const ref of refs) {
      const a = device.attributesOf(ref);
      out.push({ Name: device.pathOf(ref), Notification: a.notification, AccessList: [...a.accessList] });
    }
  }
  return { method: 'GetParameterAttributesResponse', ParameterList: out };
}

/** Why the device refuses a Notification value for a parameter (its activeNotify policy), or undefined. */
function refusal(device: DeviceModel, ref: NodeRef, n: NotificationLevel): string | undefined {
  const policy = device.policyOf(ref);
  if (policy === ActiveNotify.forceEnabled && n !== 2) return `${device.pathOf(ref)} always has active notification`;
  if (policy === ActiveNotify.canDeny && n === 2) return `${device.pathOf(ref)} does not support active notification`;
  return undefined;
}

/**
 * All structs are checked before any is applied: 9005 unknown name, 9003
 * Notification outside 0-6 (or 3-6 without lightweight notification support)
 * or an AccessList entry other than "Subscriber", 9009 a Notification the
 * parameter's activeNotify policy refuses (active on a counter, off on a
 * forced one). Under a partial path, parameters that would refuse keep their
 * Notification.
 */
export function setParameterAttributes({ device, options }: RpcContext, req: SetParameterAttributes): SetParameterAttributesResponse | Fault {
  const plan: Array<[SetParameterAttributesStruct, NodeRef[]]> = [];
  for (const s of req.ParameterList) {
    const refs = parametersOf(device, s.Name);
    if (!refs) return fail(options, 9005, s.Name);
    if (s.NotificationChange) {
      const n = s.Notification as number;
      if (!Number.isInteger(n) || n < 0 || n > 6) return fail(options, 9003, `Notification ${n} is not 0-6`);
      if (n > 2 && !options.lightweightNotifications) return fail(options, 9003, `Notification ${n} (lightweight) is not supported`);
      if (!isPartialPath(s.Name)) {
        const why = refusal(device, refs[0], s.Notification);
        if (why) return fail(options, 9009, why);
      }
    }
    if (s.AccessListChange) {
      const bad = s.AccessList.find((e) => !ACCESS_ENTRIES.has(e));
      if (bad !== undefined) return fail(options, 9003, `Unknown AccessList entry "${bad}"`);
    }
    plan.push([s, refs]);
  }
  for (const [s, refs] of plan) {
    for (const ref of refs) {
      const current = device.attributesOf(ref);
      const notification = s.NotificationChange && !refusal(device, ref, s.Notification) ? s.Notification : current.notification;
      const accessList = s.AccessListChange ? [...new Set(s.AccessList)] : current.accessList;
      if (notification !== current.notification || accessList !== current.accessList) {
        device.setAttributes(ref, { notification, accessList });
      }
    }
  }
  return { method: 'SetParameterAttributesResponse' };
}
