/**
 * The device of a dry run (`acs provision --device FILE`): a simulated CPE
 * (the simulator's data model and RPC semantics) and the ACS's cache of it,
 * from one of:
 *
 * - a GenieACS-style CSV dump (as `acs sim --model`), or `tr181` / `tr098`
 *   for a device generated from the BBF data model: the cache starts empty,
 *   as for a device the ACS has never seen, or holds the whole model with
 *   `cached` (read at the file's modification time);
 * - a JSON snapshot, this module's own format:
 *   ```json
 *   { "deviceId": { "Manufacturer": "TP-Link", "OUI": "1C61B4", "ProductClass": "Device2", "SerialNumber": "22275A7000395" },
 *     "time": "2024-05-01T12:00:00Z",
 *     "tags": ["lab"],
 *     "parameters": [
 *       { "path": "Device.ManagementServer.PeriodicInformInterval", "value": "60", "type": "xsd:unsignedInt", "writable": true },
 *       { "path": "Device.WiFi.SSID.", "writable": false } ] }
 *   ```
 *   (objects end in "."; `deviceId`, `time` — when it was read, default the
 *   file's modification time — and `tags` are optional, and so are
 *   `firstInform`, `lastBoot` and `lastBootstrap`, epoch ms or ISO dates);
 * - or what the NBI's `GET /devices/:id` returns (DeviceDetail): its rows
 *   are the cache as they are, times included, and so are the device's.
 *
 * A snapshot is both the cache and the simulated device: the device has
 * exactly the snapshot's parameters.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DeviceIdStruct, NotificationLevel, XsdType } from '../cwmp/soap/types';
import { xsdTypeOf } from '../cwmp/soap/values';
import { kindOfPath } from '../db/paths';
import type { CachedParameter, ChannelFault, DeviceKey, EpochMs } from '../db/types';
import { deviceKeyOf } from '../model/device-key';
import { buildBaseModel, createDevice, generateBbfModel, loadCsvModel, type BaseModel, type DeviceModel, type ModelEntry, type NodeRef } from '../sim/model';

/** A problem with the input, located in its file (line 0: no line applies). */
export class DryRunInputError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly line = 0,
    readonly column?: number,
  ) {
    super(`${file}${line > 0 ? `:${line}${column !== undefined ? `:${column}` : ''}` : ''}: ${problem}`);
  }
}

export type DeviceSource = 'csv' | 'bbf' | 'snapshot' | 'nbi';

export interface DryRunDevice {
  source: DeviceSource;
  /** The simulated CPE. */
  model: DeviceModel;
  deviceId: DeviceIdStruct;
  deviceKey: DeviceKey;
  /** The ACS's cache before the session (before the Inform is applied). */
  rows: CachedParameter[];
  /** Tags and channel faults the store holds (snapshots from the NBI, or `tags` of a snapshot). */
  tags: string[];
  channelFaults: ChannelFault[];
  /** The device's times as stored (a precondition's Registered, LastBoot, LastBootstrap); null: not known. */
  times: DeviceTimes;
  /** Things worth saying about how the input was read. */
  notes: string[];
}

export interface DeviceTimes {
  firstInform: EpochMs | null;
  lastBoot: EpochMs | null;
  lastBootstrap: EpochMs | null;
}

const NO_TIMES: DeviceTimes = { firstInform: null, lastBoot: null, lastBootstrap: null };

const ROOTS = ['Device.', 'InternetGatewayDevice.'];

/** Reads `--device`: a CSV dump, tr181 / tr098, or a JSON snapshot (by extension or a leading "{"). */
export function loadDryRunDevice(spec: string, options: { cached?: boolean } = {}): DryRunDevice {
  if (spec === 'tr181' || spec === 'tr098') {
    let base: BaseModel;
    try {
      base = generateBbfModel(spec);
    } catch (err) {
      throw new DryRunInputError(spec, `cannot generate the BBF model: ${(err as Error).message}`);
    }
    return fromModel('bbf', base, options.cached === true, Date.now());
  }
  let text: string;
  let mtime: EpochMs;
  try {
    text = readFileSync(spec, 'utf8');
    mtime = Math.floor(statSync(spec).mtimeMs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DryRunInputError(spec, code === 'ENOENT' ? 'no such file (give a CSV dump, a JSON snapshot, tr181 or tr098)' : (err as Error).message);
  }
  if (path.extname(spec).toLowerCase() === '.json' || /^\s*\{/.test(text)) {
    const device = fromSnapshot(spec, text, mtime);
    if (options.cached) device.notes.push('--cached has no effect on a JSON snapshot: the snapshot is the cache');
    return device;
  }
  let base: BaseModel;
  try {
    base = loadCsvModel(text, { name: path.basename(spec) });
  } catch (err) {
    throw csvError(spec, text, (err as Error).message);
  }
  return fromModel('csv', base, options.cached === true, mtime);
}

/** loadCsvModel's message, placed on the line it is about where one can be found. */
function csvError(file: string, text: string, message: string): DryRunInputError {
  const problem = `not a usable CSV dump: ${message.replace(/^loadCsvModel: /, '')}`;
  if (/column|empty CSV/.test(message)) return new DryRunInputError(file, problem, 1);
  const quoted = /"([^"]+)"/.exec(message)?.[1];
  return new DryRunInputError(file, problem, quoted ? lineOf(text, quoted) : 0);
}

