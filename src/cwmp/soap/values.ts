/**
 * Scalar value rules shared by decoder and encoder (TR-069 A.2.1, TR-106
 * primitive types).
 *
 * Lenient in: xsi:type with any prefix (xsd:, xs:, soap-enc:, SOAP-ENC:),
 * base64Binary / soap-enc:base64 -> xsd:base64, booleans 0/1/true/false,
 * zero-padded integers ("00"), whitespace added by pretty-printers.
 * Strict out: the encoder writes xsd:base64 as soap-enc:base64, because
 * xsd:base64 does not exist in XML Schema and fails validation.
 */
import type { XsdType } from './types';

const XSD_TYPES: ReadonlyMap<string, XsdType> = new Map<string, XsdType>([
  ['string', 'xsd:string'],
  ['int', 'xsd:int'],
  ['unsignedint', 'xsd:unsignedInt'],
  ['long', 'xsd:long'],
  ['unsignedlong', 'xsd:unsignedLong'],
  ['boolean', 'xsd:boolean'],
  ['datetime', 'xsd:dateTime'],
  ['base64', 'xsd:base64'],
  ['base64binary', 'xsd:base64'],
  ['hexbinary', 'xsd:hexBinary'],
]);

/** Maps the local part of an xsi:type ("unsignedInt", "base64Binary") to an XsdType; undefined if unknown. */
export function xsdTypeOf(local: string): XsdType | undefined {
  return XSD_TYPES.get(local.toLowerCase());
}

/** The xsi:type to write for a type. */
export function wireType(type: XsdType): string {
  return type === 'xsd:base64' ? 'soap-enc:base64' : type;
}

const WS = /\s/;

/**
 * xsd:string rule: drop leading/trailing whitespace only when it contains a
 * line break (pretty-printer indentation), so "SSID " keeps its space.
 */
export function stripLayout(s: string): string {
  if (s.length === 0 || (!WS.test(s[0]) && !WS.test(s[s.length - 1]))) return s;
  let start = 0;
  while (start < s.length && WS.test(s[start])) start++;
  let end = s.length;
  while (end > start && WS.test(s[end - 1])) end--;
  const lead = s.slice(0, start).includes('\n') ? start : 0;
  const trail = s.slice(end).includes('\n') ? end : s.length;
  return s.slice(lead, trail);
}

/** A wire value for a one-line message: trimmed, escaped, cut at 60 characters, in single quotes. */
export function quoted(text: string): string {
  const t = text.trim();
  return `'${JSON.stringify(t.length > 60 ? `${t.slice(0, 60)}…` : t).slice(1, -1)}'`;
}

/** "1"/"true" -> true, "0"/"false" -> false (any case, trimmed); undefined otherwise. */
export function parseBoolean(text: string): boolean | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  return undefined;
}

const INTEGER = /^[+-]?\d+$/;

/** A decimal integer ("00", "+5", "-1"); undefined when not one. */
export function parseInteger(text: string): number | undefined {
  const t = text.trim();
  return INTEGER.test(t) ? Number(t) : undefined;
}

/**
 * A ParameterValueStruct Value as stored: strings keep inner spaces,
 * booleans become "true"/"false", everything else is trimmed. Values that do
 * not fit their type are kept as sent (e.g. Cisco strings typed unsignedInt).
 */
export function normaliseValue(raw: string, type: XsdType): string {
  if (type === 'xsd:string') return stripLayout(raw);
  if (type !== 'xsd:boolean') return raw.trim();
  const b = parseBoolean(raw);
  return b === undefined ? raw.trim() : String(b);
}
