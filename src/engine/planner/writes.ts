/**
 * The write round, planned once nothing is left to read: instances deleted
 * and added to meet `instances`, then one SetParameterValues with every
 * value that differs (typed), then one SetParameterAttributes.
 */
import type { ParameterValueStruct, SetParameterAttributesStruct, XsdType } from '../../cwmp/soap/types';
import { typeOf } from '../../model/datamodel-types';
import { isInstanceNumber } from '../../model/instance-number';
import { childrenOf, filtersMatch, type Node } from '../../sandbox/device-view';
import type { PathSegment } from '../../sandbox/path-pattern';
import type { Declaration, ScriptValue, ViewEntry } from '../../sandbox/types';
import { sameValue } from '../../sandbox/values';
import { Collector } from './collect';
import { union } from './reads';
import type { InstanceKeys, InvalidValue, PlanContext, PlannedRequest } from './types';
import { wireValue } from './wire-value';

export interface Writes {
  deletes: Collector<true>;
  /** The instances to add under an object, each with its alias keys. */
  adds: Collector<{ object: string; instances: InstanceKeys[] }>;
  values: Collector<ParameterValueStruct>;
  attributes: Collector<SetParameterAttributesStruct>;
  /** Declared values the parameter's type cannot take: their channels fault. */
  invalid: InvalidValue[];
}

/** How a device wants a value written (a vendor profile's literals, src/vendor); absent: as the planner made it. */
export type WireFormat = (p: ParameterValueStruct) => ParameterValueStruct;

export function newWrites(): Writes {
  return { deletes: new Collector(), adds: new Collector(), values: new Collector(), attributes: new Collector(), invalid: [] };
}

/** More instances than this are never added in one round (the RPC limit faults the channel first). */
const MAX_ADDS = 1024;

/** Adds or deletes instances under every object the pattern's parent part matches. */
export function planInstances(parents: Node[], last: PathSegment, wanted: number | [number, number], channel: string, writes: Writes): void {
  const [min, max] = typeof wanted === 'number' ? [wanted, wanted] : wanted;
  for (const parent of parents) {
    // Only numbered instances count: an object a table also holds ("funcObj.") is neither added nor deleted.
    const siblings = [...childrenOf(parent)].filter((c) => isInstanceNumber(c.path.slice(c.path.lastIndexOf('.') + 1)));
    const matches = siblings.filter((c) => segmentMatches(c, last));
    // Tables and instances the device says are not writable are left alone (AddObject/DeleteObject would be refused).
    if (matches.length > max) {
      for (const m of matches.slice(max)) if (m.row?.writable !== false) writes.deletes.add(`${m.path}.`, channel, true);
    } else if (matches.length < min && last.kind !== 'name' && parent.row?.writable !== false) {
      const keys = last.kind === 'alias' ? last.filters.map((f) => keyValue(parent, f.key, f.value, siblings)) : [];
      const adds = Array.from({ length: Math.min(min - matches.length, MAX_ADDS) }, () => keys);
      // One entry per object and set of keys: two keyed instances of one table are both added.
      writes.adds.set(`${parent.path}.\u0000${JSON.stringify(keys)}`, channel, { object: `${parent.path}.`, instances: adds });
    }
  }
}

/**
 * An alias key as the new instance gets it. Nothing of the instance is cached
 * yet, so its type comes from the data model, else from the same parameter of
 * a sibling instance, else xsd:string.
 */
function keyValue(table: Node, key: string[], value: string, siblings: Node[]): ParameterValueStruct {
  const type = typeOf(`${table.path}.{i}.${key.join('.')}`) ?? siblingType(siblings, key) ?? 'xsd:string';
  const wire = type === 'xsd:boolean' ? String(value === 'true' || value === '1') : value;
  return { Name: key.join('.'), Value: wire, type };
}

/** The cached type of `rest` (names below an instance) in the first of `instances` that has one. */
function siblingType(instances: Iterable<Node>, rest: readonly string[]): XsdType | undefined {
  for (const s of instances) {
    let node: Node | undefined = s;
    for (const name of rest) node = node?.children.get(name);
    if (node?.row?.type) return node.row.type;
  }
  return undefined;
}

/**
 * The type a parameter of unknown type is written with, after the data model:
 * the same parameter in the other instances of the nearest table above it.
 */
