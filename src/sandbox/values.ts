/**
 * Values between the wire (strings with an xsi:type) and scripts (native
 * booleans and numbers where they are exact), and the comparisons that decide
 * whether a declared value or an alias filter matches a cached one.
 */
import type { XsdType } from '../cwmp/soap/types';
import type { ScriptValue } from './types';

const INTEGER_TYPES: ReadonlySet<string> = new Set(['xsd:int', 'xsd:unsignedInt', 'xsd:long', 'xsd:unsignedLong']);

/**
 * The value a script sees: xsd:boolean as a boolean, integer types as numbers
 * when they are exact (an unsignedLong past 2^53 stays a string), the rest
 * (dateTime included) as the wire string.
 */
export function toScriptValue(wire: string, type: XsdType | undefined): ScriptValue {
  if (type === 'xsd:boolean') {
    const b = parseBoolean(wire);
    return b ?? wire;
  }
  if (type !== undefined && INTEGER_TYPES.has(type) && /^-?\d+$/.test(wire)) {
    const n = Number(wire);
    if (Number.isSafeInteger(n)) return n;
  }
  return wire;
}

/** The wire text of a script value: booleans as "true"/"false", numbers in decimal. */
export function toWire(value: ScriptValue): string {
  return typeof value === 'string' ? value : String(value);
}

function parseBoolean(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return null;
}

/**
 * Whether a cached wire value equals a wanted one, under the cached type:
 * booleans by truth ("1" = true), integers and dateTimes by what they denote,
 * anything else as exact text.
 */
export function sameValue(wire: string, type: XsdType | undefined, wanted: ScriptValue): boolean {
  const text = toWire(wanted);
  if (wire === text) return true;
  switch (type) {
    case 'xsd:boolean': {
      const a = parseBoolean(wire);
      return a !== null && a === (typeof wanted === 'boolean' ? wanted : parseBoolean(text));
    }
    case 'xsd:int':
    case 'xsd:unsignedInt':
    case 'xsd:long':
    case 'xsd:unsignedLong':
      return /^-?\d+$/.test(wire.trim()) && /^-?\d+$/.test(text.trim()) && BigInt(wire.trim()) === BigInt(text.trim());
    case 'xsd:dateTime': {
      const a = Date.parse(wire);
      return !Number.isNaN(a) && a === Date.parse(text);
    }
    default:
      return false;
  }
}
