/**
 * Virtual parameters: `VirtualParameters.<Name>` is computed by the script
 * <Name>.js (or .ts) in VIRTUAL_PARAMETERS_DIR from real parameters. The
 * script runs in the sandbox like a provision, with GenieACS's arguments:
 *   args[0]  the timestamps declared on the virtual parameter ({} when none)
 *   args[1]  the values declared on it ({ value: [v, type] } for a write)
 *   args[2]  the timestamps of its current value ({} when it has none)
 *   args[3]  its current value and writability ({ value: [v, type], writable })
 * and returns `{ value: [v, type?], writable?: boolean }`. Virtual parameters
 * are not stored: "current" is what an earlier run computed in this session. What it declares
 * joins the declaring channel's declarations (so the planner reads and writes
 * the real parameters), and what it returns is what provisions and
 * preconditions see.
 */
import type { CachedParameter, EpochMs } from '../db/types';
import type { Declaration, DeviceView, SandboxPool, ScriptValue } from '../sandbox';
import type { ExtensionHost } from './ext';
import { withExtAnswers, type RunBase } from './run-provisions';
import { toScriptValue, toWire } from '../sandbox';
import type { XsdType } from '../cwmp/soap/types';
import type { FaultSource } from './channel-faults';
import { fromScriptFault } from './channel-faults';
import type { ChannelDeclaration } from './planner/types';
import type { ScriptLibrary } from './script-library';
import { syntheticRow } from './tags';

export const VIRTUAL_ROOT = 'VirtualParameters.';

export interface VirtualValue {
  value: string;
  type: XsdType;
  writable: boolean;
}

export interface VirtualOutcome {
  /** Name → its value now (absent when the script returned nothing usable). */
  values: Map<string, VirtualValue>;
  /** The real declarations the virtual parameters' scripts made, under the declaring channels. */
  declarations: ChannelDeclaration[];
  faults: Map<string, FaultSource>;
}

/** The names a set of declarations asks of ("VirtualParameters.*" asks for every script there is). */
export function declaredNames(decls: readonly ChannelDeclaration[], library: ScriptLibrary): Map<string, ChannelDeclaration[]> {
  const out = new Map<string, ChannelDeclaration[]>();
  for (const cd of decls) {
    if (!cd.declaration.path.startsWith(VIRTUAL_ROOT)) continue;
    const name = cd.declaration.path.slice(VIRTUAL_ROOT.length);
    const names = name === '*' ? [...library.names()] : [name];
    for (const n of names) out.set(n, [...(out.get(n) ?? []), cd]);
  }
  return out;
}

/**
 * Whether every virtual parameter `path` names ("VirtualParameters.*": every
 * script) is computed. Until it is, the view does not hold it, and a read
 * must wait for the step to compute it rather than find it absent. With no
 * scripts at all there is nothing to wait for.
 */
export function isComputed(path: string, computed: ReadonlyMap<string, VirtualValue>, library: ScriptLibrary | undefined): boolean {
  if (!library) return true;
  const name = path.slice(VIRTUAL_ROOT.length);
  return (name === '*' ? [...library.names()] : [name]).every((n) => computed.has(n));
}

/** Runs the scripts of the declared virtual parameters against `view`, answering their ext() calls as a provision's. */
export async function computeVirtual(
  deps: { pool: SandboxPool; ext: Pick<ExtensionHost, 'call'> },
  library: ScriptLibrary,
  asked: Map<string, ChannelDeclaration[]>,
  base: RunBase,
  view: DeviceView,
  extResults: Record<string, unknown>,
): Promise<VirtualOutcome> {
  const out: VirtualOutcome = { values: new Map(), declarations: [], faults: new Map() };
  for (const [name, decls] of asked) {
    const channels = [...new Set(decls.map((d) => d.channel))];
    const script = await library.get(name);
    if (!script) {
      for (const c of channels) out.faults.set(c, { code: 'script.missing', message: `virtual parameter "${name}" has no script`, script: name });
      continue;
    }
    const merged = merge(decls.map((d) => d.declaration));
    const args = [merged.timestamps, merged.values, ...currentOf(view, name)];
    const answered = await withExtAnswers(deps.ext, extResults, () => deps.pool.run(script, { ...base, args, view, extResults }));
    if (!answered.ok) {
      for (const c of channels) out.faults.set(c, { code: answered.code, message: answered.message, preset: `virtual:${name}`, script: name });
      continue;
    }
    const result = answered.result;
    if (result.fault) {
      for (const c of channels) out.faults.set(c, fromScriptFault(result.fault, `virtual:${name}`));
      continue;
    }
    for (const c of channels) for (const declaration of result.declarations) out.declarations.push({ channel: c, declaration });
    const value = valueOf(result.returned);
    if (value) out.values.set(name, value);
  }
  return out;
}

/** The freshest timestamps and the last declared values of several declarations of one virtual parameter. */
function merge(decls: Declaration[]): Pick<Declaration, 'timestamps' | 'values'> {
  const timestamps: Declaration['timestamps'] = {};
  const values: Declaration['values'] = {};
  for (const d of decls) {
    for (const [k, t] of Object.entries(d.timestamps) as [keyof Declaration['timestamps'], number][]) {
      timestamps[k] = Math.max(timestamps[k] ?? 0, t);
    }
    Object.assign(values, d.values);
  }
  return { timestamps, values };
}

/** The virtual parameter as the view holds it: its timestamps, and its value and writability as scripts see them. */
function currentOf(view: DeviceView, name: string): [Declaration['timestamps'], { value?: [ScriptValue, XsdType]; writable?: boolean }] {
  const entry = view.lookup(VIRTUAL_ROOT + name)[0];
  if (!entry) return [{}, {}];
  const values: { value?: [ScriptValue, XsdType]; writable?: boolean } = {};
  if (entry.value !== undefined) values.value = [toScriptValue(entry.value, entry.type), entry.type ?? 'xsd:string'];
  if (entry.writable !== undefined) values.writable = entry.writable;
  return [entry.timestamps, values];
}

function valueOf(returned: unknown): VirtualValue | null {
  if (typeof returned !== 'object' || returned === null) return null;
  const r = returned as { value?: unknown; writable?: unknown };
  const pair = Array.isArray(r.value) ? r.value : r.value === undefined ? null : [r.value];
  if (!pair || !['string', 'number', 'boolean'].includes(typeof pair[0])) return null;
  const v = pair[0] as string | number | boolean;
  const type = (typeof pair[1] === 'string' ? pair[1] : typeof v === 'boolean' ? 'xsd:boolean' : typeof v === 'number' ? 'xsd:int' : 'xsd:string') as XsdType;
  return { value: toWire(v), type, writable: r.writable === true };
}

/** Rows for the view: each computed virtual parameter as a leaf read at `now`, under a listed `VirtualParameters.` object. */
export function virtualRows(values: Map<string, VirtualValue>, now: EpochMs): CachedParameter[] {
  if (values.size === 0) return [];
  const rows = [syntheticRow(VIRTUAL_ROOT, null, null, now)];
  for (const [name, v] of values) rows.push({ ...syntheticRow(VIRTUAL_ROOT + name, v.value, v.type, now), writable: v.writable });
  return rows;
}

export function sameValues(a: Map<string, VirtualValue>, b: Map<string, VirtualValue>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const w = b.get(k);
    if (!w || w.value !== v.value || w.type !== v.type || w.writable !== v.writable) return false;
  }
  return true;
}
