/**
 * SetParameterValues on diagnostics objects (TR-106 DiagnosticsState): the
 * extra checks a strict CPE makes, and what the write starts or stops. The
 * simulated tests themselves are in ../diagnostics (rules.ts).
 */
import type { ParameterValueStruct, SetParameterValuesFaultStruct } from '../../cwmp/soap/types';
import { diagnosticOfParameter, INPUT_RANGES, REQUIRED_INPUTS, type DiagnosticObject } from '../diagnostics/catalog';
import type { DeviceModel, NodeRef } from '../model/device';
import { spvEntry } from './cpe-faults';
import type { Effect } from './effects';
import type { RpcContext } from './options';

const STATE = 'DiagnosticsState';
const URL_INPUTS = new Set(['DownloadURL', 'UploadURL']);

/** Values a DiagnosticsState write may take: the model's settable values, else (CSV dumps) only Requested. */
function writableStates(device: DeviceModel, ref: NodeRef): readonly string[] {
  return device.constraintOf(ref)?.enumeration ?? ['Requested'];
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
  } catch {
    return false;
  }
}

/** Why a value of one input is refused, or undefined. */
function inputProblem(name: string, value: string): string | undefined {
  const range = INPUT_RANGES[name];
  if (range && value !== '') {
    const n = Number(value);
    if (!Number.isInteger(n) || n < range[0] || n > range[1]) return `${name} must be ${range[0]}-${range[1]}`;
  }
  if (URL_INPUTS.has(name) && value !== '' && !isHttpUrl(value)) return `${name} must be an http:// or https:// URL`;
  return undefined;
}

/** Writes grouped by the diagnostics object they fall in (other writes left out). */
function byObject(device: DeviceModel, writes: ReadonlyArray<readonly [string, string]>): Map<string, { d: DiagnosticObject; values: Map<string, string> }> {
  const out = new Map<string, { d: DiagnosticObject; values: Map<string, string> }>();
  for (const [name, value] of writes) {
    const d = diagnosticOfParameter(device, name);
    if (!d || device.lookup(d.path + STATE) === undefined) continue;
    const group = out.get(d.path) ?? { d, values: new Map<string, string>() };
    group.values.set(name.slice(d.path.length), value);
    out.set(d.path, group);
  }
  return out;
}

/**
 * SetParameterValuesFault entries (9007) for writes into diagnostics
 * objects: a DiagnosticsState value that may not be written, an input out of
 * range, and Requested with a required input empty (TR-106: errors in the
 * test parameters MUST be detected by the SetParameterValues that requests
 * the test). `writes` have passed the generic checks.
 */
export function diagnosticFaults({ device, options }: RpcContext, writes: ReadonlyArray<readonly [string, string]>): SetParameterValuesFaultStruct[] {
  const faults: SetParameterValuesFaultStruct[] = [];
  for (const { d, values } of byObject(device, writes).values()) {
    for (const [name, value] of values) {
      const problem = name === STATE ? stateProblem(device, d, value) : inputProblem(name, value);
      if (problem) faults.push(spvEntry(options, d.path + name, 9007, problem));
    }
    if (values.get(STATE) !== 'Requested') continue;
    const missing = REQUIRED_INPUTS[d.kind].find((n) => (values.get(n) ?? device.getValue(d.path + n) ?? '').trim() === '');
    if (missing) faults.push(spvEntry(options, d.path + STATE, 9007, `${missing} is required to request the test`));
  }
  return faults;
}

function stateProblem(device: DeviceModel, d: DiagnosticObject, value: string): string | undefined {
  const ref = device.lookup(d.path + STATE) as NodeRef;
  const allowed = writableStates(device, ref);
  return allowed.includes(value) ? undefined : `DiagnosticsState may only be set to ${allowed.join(' or ')}`;
}

/**
 * After a successful SetParameterValues: Requested starts a new run (after
 * the session); Canceled, or a write to any other parameter of the object,
 * sets DiagnosticsState to None and ends a run in progress.
 */
export function diagnosticEffects(device: DeviceModel, list: readonly ParameterValueStruct[]): Effect[] {
  const effects: Effect[] = [];
  const writes = list.map((p) => [p.Name, device.getValue(p.Name) ?? p.Value] as const);
  for (const { d, values } of byObject(device, writes).values()) {
    const state = values.get(STATE);
    const run = device.nextDiagnosticRun(d.path);
    if (state === 'Requested') {
      effects.push({ kind: 'diagnostic', test: d.kind, path: d.path, run });
      continue;
    }
    const ref = device.lookup(d.path + STATE) as NodeRef;
    device.setValue(ref, 'None');
    effects.push({ kind: 'cancelDiagnostic', path: d.path });
  }
  return effects;
}