function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  return at < 0 ? 0 : text.slice(0, at).split('\n').length;
}

function fromModel(source: DeviceSource, base: BaseModel, cached: boolean, time: EpochMs): DryRunDevice {
  const model = createDevice(base, identityOf(base));
  const deviceId = model.deviceId();
  const rows = cached ? rowsOfModel(model, time) : [];
  return { source, model, deviceId, deviceKey: deviceKeyOf(deviceId), rows, tags: [], channelFaults: [], times: NO_TIMES, notes: [] };
}

/** The model's own identity (its SerialNumber is required by createDevice; the others keep the model's values). */
function identityOf(base: BaseModel, id?: Partial<DeviceIdStruct>): { SerialNumber: string; OUI?: string; ProductClass?: string; Manufacturer?: string } {
  const own = (rel: string): string | undefined => {
    const i = base.id(base.rootPath + rel);
    return i < 0 ? undefined : base.values[i];
  };
  const serial = id?.SerialNumber ?? own('DeviceInfo.SerialNumber') ?? 'DRYRUN';
  return {
    SerialNumber: serial,
    ...(id?.OUI !== undefined ? { OUI: id.OUI } : {}),
    ...(id?.ProductClass !== undefined ? { ProductClass: id.ProductClass } : {}),
    ...(id?.Manufacturer !== undefined ? { Manufacturer: id.Manufacturer } : {}),
  };
}

/** Every node of the simulated device as the ACS would have cached it after reading it all at `time`. */
function rowsOfModel(model: DeviceModel, time: EpochMs): CachedParameter[] {
  const rows: CachedParameter[] = [];
  const visit = (ref: NodeRef): void => {
    const p = model.pathOf(ref);
    const object = model.isObject(ref);
    const attributes = model.attributesOf(ref);
    rows.push({
      path: p,
      kind: kindOfPath(p),
      value: object ? null : model.reportedValue(ref),
      type: object ? null : model.typeOf(ref),
      writable: model.isWritable(ref),
      notification: attributes.notification,
      accessList: [...attributes.accessList],
      valueTime: object ? null : time,
      namesTime: time,
      attributesTime: time,
    });
  };
  for (const root of model.roots()) model.walk(root, visit);
  return rows;
}

// ------------------------------------------------------------ JSON snapshots

