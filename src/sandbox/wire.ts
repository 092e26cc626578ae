/**
 * The layout of data crossing the isolate boundary. Structured copies cost
 * per object, so lists of records travel as flat arrays of primitives with a
 * fixed stride (null = absent); runtime-source.ts writes and reads the same
 * layout (encodeDeclarations, decodeEntries).
 */
import type { XsdType } from '../cwmp/soap/types';
import type { Declaration, DeclaredValues, DeclarationTimestamps, ScriptValue, ViewEntry } from './types';
import { toScriptValue } from './values';

/** A declaration: path, 6 timestamps (path, object, writable, value, notification, accessList), value, type, notification, accessList, instances. */
export const DECLARATION_STRIDE = 12;
const TIMESTAMP_KEYS = ['path', 'object', 'writable', 'value', 'notification', 'accessList'] as const;

export type Flat = unknown[];

export function decodeDeclarations(flat: Flat): Declaration[] {
  const out: Declaration[] = [];
  for (let i = 0; i + DECLARATION_STRIDE <= flat.length; i += DECLARATION_STRIDE) {
    const timestamps: DeclarationTimestamps = {};
    for (let k = 0; k < TIMESTAMP_KEYS.length; k++) {
      const t = flat[i + 1 + k];
      if (t !== null) timestamps[TIMESTAMP_KEYS[k]] = t as number;
    }
    const values: DeclaredValues = {};
    if (flat[i + 7] !== null) {
      const type = flat[i + 8];
      values.value = type === null ? [flat[i + 7] as ScriptValue] : [flat[i + 7] as ScriptValue, type as XsdType];
    }
    if (flat[i + 9] !== null) values.notification = flat[i + 9] as DeclaredValues['notification'];
    if (flat[i + 10] !== null) values.accessList = flat[i + 10] as string[];
    if (flat[i + 11] !== null) values.instances = flat[i + 11] as DeclaredValues['instances'];
    out.push({ path: flat[i] as string, timestamps, values });
  }
  return out;
}

/**
 * A lookup's entries as scripts see them, as JSON: a callback's result is
 * copied element by element, and for these small records a string plus a
 * JSON.parse in the isolate is about 40% cheaper.
 */
export function encodeEntries(entries: readonly ViewEntry[]): string {
  const out: ScriptEntry[] = [];
  for (const e of entries) {
    const entry: ScriptEntry = { path: e.path };
    if (e.value !== undefined) entry.value = [toScriptValue(e.value, e.type), e.type ?? 'xsd:string'];
    if (e.writable !== undefined) entry.writable = e.writable;
    if (e.object !== undefined) entry.object = e.object;
    if (e.notification !== undefined) entry.notification = e.notification;
    if (e.accessList !== undefined) entry.accessList = e.accessList;
    out.push(entry);
  }
  return JSON.stringify(out);
}

/** One entry of declare()'s result inside a script. */
interface ScriptEntry {
  path: string;
  value?: [ScriptValue, XsdType];
  writable?: boolean;
  object?: boolean;
  notification?: number;
  accessList?: string[];
}
