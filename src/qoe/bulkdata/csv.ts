/**
 * CSV bulk data reports (TR-069 Annex N.3.4; TR-181 CSVEncoding):
 *
 * ParameterPerRow: a header row "ReportTimestamp,ParameterName,
 * ParameterValue,ParameterType" (ReportTimestamp absent when RowTimestamp is
 * None), then one row per parameter. Rows of one timestamp make one report
 * row; a report that also carries retained failed reports has several.
 *
 * ParameterPerColumn: a header row "ReportTimestamp,<name>,<name>..." and one
 * row per collection (the current one and retained failed ones).
 *
 * The columns are found by their header names in any order and case; a
 * ParameterPerRow report without a header row (Content-Type
 * "header=absent") is read by its number of columns.
 */
import type { EpochMs } from '../../db/types';
import type { RawValue } from '../types';
import { badCsv, readRecords, type CsvRecord, type CsvSyntax } from './csv-records';
import { inferValue, readTimestamp, typedValue } from './values';
import type { ReportRow } from './report';

export type CsvFormat = 'ParameterPerRow' | 'ParameterPerColumn';

interface RowColumns {
  time?: number;
  name: number;
  value: number;
  type?: number;
  /** Fields a row must have. */
  width: number;
}

const TIME_HEADERS = new Set(['reporttimestamp', 'collectiontime', 'timestamp']);

function headerIndex(fields: string[], name: string): number | undefined {
  const i = fields.findIndex((f) => f.trim().toLowerCase() === name);
  return i >= 0 ? i : undefined;
}

/** ParameterPerRow columns named by a header row, or undefined when the row is no such header. */
function perRowHeader(fields: string[]): RowColumns | undefined {
  const name = headerIndex(fields, 'parametername');
  const value = headerIndex(fields, 'parametervalue');
  if (name === undefined || value === undefined) return undefined;
  const time = fields.findIndex((f) => TIME_HEADERS.has(f.trim().toLowerCase()));
  return { name, value, time: time >= 0 ? time : undefined, type: headerIndex(fields, 'parametertype'), width: fields.length };
}

/** Header-less ParameterPerRow: [time,] name, value [, type], told apart by whether the first field is a path. */
function guessedColumns(first: CsvRecord): RowColumns {
  const n = first.fields.length;
  const startsWithName = /^[A-Za-z_][\w-]*\./.test(first.fields[0] ?? '');
  if (n >= 4) return { time: 0, name: 1, value: 2, type: 3, width: n };
  if (n === 3) return startsWithName ? { name: 0, value: 1, type: 2, width: 3 } : { time: 0, name: 1, value: 2, width: 3 };
  if (n === 2) return { name: 0, value: 1, width: 2 };
  throw badCsv(first.line, `1 field; a ParameterPerRow row needs at least ParameterName and ParameterValue`);
}

function timeOf(record: CsvRecord, column: number | undefined): EpochMs | undefined {
  if (column === undefined) return undefined;
  const t = readTimestamp(record.fields[column]);
  if (!t.ok) throw badCsv(record.line, t.reason);
  return t.time;
}

function checkWidth(record: CsvRecord, width: number, what: string): void {
  const n = record.fields.length;
  if (n !== width) throw badCsv(record.line, `${n} field${n === 1 ? '' : 's'}, ${what} ${width} (a separator inside a value must be escaped)`);
}

function perRow(records: CsvRecord[], cols: RowColumns, hasHeader: boolean): ReportRow[] {
  const rows: ReportRow[] = [];
  let current: ReportRow | undefined;
  let currentKey: string | undefined;
  for (const rec of records.slice(hasHeader ? 1 : 0)) {
    checkWidth(rec, cols.width, hasHeader ? 'the header has' : 'the first row has');
    const name = rec.fields[cols.name].trim();
    if (name === '') throw badCsv(rec.line, 'empty ParameterName');
    const text = rec.fields[cols.value];
    const value: RawValue = cols.type === undefined ? inferValue(text) : typedValue(text, rec.fields[cols.type]);
    const key = cols.time === undefined ? undefined : rec.fields[cols.time].trim();
    // A new timestamp starts a new report row; without timestamps, a name seen again does.
    const fresh = !current || (key !== undefined ? key !== currentKey : Object.hasOwn(current.values, name));
    if (fresh || !current) {
      current = { time: timeOf(rec, cols.time), values: {} };
      currentKey = key;
      rows.push(current);
    }
    current.values[name] = value;
  }
  return rows;
}

function perColumn(records: CsvRecord[]): ReportRow[] {
  const [header, ...data] = records;
  const timeColumn = TIME_HEADERS.has((header.fields[0] ?? '').trim().toLowerCase()) ? 0 : undefined;
  const names = header.fields.map((f) => f.trim());
  names.forEach((n, i) => {
    if (n === '' && i !== timeColumn) throw badCsv(header.line, `column ${i + 1} has no parameter name in the header`);
  });
  return data.map((rec) => {
    checkWidth(rec, names.length, 'the header has');
    const values: Record<string, RawValue> = {};
    rec.fields.forEach((text, i) => {
      if (i !== timeColumn) values[names[i]] = inferValue(text);
    });
    return { time: timeOf(rec, timeColumn), values };
  });
}

export interface CsvHints {
  /** The BBF-Report-Format header, if sent. */
  format?: string;
  /** Content-Type "header=absent". */
  headerAbsent?: boolean;
}

/** Decodes a CSV report: the format from its header row (or the BBF-Report-Format header), then its rows. */
export function decodeCsv(text: string, syntax: CsvSyntax, hints: CsvHints): { format: CsvFormat; rows: ReportRow[] } {
  const records = readRecords(text, syntax);
  if (records.length === 0) return { format: hints.format === 'ParameterPerRow' ? 'ParameterPerRow' : 'ParameterPerColumn', rows: [] };
  const header = hints.headerAbsent ? undefined : perRowHeader(records[0].fields);
  if (header) return { format: 'ParameterPerRow', rows: perRow(records, header, true) };
  if (hints.format?.toLowerCase() === 'parameterperrow' || hints.headerAbsent) {
    return { format: 'ParameterPerRow', rows: perRow(records, guessedColumns(records[0]), false) };
  }
  return { format: 'ParameterPerColumn', rows: perColumn(records) };
}