/** One parameter of a snapshot, whichever format it came in: a cached row, its kind from its path. */
type SnapshotParameter = Omit<CachedParameter, 'kind'>;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A device from a snapshot's text (`file` names it in errors); `mtime`: when it was read, unless it says. */
export function fromSnapshot(file: string, text: string, mtime: EpochMs): DryRunDevice {
  const doc = parseJson(file, text);
  const bad = (where: string, problem: string): never => {
    throw new DryRunInputError(file, `${where}: ${problem}`, where.startsWith('parameters[') ? lineOfElement(text, where) : 0);
  };
  if (!isRecord(doc)) return bad('(top level)', 'expected an object with "parameters" (a snapshot, or GET /devices/:id of the REST API)');
  const nbi = typeof doc.deviceKey === 'string';
  const time = doc.time === undefined ? mtime : timeOf(doc.time) ?? bad('time', 'expected epoch milliseconds or an ISO 8601 date');
  if (!Array.isArray(doc.parameters)) return bad('parameters', 'expected an array of { path, value, type, writable }');
  const params = doc.parameters.map((p, i) => snapshotParameter(p, `parameters[${i}]`, nbi ? null : time, bad));
  if (params.length === 0) return bad('parameters', 'is empty: the simulated device needs a data model');
  const rows = cacheRows(params, time, nbi);
  const notes: string[] = [];
  const base = snapshotModel(file, params, notes);

  const deviceIdIn = doc.deviceId === undefined ? undefined : deviceIdOf(doc.deviceId, 'deviceId', bad);
  const fromNbi: Partial<DeviceIdStruct> | undefined = nbi
    ? { Manufacturer: str(doc.manufacturer), OUI: str(doc.oui), ProductClass: str(doc.productClass), SerialNumber: str(doc.serialNumber) }
    : undefined;
  const given = deviceIdIn ?? (fromNbi && Object.values(fromNbi).every((v) => v !== undefined) ? fromNbi : undefined);
  const model = createDevice(base, identityOf(base, given));
  const deviceId = { ...model.deviceId(), ...(given ?? {}) } as DeviceIdStruct;
  const tags = doc.tags === undefined ? [] : Array.isArray(doc.tags) && doc.tags.every((t) => typeof t === 'string') ? (doc.tags as string[]) : bad('tags', 'expected an array of strings');
  const channelFaults = nbi && Array.isArray(doc.channelFaults) ? (doc.channelFaults as unknown as ChannelFault[]) : [];
  const timeField = (k: keyof DeviceTimes): EpochMs | null => (doc[k] === undefined || doc[k] === null ? null : timeOf(doc[k]) ?? bad(k, 'expected epoch milliseconds or an ISO 8601 date'));
  const times: DeviceTimes = { firstInform: timeField('firstInform'), lastBoot: timeField('lastBoot'), lastBootstrap: timeField('lastBootstrap') };
  return {
    source: nbi ? 'nbi' : 'snapshot',
    model,
    deviceId,
    deviceKey: nbi ? (doc.deviceKey as string) : deviceKeyOf(deviceId),
    rows,
    tags,
    channelFaults,
    times,
    notes,
  };
}

