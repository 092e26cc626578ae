/**
 * From a frame's raw values to what the store keeps: which profile
 * parameter a concrete path belongs to (its kind, width, alias), and the
 * value as a number (gauges) or an exact integer (counters, which may pass
 * 2^53 on 64 bits: JavaScript numbers would lose the low digits of a delta).
 */
import type { CollectionProfile, ProfileParameter, RawValue } from '../types';

/** A column of a layout: one concrete path of a stream. */
export interface Column {
  path: string;
  kind: 'counter' | 'gauge';
  alias?: string;
}

/** "*" stands for one path segment (an instance number), nothing else is special. */
export function patternRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('[^.]+')}$`);
}

interface CompiledProfile {
  exact: Map<string, ProfileParameter>;
  wild: { re: RegExp; parameter: ProfileParameter }[];
}

const compiled = new WeakMap<CollectionProfile, CompiledProfile>();

function compile(profile: CollectionProfile): CompiledProfile {
  let c = compiled.get(profile);
  if (!c) {
    c = { exact: new Map(), wild: [] };
    for (const parameter of profile.parameters) {
      if (parameter.path.includes('*')) c.wild.push({ re: patternRegExp(parameter.path), parameter });
      else c.exact.set(parameter.path, parameter);
    }
    compiled.set(profile, c);
  }
  return c;
}

/** The profile parameter a concrete path belongs to, or undefined. */
export function parameterOf(profile: CollectionProfile, path: string): ProfileParameter | undefined {
  const c = compile(profile);
  return c.exact.get(path) ?? c.wild.find((w) => w.re.test(path))?.parameter;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const UNSIGNED = /^\+?\d+$/;

/** A gauge's value, or why it is dropped. */
export function gaugeValue(raw: RawValue): number | { reason: string } {
  if (typeof raw === 'boolean') return raw ? 1 : 0;
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : { reason: `not a finite number (${raw})` };
  const text = raw.trim();
  // xsd:boolean as CWMP sends it.
  if (text === 'true' || text === 'false') return text === 'true' ? 1 : 0;
  if (!NUMBER.test(text)) return { reason: 'not numeric' };
  const v = Number(text);
  return Number.isFinite(v) ? v : { reason: `out of range (${text.slice(0, 40)})` };
}

/** A counter's value as an exact integer in [0, 2^bits), or why it is dropped. */
export function counterValue(raw: RawValue, bits: number): bigint | { reason: string } {
  let v: bigint;
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw)) return { reason: Number.isFinite(raw) && Number.isInteger(raw) ? 'counter past 2^53 given as a number (lost digits): send it as a string' : `counter not an integer (${raw})` };
    v = BigInt(raw);
  } else if (typeof raw === 'string' && UNSIGNED.test(raw.trim())) {
    v = BigInt(raw.trim());
  } else {
    return { reason: typeof raw === 'boolean' ? 'counter given as a boolean' : 'counter not an unsigned integer' };
  }
  if (v < 0n || v >= 1n << BigInt(bits)) return { reason: `counter outside 0..2^${bits}-1` };
  return v;
}

/** The width a counter wraps at: the profile's, else 64. */
export function bitsOf(parameter: ProfileParameter): number {
  return parameter.bits ?? 64;
}
