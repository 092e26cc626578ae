/**
 * JSON bulk data reports (TR-069 Annex N.3.5; TR-181 JSONEncoding):
 *
 *   {"Report": [{"CollectionTime": 1364529149, "Device": {"MoCA": {...}}}]}   ObjectHierarchy
 *   {"Report": [{"CollectionTime": 1364529149, "Device.MoCA.Interface.1.Stats.BytesSent": 7682161}]}   NameValuePair
 *
 * One "Report" entry per collection (the current one and retained failed
 * ones). Also read: a single report object without "Report", a top-level
 * array of reports, instance tables sent as JSON arrays (instance numbers
 * 1, 2, ...), NameValuePair sent as [{"Name": ..., "Value": ...}], and values
 * quoted as strings. Both formats flatten to TR-181 paths the same way, so
 * a mix of the two reads too.
 */
import { AcsError } from '../../errors';
import type { RawValue } from '../types';
import type { ReportFormat, ReportRow } from './report';
import { jsonValue, readTimestamp } from './values';

const MAX_DEPTH = 64;
const TIME_KEY = 'CollectionTime';

function badJson(message: string): AcsError {
  return new AcsError('ACS_ERR_BAD_BODY', `bulk data JSON: ${message}`);
}

/** JSON.parse with the failure placed by line and column. */
function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const pos = /position (\d+)/.exec(message)?.[1];
    if (pos === undefined) throw badJson(`not valid JSON (${message})`);
    const before = text.slice(0, Number(pos));
    const line = before.split('\n').length;
    const column = Number(pos) - before.lastIndexOf('\n');
    throw badJson(`not valid JSON at line ${line}, column ${column} (${message.replace(/ in JSON at position.*$/, '')})`);
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** [{"Name": "Device.X", "Value": 1}, ...]: name/value objects instead of keys. */
function nameValueEntry(v: unknown): [string, unknown] | undefined {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  const name = keys.find((k) => k.toLowerCase() === 'name');
  const value = keys.find((k) => k.toLowerCase() === 'value');
  if (keys.length !== 2 || name === undefined || value === undefined || typeof v[name] !== 'string') return undefined;
  return [v[name] as string, v[value]];
}

class Flattener {
  hierarchy = false;
  readonly values: Record<string, RawValue> = {};

  constructor(private readonly where: string) {}

  add(path: string, v: unknown, depth: number): void {
    if (depth > MAX_DEPTH) throw badJson(`${this.where}: nested deeper than ${MAX_DEPTH} levels at ${path}`);
    if (isObject(v)) {
      this.hierarchy = true;
      for (const [k, child] of Object.entries(v)) this.add(join(path, k), child, depth + 1);
    } else if (Array.isArray(v)) {
      this.addArray(path, v, depth);
    } else {
      const value = jsonValue(v);
      if (value !== undefined) this.values[path] = value;
    }
  }

  private addArray(path: string, items: unknown[], depth: number): void {
    if (items.length > 0 && items.every((x) => nameValueEntry(x) !== undefined)) {
      for (const x of items) {
        const [name, value] = nameValueEntry(x) as [string, unknown];
        this.add(join(path, name), value, depth + 1);
      }
    } else if (items.some((x) => isObject(x) || Array.isArray(x))) {
      // An instance table as an array: instance numbers from 1.
      this.hierarchy = true;
      items.forEach((x, i) => this.add(join(path, String(i + 1)), x, depth + 1));
    } else {
      // A list-valued parameter: TR-106 lists are comma-separated text.
      this.values[path] = items.map((x) => (x === null ? '' : String(x))).join(',');
    }
  }
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

function decodeOne(report: unknown, where: string): { row: ReportRow; hierarchy: boolean } {
  const flat = new Flattener(where);
  if (Array.isArray(report)) {
    flat.add('', report, 0);
    return { row: { values: flat.values }, hierarchy: false };
  }
  if (!isObject(report)) throw badJson(`${where} is ${report === null ? 'null' : typeof report}, expected an object`);
  let time: number | undefined;
  for (const [k, v] of Object.entries(report)) {
    if (k !== TIME_KEY) {
      flat.add(k, v, 1);
      continue;
    }
    const t = readTimestamp(v);
    if (!t.ok) throw badJson(`${where}: ${TIME_KEY} ${t.reason.replace(/^timestamp /, '')}`);
    time = t.time;
  }
  return { row: time === undefined ? { values: flat.values } : { time, values: flat.values }, hierarchy: flat.hierarchy };
}

/** The reports of a body: the "Report" array, a top-level array, or one report object. */
function reportsOf(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (!isObject(doc)) throw badJson(`the body is ${doc === null ? 'null' : typeof doc}, expected an object with a "Report" array`);
  const report = doc.Report ?? doc.report;
  if (report === undefined) return [doc];
  if (Array.isArray(report)) return report;
  if (isObject(report)) return [report];
  throw badJson(`"Report" is ${report === null ? 'null' : typeof report}, expected an array of reports`);
}

export function decodeJson(text: string, formatHint?: string): { format: ReportFormat; rows: ReportRow[] } {
  if (text.trim() === '') throw badJson('empty body');
  const reports = reportsOf(parse(text));
  let hierarchy = false;
  const rows = reports.map((r, i) => {
    const one = decodeOne(r, `Report[${i}]`);
    hierarchy ||= one.hierarchy;
    return one.row;
  });
  const hinted = formatHint === 'ObjectHierarchy' || formatHint === 'NameValuePair' ? formatHint : undefined;
  return { format: hinted ?? (hierarchy ? 'ObjectHierarchy' : 'NameValuePair'), rows };
}