function typeFromSiblings(root: Node, path: string): XsdType | undefined {
  const names = path.split('.');
  const at = names.findLastIndex((n) => /^\d+$/.test(n));
  if (at < 0) return undefined;
  let table: Node | undefined = root;
  for (const name of names.slice(0, at)) table = table?.children.get(name);
  if (table === undefined) return undefined;
  const others = [...childrenOf(table)].filter((c) => c.path !== names.slice(0, at + 1).join('.'));
  return siblingType(others, names.slice(at + 1));
}

function segmentMatches(node: Node, seg: PathSegment): boolean {
  if (seg.kind === 'name') return node.path.endsWith(`.${seg.name}`);
  return seg.kind === 'any' || filtersMatch(node, seg.filters);
}

/**
 * Values, notification and access list that differ from what the cache
 * holds. A value is sent with the type declared, else cached, else the data
 * model's, else a sibling instance's, else one its script value suggests
 * (xsd:string for text), as that type's canonical text (wire-value.ts); one the type
 * cannot take is not sent, and faults its channel.
 */
export function planWrites(root: Node, entry: ViewEntry, d: Declaration, channel: string, writes: Writes, format?: WireFormat): void {
  const { value, notification, accessList } = d.values;
  if (value !== undefined && !entry.object && entry.writable !== false) {
    const [wanted, declaredType] = value;
    const type = declaredType ?? entry.type ?? typeOf(entry.path) ?? typeFromSiblings(root, entry.path) ?? inferType(wanted);
    const wire = wireValue(wanted, type);
    if (!wire.ok) {
      writes.invalid.push({ channel, path: entry.path, message: `${entry.path}: ${wire.reason}` });
    } else {
      // Compared as it will be sent: a vendor's dateTime without milliseconds is met by the same seconds on the device.
      const sent = format ? format({ Name: entry.path, Value: wire.value, type }) : { Name: entry.path, Value: wire.value, type };
      if (entry.value === undefined || (entry.type !== undefined && declaredType !== undefined && entry.type !== declaredType) ||
        !sameValue(entry.value, entry.type ?? type, sent.Value)) {
        writes.values.set(entry.path, channel, sent);
      }
    }
  }
  const notifyDiffers = notification !== undefined && entry.notification !== notification;
  const aclDiffers = accessList !== undefined && !sameSet(entry.accessList, accessList);
  if (notifyDiffers || aclDiffers) {
    const name = entry.object ? `${entry.path}.` : entry.path;
    writes.attributes.set(name, channel, {
      Name: name,
      NotificationChange: notifyDiffers,
      Notification: notification ?? 0,
      AccessListChange: aclDiffers,
      AccessList: accessList ?? [],
    });
  }
}

function inferType(v: ScriptValue): XsdType {
  if (typeof v === 'boolean') return 'xsd:boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? (v < 0 ? 'xsd:int' : 'xsd:unsignedInt') : 'xsd:string';
  return 'xsd:string';
}

function sameSet(a: readonly string[] | undefined, b: readonly string[]): boolean {
  if (a === undefined || a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}

export function writeRequests(writes: Writes, ctx: PlanContext): PlannedRequest[] {
  const key = ctx.parameterKey;
  const out: PlannedRequest[] = [];
  for (const { key: path, channels } of writes.deletes.entries()) {
    out.push({ request: { method: 'DeleteObject', ObjectName: path, ParameterKey: key }, channels });
  }
  for (const { value: { object, instances }, channels } of writes.adds.entries()) {
    for (const keys of instances) out.push({ request: { method: 'AddObject', ObjectName: object, ParameterKey: key }, channels, keys });
  }
  const values = writes.values.entries();
  if (values.length > 0) {
    const list = values.map((e) => e.value).sort((a, b) => (a.Name < b.Name ? -1 : 1));
    const paramChannels = Object.fromEntries(values.map((e) => [e.key, e.channels]));
    out.push({ request: { method: 'SetParameterValues', ParameterList: list, ParameterKey: key }, channels: union(values), paramChannels });
  }
  const attributes = writes.attributes.entries();
  if (attributes.length > 0) {
    out.push({ request: { method: 'SetParameterAttributes', ParameterList: attributes.map((e) => e.value) }, channels: union(attributes) });
  }
  return out;
}
