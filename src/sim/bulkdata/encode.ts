/**
 * A simulated CPE's bulk data report body (TR-069 Annex N.3.4-N.3.5), in the
 * profile's encoding: JSON (ObjectHierarchy or NameValuePair, one "Report"
 * entry per collection) or CSV (ParameterPerRow or ParameterPerColumn, with
 * the profile's separators and escape character), each collection stamped
 * as ReportTimestamp / RowTimestamp says. Retained failed collections come
 * first, the current one last.
 */
import type { XsdType } from '../../cwmp/soap/types';
import type { Collection, CollectedValue } from './collect';
import type { CsvEncoding, ProfileConfig, TimestampFormat } from './config';

export interface EncodeOptions {
  /** Unix-Epoch timestamps in seconds (default, as TR-069's examples and most CPEs) or milliseconds (as TR-181's text says). */
  epochUnit?: 's' | 'ms';
}

export interface EncodedReport {
  text: string;
  contentType: string;
  /** The BBF-Report-Format header. */
  reportFormat: string;
}

function stamp(time: number, format: TimestampFormat, options: EncodeOptions): string | number | undefined {
  if (format === 'None') return undefined;
  if (format === 'ISO-8601') return new Date(Math.floor(time / 1000) * 1000).toISOString().replace('.000Z', 'Z');
  return options.epochUnit === 'ms' ? Math.floor(time) : Math.floor(time / 1000);
}

const JSON_NUMBER_TYPES = new Set<XsdType>(['xsd:int', 'xsd:unsignedInt', 'xsd:long', 'xsd:unsignedLong']);

/** A value as JSON encodes its type: integers as numbers, booleans as booleans, the rest as strings. */
function jsonValue(v: CollectedValue): string | number | boolean {
  if (JSON_NUMBER_TYPES.has(v.type) && /^-?\d+$/.test(v.value)) return Number(v.value);
  if (v.type === 'xsd:boolean') return v.value === 'true' || v.value === '1';
  return v.value;
}

type Tree = { [key: string]: Tree | string | number | boolean };

function hierarchy(values: CollectedValue[]): Tree {
  const root: Tree = {};
  for (const v of values) {
    const segments = v.name.split('.');
    let node = root;
    for (const seg of segments.slice(0, -1)) {
      const child = node[seg];
      node = typeof child === 'object' ? child : (node[seg] = {});
    }
    node[segments[segments.length - 1]] = jsonValue(v);
  }
  return root;
}

function encodeJson(profile: ProfileConfig, rows: Collection[], options: EncodeOptions): EncodedReport {
  const { format, timestamp } = profile.json;
  const report = rows.map((row) => {
    const time = stamp(row.time, timestamp, options);
    const head: Tree = time === undefined ? {} : { CollectionTime: time };
    if (format === 'ObjectHierarchy') return { ...head, ...hierarchy(row.values) };
    for (const v of row.values) head[v.name] = jsonValue(v);
    return head;
  });
  return { text: JSON.stringify({ Report: report }), contentType: 'application/json; charset=UTF-8', reportFormat: format };
}

/** A CSV field, enclosed in the escape character when it holds a separator, the escape character or a line break. */
function field(text: string, csv: CsvEncoding): string {
  const esc = csv.escapeCharacter;
  const needs = text.includes(csv.fieldSeparator) || text.includes(csv.rowSeparator) || text.includes(esc) || /[\r\n]/.test(text);
  return needs ? esc + text.split(esc).join(esc + esc) + esc : text;
}

function csvRow(fields: string[], csv: CsvEncoding): string {
  return fields.map((f) => field(f, csv)).join(csv.fieldSeparator) + csv.rowSeparator;
}

function perRow(rows: Collection[], csv: CsvEncoding, options: EncodeOptions): string {
  const withTime = csv.timestamp !== 'None';
  let out = csvRow([...(withTime ? ['ReportTimestamp'] : []), 'ParameterName', 'ParameterValue', 'ParameterType'], csv);
  for (const row of rows) {
    const time = String(stamp(row.time, csv.timestamp, options) ?? '');
    for (const v of row.values) out += csvRow([...(withTime ? [time] : []), v.name, v.value, v.type.replace(/^xsd:/, '')], csv);
  }
  return out;
}

function perColumn(rows: Collection[], csv: CsvEncoding, options: EncodeOptions): string {
  const withTime = csv.timestamp !== 'None';
  // Every name any row has, in first-seen order: a retained row from before an instance appeared leaves its cell empty.
  const names = [...new Set(rows.flatMap((r) => r.values.map((v) => v.name)))];
  let out = csvRow([...(withTime ? ['ReportTimestamp'] : []), ...names], csv);
  for (const row of rows) {
    const byName = new Map(row.values.map((v) => [v.name, v.value]));
    const time = String(stamp(row.time, csv.timestamp, options) ?? '');
    out += csvRow([...(withTime ? [time] : []), ...names.map((n) => byName.get(n) ?? '')], csv);
  }
  return out;
}

function encodeCsv(profile: ProfileConfig, rows: Collection[], options: EncodeOptions): EncodedReport {
  const csv = profile.csv;
  const text = csv.format === 'ParameterPerRow' ? perRow(rows, csv, options) : perColumn(rows, csv, options);
  return { text, contentType: 'text/csv; charset=UTF-8; header=present', reportFormat: csv.format };
}

/** The report body of `rows` (oldest first) in the profile's encoding. */
export function encodeReport(profile: ProfileConfig, rows: Collection[], options: EncodeOptions = {}): EncodedReport {
  return profile.encoding === 'JSON' ? encodeJson(profile, rows, options) : encodeCsv(profile, rows, options);
}
