/**
 * `sort=` and `cursor=` of the device list. Two spellings of a sort:
 *
 * - ours: comma-separated fields, `-` before one for descending:
 *   `sort=-LastInform,DeviceID.SerialNumber`. Fields: DeviceID.ID,
 *   DeviceID.Manufacturer, DeviceID.OUI, DeviceID.ProductClass,
 *   DeviceID.SerialNumber, LastInform, Registered, or a parameter path;
 * - GenieACS's: a JSON object of field to 1 or -1, `sort={"_lastInform":-1}`,
 *   with _id, _deviceId._Manufacturer (_OUI, _ProductClass, _SerialNumber),
 *   _lastInform, _registered or a parameter path.
 *
 * A parameter sorts by the first 64 characters of its value, as text, and
 * devices without it come last in both directions (GenieACS, after MongoDB,
 * puts them first ascending): db/device-order.ts says why.
 *
 * A cursor in id order is the last row id (as before sorts existed); under a
 * sort it is opaque (base64url JSON of the last row's keys and id, and the
 * sort it belongs to, so a cursor is not taken for another sort's). Under a
 * sort led by a parameter, a first key of null says the page ended among the
 * devices without it.
 */
import { SORT_COLUMNS, type KeyValue, type Position, type SortKey } from '../db/device-order';
import { AcsError } from '../errors';

const MAX_SORT_KEYS = 4;
const PATH = /^(Device|InternetGatewayDevice)(\.[A-Za-z0-9_-]+)+$/;

const GENIEACS_FIELDS: Readonly<Record<string, string>> = {
  _id: 'DeviceID.ID',
  '_deviceId._Manufacturer': 'DeviceID.Manufacturer',
  '_deviceId._OUI': 'DeviceID.OUI',
  '_deviceId._ProductClass': 'DeviceID.ProductClass',
  '_deviceId._SerialNumber': 'DeviceID.SerialNumber',
  _lastInform: 'LastInform',
  _registered: 'Registered',
};

function bad(message: string): never {
  throw new AcsError('ACS_ERR_BAD_REQUEST', `sort: ${message}`);
}

function field(name: string, genieacs: boolean): string {
  if (genieacs && name in GENIEACS_FIELDS) return GENIEACS_FIELDS[name];
  if (!genieacs && name in SORT_COLUMNS) return name;
  const path = genieacs && name.endsWith('._value') ? name.slice(0, -'._value'.length) : name;
  if (PATH.test(path)) return path;
  if (name === '_tags' || name === 'Tags') bad(`${name}: a device has a set of tags, there is no order by them`);
  const known = genieacs ? Object.keys(GENIEACS_FIELDS) : Object.keys(SORT_COLUMNS);
  return bad(`unknown field ${JSON.stringify(name)} (${known.join(', ')} or a parameter path without wildcards)`);
}

function genieacsSort(text: string): SortKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return bad(`not JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) bad('must be a JSON object of field to 1 or -1');
  return Object.entries(parsed as Record<string, unknown>).map(([name, dir]) => {
    if (dir !== 1 && dir !== -1) bad(`${name}: the direction is 1 or -1, not ${JSON.stringify(dir)}`);
    return { field: field(name, true), descending: dir === -1 };
  });
}

/** The sort a request asks for; [] (id order) without `sort`. */
export function sortOf(raw: unknown): SortKey[] {
  if (raw === undefined) return [];
  if (typeof raw !== 'string') bad('give it once');
  const order = raw.trim().startsWith('{')
    ? genieacsSort(raw)
    : raw.split(',').map((s) => s.trim()).map((s) => ({ field: field(s.replace(/^-/, ''), false), descending: s.startsWith('-') }));
  if (order.length > MAX_SORT_KEYS) bad(`at most ${MAX_SORT_KEYS} fields`);
  const twice = order.find((k, i) => order.findIndex((o) => o.field === k.field) !== i);
  if (twice) bad(`${twice.field} is given twice`);
  return order;
}

/*
 * Sorted cursors say which keyset they were made for: version 2 since sorts by
 * a parameter compare 64 characters and put devices without it last. A
 * version-1 cursor (no `v`) would resume in the wrong place: refused.
 */
const CURSOR_VERSION = 2;

/** What a cursor is tied to: the fields and directions of its sort. */
function signature(order: SortKey[]): string {
  return order.map((k) => `${k.descending ? '-' : ''}${k.field}`).join(',');
}

export function cursorText(position: Position, order: SortKey[]): string {
  if (order.length === 0) return String(position.id);
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, s: signature(order), k: position.keys, id: position.id })).toString('base64url');
}

function badCursor(message: string): never {
  throw new AcsError('ACS_ERR_BAD_REQUEST', `cursor: ${message}; pass the X-Next-Cursor of the previous page, with the same sort`);
}

const isKeyValue = (v: unknown): v is KeyValue => v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Where the page asked for starts; null without a cursor (the first page). */
export function cursorOf(raw: unknown, order: SortKey[]): Position | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string') badCursor('give it once');
  if (order.length === 0) {
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(id)) badCursor(`${JSON.stringify(raw.slice(0, 40))} is not a cursor of the unsorted list`);
    return { id, keys: [] };
  }
  if (/^\d+$/.test(raw)) badCursor(`it belongs to the unsorted list, not sort=${signature(order)}`);
  let parsed: { v?: unknown; s?: unknown; k?: unknown; id?: unknown } | null;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    return badCursor('not a cursor of a sorted list');
  }
  const { v, s, k, id } = parsed ?? {};
  if (v !== CURSOR_VERSION) badCursor('made by an older version of the ACS; start again from the first page');
  if (s !== signature(order)) badCursor(`it belongs to ${typeof s === 'string' ? `sort=${s || '(none)'}` : 'no sort'}, not sort=${signature(order)}`);
  if (!Array.isArray(k) || k.length !== order.length || !k.every(isKeyValue) || !Number.isSafeInteger(id)) badCursor('damaged');
  return { id: id as number, keys: k };
}