function str(v: Json | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function isRecord(v: Json | undefined): v is { [key: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(file: string, text: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    const message = (err as Error).message;
    const lc = /line (\d+) column (\d+)/.exec(message);
    if (lc) return fail(file, `not valid JSON: ${message}`, Number(lc[1]), Number(lc[2]));
    const pos = /position (\d+)/.exec(message);
    if (pos) {
      const before = text.slice(0, Number(pos[1])).split('\n');
      return fail(file, `not valid JSON: ${message}`, before.length, (before.at(-1)?.length ?? 0) + 1);
    }
    return fail(file, `not valid JSON: ${message}`, 0);
  }
}

function fail(file: string, problem: string, line: number, column?: number): never {
  throw new DryRunInputError(file, problem, line, column);
}

/** The line of the i-th element of "parameters" (best effort: the line of its "path"). */
function lineOfElement(text: string, where: string): number {
  const i = Number(/^parameters\[(\d+)\]/.exec(where)?.[1] ?? -1);
  const re = /"path"\s*:/g;
  let m: RegExpExecArray | null = null;
  for (let n = 0; n <= i; n++) {
    m = re.exec(text);
    if (!m) return 0;
  }
  return m ? text.slice(0, m.index).split('\n').length : 0;
}

function timeOf(v: Json | undefined): EpochMs | null {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? null : t;
  }
  return null;
}

function deviceIdOf(v: Json, where: string, bad: (where: string, problem: string) => never): DeviceIdStruct {
  if (!isRecord(v)) return bad(where, 'expected { Manufacturer, OUI, ProductClass, SerialNumber }');
  const out: Record<string, string> = {};
  for (const k of ['Manufacturer', 'OUI', 'ProductClass', 'SerialNumber']) {
    const x = v[k];
    if (typeof x !== 'string') return bad(`${where}.${k}`, 'expected a string');
    out[k] = x;
  }
  return out as unknown as DeviceIdStruct;
}

/**
 * One element of "parameters": { path, value, type, writable } (objects end
 * in "." or say "object": true), or a CachedParameter row of the NBI (kind,
 * times, attributes). `time` stamps the elements that carry no times of
 * their own (null: keep what the row says, the NBI's rows).
 */
function snapshotParameter(v: Json, where: string, time: EpochMs | null, bad: (where: string, problem: string) => never): SnapshotParameter {
  if (!isRecord(v)) return bad(where, 'expected an object { path, value, type, writable }');
  let p = v.path;
  if (typeof p !== 'string' || p === '') return bad(`${where}.path`, 'expected a parameter path');
  const asObject = p.endsWith('.') ? p : `${p}.`;
  if (!ROOTS.some((r) => asObject.startsWith(r))) {
    return bad(`${where}.path`, `"${p}" is not under Device. or InternetGatewayDevice.`);
  }
  const object = p.endsWith('.') || v.object === true || v.kind === 'object' || v.kind === 'instance';
  if (object && !p.endsWith('.')) p += '.';
  if (/\.\./.test(p) || /\s/.test(p)) return bad(`${where}.path`, `"${p}" is not a valid path`);
  const value = v.value;
  if (value !== undefined && value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    return bad(`${where}.value`, 'expected a string, number or boolean');
  }
  let type: XsdType | null = null;
  if (v.type !== undefined && v.type !== null) {
    const t = typeof v.type === 'string' ? xsdTypeOf(v.type.slice(v.type.indexOf(':') + 1)) : undefined;
    if (!t) return bad(`${where}.type`, `${JSON.stringify(v.type)} is not an xsd type (xsd:string, xsd:unsignedInt, xsd:boolean ...)`);
    type = t;
  }
  if (v.writable !== undefined && v.writable !== null && typeof v.writable !== 'boolean') return bad(`${where}.writable`, 'expected true or false');
  const notification = typeof v.notification === 'number' && Number.isInteger(v.notification) && v.notification >= 0 && v.notification <= 6 ? (v.notification as NotificationLevel) : null;
  const accessList = Array.isArray(v.accessList) && v.accessList.every((x) => typeof x === 'string') ? (v.accessList as string[]) : null;
  const rowTime = (k: string): EpochMs | null => (time === null ? timeOf(v[k]) : null);
  return {
    path: p,
    value: object || value === undefined || value === null ? null : String(value),
    type: object ? null : type ?? (value === undefined || value === null ? null : typeof value === 'boolean' ? 'xsd:boolean' : 'xsd:string'),
    writable: v.writable === undefined || v.writable === null ? null : v.writable,
    notification,
    accessList,
    valueTime: time === null ? rowTime('valueTime') : object ? null : time,
    namesTime: time === null ? rowTime('namesTime') : time,
    attributesTime: time === null ? rowTime('attributesTime') : notification !== null ? time : null,
  };
}

/**
 * The cache: the NBI's rows as they are; a snapshot of ours is taken as
 * read in full at its time, so the objects above its parameters are cached
 * (listed) too.
 */
function cacheRows(params: SnapshotParameter[], time: EpochMs, nbi: boolean): CachedParameter[] {
  const rows = new Map<string, CachedParameter>();
  for (const p of params) rows.set(p.path, { ...p, kind: kindOfPath(p.path) });
  if (!nbi) {
    for (const p of params) {
      for (let i = p.path.indexOf('.'); i >= 0 && i < p.path.length - 1; i = p.path.indexOf('.', i + 1)) {
        const a = p.path.slice(0, i + 1);
        if (!rows.has(a)) rows.set(a, { path: a, kind: kindOfPath(a), value: null, type: null, writable: false, notification: null, accessList: null, valueTime: null, namesTime: time, attributesTime: null });
      }
    }
  }
  return [...rows.values()];
}

/**
 * The simulated device of a snapshot. What a snapshot does not know is
 * guessed as for a CSV dump: unknown writability is writable (a parameter
 * the ACS never listed may well be), an empty writable object is a table,
 * AddObject templates of tables without instances come from the BBF model.
 */
function snapshotModel(file: string, params: SnapshotParameter[], notes: string[]): BaseModel {
  const children = new Map<string, number>();
  for (const p of params) {
    const parent = p.path.slice(0, p.path.lastIndexOf('.', p.path.length - 2) + 1);
    children.set(parent, (children.get(parent) ?? 0) + 1);
  }
  let unknown = 0;
  const entries: ModelEntry[] = params.map((p) => {
    if (p.writable === null) unknown++;
    const writable = p.writable ?? true;
    if (p.path.endsWith('.')) return { path: p.path, writable, table: writable && !children.has(p.path) && kindOfPath(p.path) === 'object' };
    return { path: p.path, writable, type: p.type ?? 'xsd:string', value: p.value ?? '', ...(p.notification !== null ? { notification: p.notification } : {}), ...(p.accessList ? { accessList: p.accessList } : {}) };
  });
  if (unknown > 0) notes.push(`${unknown} snapshot entr${unknown === 1 ? 'y has' : 'ies have'} no writable flag: simulated as writable`);
  const tr098 = params.some((p) => p.path.startsWith('InternetGatewayDevice.'));
  try {
    return buildBaseModel(entries, {
      name: path.basename(file),
      fallback: () => {
        try {
          return generateBbfModel(tr098 ? 'tr098' : 'tr181');
        } catch {
          return undefined; // no BBF XML here: tables without instances get empty instances
        }
      },
    });
  } catch (err) {
    throw new DryRunInputError(file, `not a usable snapshot: ${(err as Error).message}`);
  }
}
