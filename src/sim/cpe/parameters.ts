/**
 * GetParameterNames, GetParameterValues, SetParameterValues (TR-069 A.3.2.1-3).
 */
import type {
  Fault,
  GetParameterNames,
  GetParameterNamesResponse,
  GetParameterValues,
  GetParameterValuesResponse,
  ParameterInfoStruct,
  ParameterValueStruct,
  SetParameterValues,
  SetParameterValuesFaultStruct,
  SetParameterValuesResponse,
} from '../../cwmp/soap/types';
import type { DeviceModel, NodeRef } from '../model/device';
import { checkValue } from '../model/values';
import { fail, spvEntry, spvFail } from './cpe-faults';
import { diagnosticFaults } from './diagnostics';
import type { RpcContext, RpcOptions } from './options';

/** A path naming a subtree: "" (everything) or an object path ending in ".". */
export function isPartialPath(path: string): boolean {
  return path === '' || path.endsWith('.');
}

/** The nodes a partial path names: the roots for "", else the object (undefined if absent or not an object). */
export function resolvePartial(device: DeviceModel, path: string): readonly NodeRef[] | undefined {
  if (path === '') return device.roots();
  const ref = device.lookup(path);
  return ref !== undefined && device.isObject(ref) ? [ref] : undefined;
}

/** A full parameter name (not an object), or undefined. */
export function resolveParameter(device: DeviceModel, name: string): NodeRef | undefined {
  const ref = device.lookup(name);
  return ref !== undefined && !device.isObject(ref) ? ref : undefined;
}

function invalidName(options: RpcOptions, name: string): Fault {
  return fail(options, 9005, name === '' ? '(empty)' : name);
}

export function getParameterNames({ device, options }: RpcContext, req: GetParameterNames): GetParameterNamesResponse | Fault {
  const path = req.ParameterPath;
  const out: ParameterInfoStruct[] = [];
  const info = (ref: NodeRef): void => {
    out.push({ Name: device.pathOf(ref), Writable: device.isWritable(ref) });
  };
  if (isPartialPath(path)) {
    const tops = resolvePartial(device, path);
    if (!tops) return invalidName(options, path);
    if (req.NextLevel) {
      // "" lists the root object(s); an object lists its direct children.
      if (path === '') tops.forEach(info);
      else for (const c of device.children(tops[0])) info(c);
    } else {
      for (const top of tops) device.walk(top, info);
    }
    return { method: 'GetParameterNamesResponse', ParameterList: out };
  }
  const ref = resolveParameter(device, path);
  if (ref === undefined) return invalidName(options, path);
  if (req.NextLevel) return fail(options, 9003, 'NextLevel is true but ParameterPath is a parameter');
  info(ref);
  return { method: 'GetParameterNamesResponse', ParameterList: out };
}

export function getParameterValues({ device, options, live }: RpcContext, req: GetParameterValues): GetParameterValuesResponse | Fault {
  const out: ParameterValueStruct[] = [];
  const value = (ref: NodeRef): void => {
    if (device.isObject(ref)) return;
    out.push({ Name: device.pathOf(ref), Value: live?.valueOf(device, ref) ?? device.reportedValue(ref), type: device.typeOf(ref) });
  };
  for (const name of req.ParameterNames) {
    if (isPartialPath(name)) {
      const tops = resolvePartial(device, name);
      if (!tops) {
        if (options.gpvOmitsMissing) continue;
        return invalidName(options, name);
      }
      for (const top of tops) device.walk(top, value);
      continue;
    }
    const ref = resolveParameter(device, name);
    if (ref === undefined) {
      if (options.gpvOmitsMissing) continue;
      return invalidName(options, name);
    }
    value(ref);
  }
  return { method: 'GetParameterValuesResponse', ParameterList: out };
}

/**
 * All or nothing: every parameter is checked first (9005 unknown or an
 * object, 9008 read-only, 9006 xsi:type differs from the parameter's type,
 * 9007 value not valid for the type or the data model's constraints); any
 * failure is fault 9003 with one SetParameterValuesFault per bad parameter
 * and changes nothing. A parameter named twice is fault 9003. On success the
 * values are stored and ManagementServer.ParameterKey takes the ParameterKey.
 * Writes into diagnostics objects get the checks of ./diagnostics.ts too.
 */
export function setParameterValues({ device, options }: RpcContext, req: SetParameterValues): SetParameterValuesResponse | Fault {
  if (req.ParameterKey.length > 32) return fail(options, 9003, 'ParameterKey longer than 32 characters');
  const seen = new Set<string>();
  for (const p of req.ParameterList) {
    if (seen.has(p.Name)) return fail(options, 9003, `${p.Name} appears more than once`);
    seen.add(p.Name);
  }
  const faults: SetParameterValuesFaultStruct[] = [];
  const writes: Array<[NodeRef, string]> = [];
  for (const p of req.ParameterList) {
    const ref = isPartialPath(p.Name) ? undefined : resolveParameter(device, p.Name);
    if (ref === undefined) {
      faults.push(spvEntry(options, p.Name, 9005));
      continue;
    }
    if (!device.isWritable(ref)) {
      faults.push(spvEntry(options, p.Name, 9008));
      continue;
    }
    const type = device.typeOf(ref);
    if (p.type !== type && options.strictTypes !== false) {
      faults.push(spvEntry(options, p.Name, 9006, `expected ${type}, got ${p.type}`));
      continue;
    }
    const literal = literalRefusal(options, type, p.Value);
    const check = literal === null ? checkValue(type, p.Value, device.constraintOf(ref)) : { ok: false as const, reason: literal };
    if (!check.ok) {
      faults.push(spvEntry(options, p.Name, 9007, check.reason));
      continue;
    }
    writes.push([ref, check.value]);
  }
  faults.push(...diagnosticFaults({ device, options }, writes.map(([ref, v]) => [device.pathOf(ref), v] as const)));
  if (faults.length > 0) return spvFail(faults);
  for (const [ref, v] of writes) device.setValue(ref, v);
  device.setParameterKey(req.ParameterKey);
  return { method: 'SetParameterValuesResponse', Status: options.applyStatus ?? 0 };
}

/** Why a CPE with a literal quirk refuses a value its type allows (options.booleanDigits, plainDateTimes); null when it takes it. */
function literalRefusal(options: RpcOptions, type: string, value: string): string | null {
  const v = value.trim();
  if (options.booleanDigits && type === 'xsd:boolean' && v !== '1' && v !== '0') return 'booleans are 1 or 0';
  if (options.plainDateTimes && type === 'xsd:dateTime' && !/^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(v)) return 'dateTimes are whole seconds without a zone';
  return null;
}
