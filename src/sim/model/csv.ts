/**
 * Base models from GenieACS "export CSV" dumps of real devices.
 *
 * Columns are found by header name: Parameter, Object, Writable, Value,
 * Value type, and optionally Notification and Access list (timestamps are
 * ignored). Object rows may or may not end in "."; GenieACS pseudo-parameters
 * (DeviceID.*, Events.*, Tags.*, VirtualParameters.*, ...) are skipped: only
 * the Device. and InternetGatewayDevice. trees are kept.
 *
 * What a dump cannot say is guessed: an empty writable object is a table; an
 * empty object with a "<Name>NumberOfEntries" sibling is a table;
 * *Password / KeyPassphrase / PreSharedKey / WEPKey parameters read back as
 * "" (TR-069 hidden values); ConnectionRequestURL defaults to active
 * notification (forceDefaultEnabled) and counters under ".Stats." may refuse
 * active notification (canDeny).
 */
import type { NotificationLevel, XsdType } from '../../cwmp/soap/types';
import { xsdTypeOf } from '../../cwmp/soap/values';
import { buildBaseModel, type BaseModel, type ModelEntry } from './base';
import { generateBbfModel } from './bbf';
import { ActiveNotify, type ActiveNotifyPolicy, type RootKind } from './types';

/** RFC 4180 rows: quoted fields may hold commas, quotes ("") and line breaks; CRLF or LF line ends. */
export function* parseCsv(text: string): Generator<string[]> {
  let row: string[] = [];
  let field = '';
  let i = 0;
  const n = text.length;
  let quoted = false;
  let any = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c === 34 /* " */) {
        if (text.charCodeAt(i + 1) === 34) {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      const next = text.indexOf('"', i);
      const stop = next === -1 ? n : next;
      field += text.slice(i, stop);
      i = stop;
      continue;
    }
    if (c === 34) {
      quoted = true;
      any = true;
      i++;
    } else if (c === 44 /* , */) {
      row.push(field);
      field = '';
      any = true;
      i++;
    } else if (c === 10 || c === 13) {
      if (any || field !== '' || row.length > 0) {
        row.push(field);
        yield row;
      }
      row = [];
      field = '';
      any = false;
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
    } else {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (d === 44 || d === 10 || d === 13 || d === 34) break;
        j++;
      }
      field += text.slice(i, j);
      any = true;
      i = j;
    }
  }
  if (any || field !== '' || row.length > 0) {
    row.push(field);
    yield row;
  }
}

export interface CsvModelOptions {
  /** Label of the model (default: DeviceInfo.ModelName, else the dump's DeviceID.ProductClass, else "csv"). */
  readonly name?: string;
  /**
   * Take AddObject templates for tables the dump has no instance of from the
   * BBF model of the same root (generated on first need). Default true.
   */
  readonly schemaFallback?: boolean;
}

const ROOTS = new Set(['Device', 'InternetGatewayDevice']);
const HIDDEN = /(?:Password|KeyPassphrase|PreSharedKey|WEPKey)$/;

function column(header: string[], name: string, required: boolean): number {
  const i = header.findIndex((h) => h.trim().toLowerCase() === name.toLowerCase());
  if (i === -1 && required) throw new Error(`loadCsvModel: no "${name}" column`);
  return i;
}

function csvType(text: string): XsdType {
  const t = text.trim();
  if (t === '') return 'xsd:string';
  const colon = t.indexOf(':');
  return xsdTypeOf(colon === -1 ? t : t.slice(colon + 1)) ?? 'xsd:string';
}

function policyOf(path: string): ActiveNotifyPolicy | undefined {
  if (path.endsWith('.ManagementServer.ConnectionRequestURL')) return ActiveNotify.forceDefaultEnabled;
  if (path.includes('.Stats.')) return ActiveNotify.canDeny;
  return undefined;
}

/** Builds a base model from a GenieACS CSV export. */
export function loadCsvModel(text: string, options: CsvModelOptions = {}): BaseModel {
  const rows = parseCsv(text);
  const first = rows.next();
  if (first.done) throw new Error('loadCsvModel: empty CSV');
  const header = first.value;
  const cPath = column(header, 'Parameter', true);
  const cObject = column(header, 'Object', true);
  const cWritable = column(header, 'Writable', true);
  const cValue = column(header, 'Value', true);
  const cType = column(header, 'Value type', true);
  const cNotification = column(header, 'Notification', false);
  const cAccess = column(header, 'Access list', false);

  const entries: ModelEntry[] = [];
  const objects = new Map<string, { index: number; writable: boolean; children: number }>();
  let productClass: string | undefined;
  let modelName: string | undefined;
  let rootKind: RootKind = 'tr181';
  for (const row of rows) {
    const name = (row[cPath] ?? '').trim();
    if (name === '') continue;
    const dot = name.indexOf('.');
    const root = dot === -1 ? name : name.slice(0, dot);
    if (name === 'DeviceID.ProductClass') productClass = row[cValue];
    if (!ROOTS.has(root)) continue;
    if (root === 'InternetGatewayDevice') rootKind = 'tr098';
    const isObject = (row[cObject] ?? '').trim() === 'true' || name.endsWith('.');
    const writable = (row[cWritable] ?? '').trim() === 'true';
    const notificationText = cNotification === -1 ? '' : (row[cNotification] ?? '').trim();
    const notification = /^[0-6]$/.test(notificationText) ? (Number(notificationText) as NotificationLevel) : undefined;
    const aclText = cAccess === -1 ? '' : (row[cAccess] ?? '').trim();
    const accessList = aclText === '' ? undefined : aclText.split(',').map((s) => s.trim()).filter((s) => s !== '');
    const path = isObject && !name.endsWith('.') ? name + '.' : name;
    const parent = path.slice(0, path.lastIndexOf('.', path.length - 2) + 1);
    const p = objects.get(parent);
    if (p) p.children++;
    if (isObject) {
      objects.set(path, { index: entries.length, writable, children: 0 });
      entries.push({ path, writable, notification, accessList });
      continue;
    }
    if (path.endsWith('.DeviceInfo.ModelName')) modelName = row[cValue];
    entries.push({
      path,
      writable,
      type: csvType(row[cType] ?? ''),
      value: row[cValue] ?? '',
      notification,
      accessList,
      hidden: HIDDEN.test(path),
      policy: policyOf(path),
    });
  }
  if (entries.length === 0) throw new Error('loadCsvModel: no Device. or InternetGatewayDevice. rows');
  // An empty object the ACS may add to is a table (the dump saw no instance of it).
  for (const [, o] of objects) {
    if (o.writable && o.children === 0) entries[o.index] = { ...entries[o.index], table: true };
  }
  const fallbackKind = rootKind;
  return buildBaseModel(entries, {
    name: options.name ?? modelName ?? productClass ?? 'csv',
    fallback: options.schemaFallback === false ? undefined : () => generateBbfModel(fallbackKind),
  });
}
