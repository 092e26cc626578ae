/**
 * Booleans and dateTimes as a vendor profile wants them written. The
 * planner's values are canonical (tasks/values-check.ts: "true"/"false",
 * dateTimes as given); these rewrite them on their way out. Values mean the
 * same either way (XML Schema), so the cache's comparisons are unaffected.
 */
import type { ParameterValueStruct } from '../cwmp/soap/types';
import type { BooleanLiteral, DateTimeFormat } from './types';

/** [-]YYYY-MM-DDThh:mm:ss, fraction, zone. */
const DATE_TIME = /^(-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

export function formatBoolean(value: string, literal: BooleanLiteral | undefined): string {
  if (literal !== '1/0') return value;
  if (value === 'true') return '1';
  if (value === 'false') return '0';
  return value;
}

/**
 * A dateTime in the profile's format. Dropping the zone turns an offset into
 * UTC first (a date at -04:00 is written as its UTC time); the Unknown Time
 * (0001-01-01T00:00:00Z) keeps its fields.
 */
export function formatDateTime(value: string, format: DateTimeFormat | undefined): string {
  if (format === undefined || format === 'iso') return value;
  const m = DATE_TIME.exec(value);
  if (!m) return value;
  const [, fields, , zone] = m;
  if (format === 'seconds') return `${fields}${zone ?? ''}`;
  if (zone === undefined || zone === 'Z' || zone === '+00:00' || zone === '-00:00') return fields;
  const ms = Date.parse(`${fields}${zone}`);
  return Number.isNaN(ms) ? fields : new Date(ms).toISOString().slice(0, 19);
}

/** A ParameterValueStruct written the profile's way (a copy when something changes). */
export function formatValue(p: ParameterValueStruct, literal: BooleanLiteral | undefined, format: DateTimeFormat | undefined): ParameterValueStruct {
  if (p.type === 'xsd:boolean') {
    const v = formatBoolean(p.Value, literal);
    return v === p.Value ? p : { ...p, Value: v };
  }
  if (p.type === 'xsd:dateTime') {
    const v = formatDateTime(p.Value, format);
    return v === p.Value ? p : { ...p, Value: v };
  }
  return p;
}
