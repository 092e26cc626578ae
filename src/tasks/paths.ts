/**
 * Parameter paths and values in task bodies: names (string(256), no empty
 * segment), objects (GenieACS writes them with or without the final "."; the
 * CPE needs it), instances, and [name, value, type?] triples checked against
 * the parameter's xsd type.
 */
import type { ParameterValueStruct, XsdType } from '../cwmp/soap/types';
import { xsdTypeOf } from '../cwmp/soap/values';
import { array, bad, MAX_NAME, show, text } from './fields';
import { checkValue } from './values-check';

/** A full or partial path; `allowEmpty` for "" (the whole data model, GetParameterNames/refreshObject). */
export function path(value: unknown, field: string, allowEmpty = false): string {
  const s = text(value, field, MAX_NAME);
  if (s === '' && !allowEmpty) bad(`${field} must not be empty`);
  if (s.startsWith('.') || s.includes('..')) bad(`${field} has an empty segment: ${show(s)}`);
  return s;
}

export function names(value: unknown, field: string): string[] {
  return array(value, field, 1).map((v, i) => path(v, `${field}[${i}]`));
}

/** An object path ending in "." (added when missing, as GenieACS bodies leave it out). */
export function objectPath(value: unknown, field: string): string {
  const s = path(value, field);
  const object = s.endsWith('.') ? s : `${s}.`;
  if (object.length > MAX_NAME) bad(`${field} is longer than ${MAX_NAME} characters with its final "." (${object.length})`);
  return object;
}

/** An instance of a multi-instance object, e.g. "Device.NAT.PortMapping.3." (DeleteObject). */
export function instancePath(value: unknown, field: string): string {
  const s = objectPath(value, field);
  if (!/\.[1-9]\d*\.$/.test(s)) bad(`${field} must name an instance (e.g. "Device.NAT.PortMapping.3."): ${show(s)}`);
  return s;
}

/** The type of a parameter as the caller knows it (device cache, then the BBF models). */
export type TypeOf = (path: string) => XsdType | undefined;

/** One accepted triple, as stored in the task's args: [name, canonical value, type]. */
export type Triple = [string, string, XsdType];

/**
 * [[name, value, type?]] → triples. `fullName` maps an entry's name to the
 * parameter's full path (addObject takes names relative to the new instance).
 */
export function triples(value: unknown, field: string, typeOf: TypeOf | undefined, fullName = (n: string) => n): Triple[] {
  return array(value, field, 1).map((entry, i) => triple(entry, `${field}[${i}]`, typeOf, fullName));
}

function triple(entry: unknown, field: string, typeOf: TypeOf | undefined, fullName: (n: string) => string): Triple {
  if (!Array.isArray(entry) || entry.length < 2 || entry.length > 3) bad(`${field} must be [name, value, type?], found ${show(entry)}`);
  const [rawName, raw, rawType] = entry as unknown[];
  const name = path(rawName, `${field} name`);
  if (name.endsWith('.')) bad(`${field}: ${show(name)} names an object, not a parameter`);
  const full = fullName(name);
  if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
    bad(`${field}: the value for ${full} must be a string, number or boolean, found ${show(raw)}`);
  }
  const type = typeFor(full, rawType, field, typeOf);
  const checked = checkValue(raw, type);
  if (!checked.ok) bad(`${field}: ${checked.reason} for ${full}`);
  return [name, checked.value, type];
}

/** The explicit type if given (and not contradicting the known one), else the known type, else xsd:string. */
function typeFor(full: string, rawType: unknown, field: string, typeOf: TypeOf | undefined): XsdType {
  const known = typeOf?.(full);
  if (rawType === undefined) return known ?? 'xsd:string';
  const given = typeof rawType === 'string' ? xsdTypeOf(rawType.replace(/^xsd:/, '')) : undefined;
  if (!given) {
    bad(`${field}: unknown type ${show(rawType)} for ${full} (xsd:string, xsd:int, xsd:unsignedInt, xsd:long, xsd:unsignedLong, xsd:boolean, xsd:dateTime, xsd:base64, xsd:hexBinary)`);
  }
  if (known !== undefined && known !== given) bad(`${field}: type ${given} contradicts the data model's ${known} for ${full}`);
  return given;
}

export function valueStructs(list: readonly Triple[], prefix = ''): ParameterValueStruct[] {
  return list.map(([name, value, type]) => ({ Name: `${prefix}${name}`, Value: value, type }));
}
