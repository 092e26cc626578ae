/**
 * A device as GenieACS's NBI shows it: `_id`, `_deviceId` (`_Manufacturer`,
 * `_OUI`, `_ProductClass`, `_SerialNumber`), `_registered`, `_lastInform`,
 * `_lastBoot`, `_lastBootstrap` (ISO dates; absent when unknown), `_tags`
 * (absent when none), and the cached data model as nested objects: objects
 * `{_object: true, _writable, _timestamp}`, parameters `{_object: false,
 * _value, _type, _writable, _timestamp}` with `_value` typed by `_type`
 * (numbers, booleans; dateTime as an ISO string), as JSON gives MongoDB's.
 *
 * `projection=a,b` keeps `_id` and the named fields, as a MongoDB projection:
 * "InternetGatewayDevice.DeviceInfo" a whole subtree, "….SoftwareVersion._value"
 * one attribute, "_deviceId._SerialNumber" one identity field.
 */
import type { CachedParameter } from '../../db/types';
import { isShownParameter } from '../../model/root-listing';
import { badRequest } from '../../errors';
import { valueAt, type Doc, type Json } from './doc-query';

/** What a document is made of: the device row, its tags, the cached rows a projection needs. */
export interface DeviceRecord {
  key: string;
  manufacturer: string;
  oui: string;
  productClass: string;
  serialNumber: string;
  firstInform: number | null;
  lastInform: number | null;
  lastBoot: number | null;
  lastBootstrap: number | null;
  tags: string[];
  parameters: CachedParameter[];
}

/** Which cached rows a projection needs: none, every one, or those at or below these paths. */
export type ParameterNeed = { all: true } | { all: false; paths: string[] };

export interface Projection {
  fields: string[];
  parameters: ParameterNeed;
}

const MAX_PROJECTION = 100;
const ATTRIBUTE = /\.(_value|_type|_timestamp|_writable|_object)$/;
const PARAMETER = /^(Device|InternetGatewayDevice)(\.[A-Za-z0-9_-]+)*\.?$/;
const FIELD = /^_[A-Za-z]+(\._[A-Za-z]+)?$/;
const INTEGER_TYPES = new Set(['xsd:int', 'xsd:unsignedInt', 'xsd:long', 'xsd:unsignedLong']);

/** `projection=`: absent, every field and parameter; else the fields named and the parameters they need. 400 naming a path that is neither. */
export function projectionOf(raw: string | undefined): Projection | null {
  if (raw === undefined || raw.trim() === '') return null;
  const fields = [...new Set(raw.split(',').map((p) => p.trim()).filter((p) => p !== ''))];
  if (fields.length > MAX_PROJECTION) badRequest(`projection names more than ${MAX_PROJECTION} paths`);
  const paths: string[] = [];
  for (const field of fields) {
    const path = field.replace(ATTRIBUTE, '');
    if (PARAMETER.test(path)) paths.push(path.replace(/\.$/, ''));
    else if (!FIELD.test(field) && !field.startsWith('VirtualParameters.')) {
      badRequest(`projection: ${JSON.stringify(field)} is neither a parameter path nor a device field (_id, _deviceId, _tags, _lastInform ...)`);
    }
  }
  return { fields: fields.map((f) => f.replace(/\.$/, '')), parameters: { all: false, paths } };
}

const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

/** A cached value as MongoDB would hold it for its type. */
export function typedValue(value: string | null, type: string | null): Json {
  if (value === null) return null;
  if (type === 'xsd:boolean') return value === 'true' || value === '1';
  if (type !== null && INTEGER_TYPES.has(type) && /^-?\d+$/.test(value)) return Number(value);
  if (type === 'xsd:dateTime') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? value : new Date(ms).toISOString();
  }
  return value;
}

function attributesOf(p: CachedParameter): Doc {
  const node: Doc = { _object: p.kind !== 'leaf' };
  if (p.writable !== null) node._writable = p.writable;
  if (p.valueTime !== null) node._timestamp = new Date(p.valueTime).toISOString();
  if (p.kind === 'leaf') {
    node._value = typedValue(p.value, p.type);
    if (p.type !== null) node._type = p.type;
  }
  return node;
}

/** The node at `segments` under `root`, made (without attributes) where missing. */
function nodeAt(root: Doc, segments: string[]): Doc {
  let node = root;
  for (const s of segments) {
    const next = node[s];
    node = next !== null && typeof next === 'object' && !Array.isArray(next) ? next : (node[s] = {});
  }
  return node;
}

function withoutUndefined(d: Record<string, Json | undefined>): Doc {
  return Object.fromEntries(Object.entries(d).filter(([, v]) => v !== undefined)) as Doc;
}

export function deviceDocument(r: DeviceRecord): Doc {
  const doc = withoutUndefined({
    _id: r.key,
    _deviceId: { _Manufacturer: r.manufacturer, _OUI: r.oui, _ProductClass: r.productClass, _SerialNumber: r.serialNumber },
    _registered: iso(r.firstInform),
    _lastInform: iso(r.lastInform),
    _lastBoot: iso(r.lastBoot),
    _lastBootstrap: iso(r.lastBootstrap),
    _tags: r.tags.length > 0 ? r.tags : undefined,
  });
  for (const p of r.parameters) {
    if (!isShownParameter(p.path)) continue;
    const segments = p.path.replace(/\.$/, '').split('.');
    Object.assign(nodeAt(doc, segments), attributesOf(p));
  }
  return doc;
}

/** `_id` and the projected fields of `doc`, each at its own path. */
export function project(doc: Doc, projection: Projection | null): Doc {
  if (projection === null) return doc;
  const out: Doc = { _id: doc._id };
  for (const field of projection.fields) {
    const value = valueAt(doc, field);
    if (value === undefined) continue;
    const segments = field.split('.');
    nodeAt(out, segments.slice(0, -1))[segments[segments.length - 1]] = value;
  }
  return out;
}
