/**
 * The base model: one device model's parameters and objects, immutable and
 * shared (read-only) by every simulated device of that model.
 *
 * Nodes are numbered in depth-first pre-order and kept in parallel arrays, so
 * the subtree of node `i` is the contiguous range [i, end[i]) and its children
 * are i+1, end[i+1], end[end[i+1]], ... while < end[i]. Listing a subtree or
 * the children of an object therefore costs the size of the answer, and the
 * whole model is a few arrays plus one path -> id map.
 */
import type { NotificationLevel, XsdType } from '../../cwmp/soap/types';
import { compareInstances, genericPath, isInstanceSegment, lastSegment, parentPath } from './paths';
import {
  ActiveNotify,
  IDENTITY_PATHS,
  NodeFlag,
  XSD_TYPES,
  typeCode,
  type ActiveNotifyPolicy,
  type Constraint,
  type IdentityKey,
  type RootKind,
} from './types';
import { defaultValue } from './values';

/** One row of a model: an object (path ends in ".") or a parameter. */
export interface ModelEntry {
  readonly path: string;
  readonly writable: boolean;
  /** Parameters only (default xsd:string). */
  readonly type?: XsdType;
  readonly value?: string;
  /** Default Notification attribute (default: 2 for forceEnabled/forceDefaultEnabled, else 0). */
  readonly notification?: NotificationLevel;
  readonly accessList?: readonly string[];
  readonly hidden?: boolean;
  readonly policy?: ActiveNotifyPolicy;
  readonly constraint?: Constraint;
  /** Objects: a multi-instance table even without instances. */
  readonly table?: boolean;
}

/** One node of an instance template, path relative to the instance ("Enable", "Stats.", "Stats.BytesSent"). */
export interface TemplateEntry {
  readonly rel: string;
  readonly flags: number;
  readonly type: number;
  readonly value: string;
  readonly policy: number;
  readonly notification: number;
  readonly constraint?: Constraint;
}

/** What AddObject creates below a new instance, in pre-order; nested tables come without instances. */
export type Template = readonly TemplateEntry[];

export interface BuildOptions {
  /** A label for messages and reports, e.g. "XX230v" or "tr181". */
  readonly name: string;
  /** Instance templates by generic instance path ("Device.WiFi.SSID.{i}."), e.g. from the BBF definitions. */
  readonly templates?: (genericInstancePath: string) => Template | undefined;
  /** NumberOfEntries parameter names by generic table path ("Device.WiFi.SSID." -> "SSIDNumberOfEntries"). */
  readonly numEntries?: ReadonlyMap<string, string>;
  /** Where to find templates (and NumberOfEntries names) this model lacks (evaluated on first need). */
  readonly fallback?: () => BaseModel | undefined;
}

/** A node while a model is built (internal to {@link buildBaseModel}). */
export interface BuildNode {
  seg: string;
  path: string;
  flags: number;
  type: number;
  value: string;
  notification: number;
  policy: number;
  accessList?: readonly string[];
  constraint?: Constraint;
  children: BuildNode[];
}

const MAC_NAME = /MACAddress$|^BSSID$/;
const MAC_VALUE = /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5}$/;
const EMPTY_TEMPLATE: Template = Object.freeze([]);

export class BaseModel {
  readonly name: string;
  /** Number of nodes (objects + parameters). */
  readonly size: number;
  readonly parameterCount: number;
  readonly objectCount: number;
  /** Full paths in pre-order; objects end in ".". */
  readonly paths: readonly string[];
  /** {@link NodeFlag} bits. */
  readonly flags: Uint8Array;
  /** Index into XSD_TYPES (parameters). */
  readonly types: Uint8Array;
  readonly values: readonly string[];
  /** Exclusive end of each node's subtree. */
  readonly end: Int32Array;
  /** Parent id, -1 for a root. */
  readonly parent: Int32Array;
  /** Default Notification attribute. */
  readonly notification: Uint8Array;
  /** {@link ActiveNotify} policy. */
  readonly policy: Uint8Array;
  /** Index into IDENTITY_PATHS of the identity field overriding this parameter, -1 if none. */
  readonly identitySlot: Int8Array;
  /** Rank of this parameter's MAC address among the model's own MAC addresses, -1 if none. */
  readonly macSlot: Int16Array;
  /** Number of distinct own MAC addresses: a device needs a block this large. */
  readonly macCount: number;
  /** Root object ids. */
  readonly roots: readonly number[];
  /** The standard root ("Device." or "InternetGatewayDevice."); the first root when neither. */
  readonly rootPath: string;
  readonly rootKind: RootKind;
  private readonly index: ReadonlyMap<string, number>;
  private readonly constraints: ReadonlyMap<number, Constraint>;
  private readonly accessLists: ReadonlyMap<number, readonly string[]>;
  private readonly schemaTemplates: ((genericInstancePath: string) => Template | undefined) | undefined;
  private readonly numEntries: ReadonlyMap<string, string> | undefined;
  private readonly fallback: (() => BaseModel | undefined) | undefined;
  private templateCache = new Map<string, Template>();
  private templateSources: Map<string, number> | undefined;

  /** Use {@link buildBaseModel}. */
  constructor(roots: readonly BuildNode[], n: number, options: BuildOptions) {
    this.name = options.name;
    this.size = n;
    const paths: string[] = new Array<string>(n);
    const values: string[] = new Array<string>(n);
    this.flags = new Uint8Array(n);
    this.types = new Uint8Array(n);
    this.end = new Int32Array(n);
    this.parent = new Int32Array(n);
    this.notification = new Uint8Array(n);
    this.policy = new Uint8Array(n);
    this.identitySlot = new Int8Array(n).fill(-1);
    this.macSlot = new Int16Array(n).fill(-1);
    const index = new Map<string, number>();
    const constraints = new Map<number, Constraint>();
    const accessLists = new Map<number, readonly string[]>();
    const rootIds: number[] = [];
    let next = 0;
    let params = 0;
    // Iterative pre-order numbering (depth is small, but keep the stack explicit anyway).
    const stack: Array<{ node: BuildNode; parent: number; child: number; id: number }> = [];
    const visit = (node: BuildNode, parent: number): number => {
      const id = next++;
      paths[id] = node.path;
      values[id] = node.value;
      this.flags[id] = node.flags;
      this.types[id] = node.type;
      this.parent[id] = parent;
      this.notification[id] = node.notification;
      this.policy[id] = node.policy;
      index.set(node.path, id);
      if (node.constraint) constraints.set(id, node.constraint);
      if (node.accessList && node.accessList.length > 0) accessLists.set(id, node.accessList);
      if (!(node.flags & NodeFlag.Object)) params++;
      return id;
    };
    for (const root of roots) {
      const rootId = visit(root, -1);
      rootIds.push(rootId);
      stack.push({ node: root, parent: -1, child: 0, id: rootId });
      while (stack.length > 0) {
        const top = stack[stack.length - 1];
        if (top.child < top.node.children.length) {
          const c = top.node.children[top.child++];
          const id = visit(c, top.id);
          stack.push({ node: c, parent: top.id, child: 0, id });
        } else {
          this.end[top.id] = next;
          stack.pop();
        }
      }
    }
    this.paths = paths;
    this.values = values;
    this.index = index;
    this.constraints = constraints;
    this.accessLists = accessLists;
    this.roots = rootIds;
    this.parameterCount = params;
    this.objectCount = n - params;
    const rootNames = rootIds.map((id) => paths[id]);
    this.rootPath = rootNames.find((p) => p === 'Device.' || p === 'InternetGatewayDevice.') ?? rootNames[0] ?? '';
    this.rootKind = this.rootPath === 'InternetGatewayDevice.' ? 'tr098' : 'tr181';
    this.schemaTemplates = options.templates;
    this.numEntries = options.numEntries;
    this.fallback = options.fallback;

    // Identity parameters, under every root.
    IDENTITY_PATHS.forEach(([, rel], slot) => {
      for (const root of rootNames) {
        const id = index.get(root + rel);
        if (id !== undefined && !(this.flags[id] & NodeFlag.Object)) this.identitySlot[id] = slot;
      }
    });
    // The model's own MAC addresses, ranked by value.
    const macs = new Map<string, number[]>();
    for (let id = 0; id < n; id++) {
      if (this.flags[id] & NodeFlag.Object) continue;
      const v = values[id];
      if (!MAC_VALUE.test(v) || v === '00:00:00:00:00:00' || !MAC_NAME.test(lastSegment(paths[id]))) continue;
      const key = v.toLowerCase();
      const ids = macs.get(key);
      if (ids) ids.push(id);
      else macs.set(key, [id]);
    }
    const ranked = [...macs.keys()].sort();
    ranked.forEach((mac, rank) => {
      for (const id of macs.get(mac) ?? []) this.macSlot[id] = rank;
    });
    this.macCount = ranked.length;
  }

  /** The node id of a path (objects with their trailing "."), -1 if none. */
  id(path: string): number {
    return this.index.get(path) ?? -1;
  }

  isObject(id: number): boolean {
    return (this.flags[id] & NodeFlag.Object) !== 0;
  }

  typeOf(id: number): XsdType {
    return XSD_TYPES[this.types[id]];
  }

  constraintOf(id: number): Constraint | undefined {
    return this.constraints.get(id);
  }

  accessListOf(id: number): readonly string[] {
    return this.accessLists.get(id) ?? [];
  }

  /** Child ids of an object, in order. */
  children(id: number): number[] {
    const out: number[] = [];
    for (let c = id + 1, e = this.end[id]; c < e; c = this.end[c]) out.push(c);
    return out;
  }

  /** Highest instance number among a table's instances (0 when empty). */
  maxInstance(tableId: number): number {
    let max = 0;
    for (let c = tableId + 1, e = this.end[tableId]; c < e; c = this.end[c]) {
      const num = Number(lastSegment(this.paths[c]));
      if (num > max) max = num;
    }
    return max;
  }

  /** The NumberOfEntries parameter name of a table (generic path "X.Table."), if the model (or its fallback) names one. */
  numEntriesName(genericTablePath: string, useFallback = true): string | undefined {
    const own = this.numEntries?.get(genericTablePath);
    if (own !== undefined || !useFallback || !this.fallback) return own;
    const fb = this.fallback();
    return fb && fb !== this ? fb.numEntriesName(genericTablePath) : undefined;
  }

  /**
   * What AddObject creates under a new instance of the table whose generic
   * instance path is given ("Device.WiFi.SSID.{i}."): the schema's definition
   * if the model has one, else the largest existing instance of any table with
   * that generic path (values reset to defaults, nested instances dropped),
   * else the fallback model's template, else nothing.
   */
  template(genericInstancePath: string): Template {
    const cached = this.templateCache.get(genericInstancePath);
    if (cached) return cached;
    let t = this.schemaTemplates?.(genericInstancePath);
    if (!t) {
      const source = this.templateSourceMap().get(genericInstancePath);
      if (source !== undefined) t = this.templateFromInstance(source);
    }
    if (!t) {
      const fb = this.fallback?.();
      if (fb && fb !== this) t = fb.template(genericInstancePath);
    }
    t ??= EMPTY_TEMPLATE;
    this.templateCache.set(genericInstancePath, t);
    return t;
  }

  private templateSourceMap(): Map<string, number> {
    if (this.templateSources) return this.templateSources;
    const best = new Map<string, number>();
    for (let id = 0; id < this.size; id++) {
      if (!(this.flags[id] & NodeFlag.Instance)) continue;
      const g = genericPath(this.paths[id]);
      const prev = best.get(g);
      if (prev === undefined || this.end[id] - id > this.end[prev] - prev) best.set(g, id);
    }
    this.templateSources = best;
    return best;
  }

  private templateFromInstance(inst: number): Template {
    const prefix = this.paths[inst].length;
    const out: TemplateEntry[] = [];
    for (let i = inst + 1, e = this.end[inst]; i < e; ) {
      const flags = this.flags[i];
      if (flags & NodeFlag.Instance) {
        i = this.end[i];
        continue;
      }
      const constraint = this.constraints.get(i);
      out.push({
        rel: this.paths[i].slice(prefix),
        flags,
        type: this.types[i],
        value: flags & NodeFlag.Object ? '' : defaultValue(XSD_TYPES[this.types[i]], constraint),
        policy: this.policy[i],
        notification: this.notification[i],
        constraint,
      });
      i++;
    }
    return Object.freeze(out);
  }
}

function defaultNotification(entry: ModelEntry): number {
  if (entry.notification !== undefined) return entry.notification;
  return entry.policy === ActiveNotify.forceEnabled || entry.policy === ActiveNotify.forceDefaultEnabled ? 2 : 0;
}

/**
 * Builds a base model from rows in any order. Missing ancestor objects are
 * created (read-only); objects with numeric names become instances and their
 * parents tables; an empty object whose parent has "<Name>NumberOfEntries"
 * becomes a table too. Instances are ordered by number, other children keep
 * the order of the rows. A later row for the same path replaces the earlier.
 */
export function buildBaseModel(entries: Iterable<ModelEntry>, options: BuildOptions): BaseModel {
  const byPath = new Map<string, BuildNode>();
  const roots: BuildNode[] = [];
  const ensureObject = (path: string): BuildNode => {
    let node = byPath.get(path);
    if (node) return node;
    node = {
      seg: lastSegment(path),
      path,
      flags: NodeFlag.Object,
      type: 0,
      value: '',
      notification: 0,
      policy: 0,
      children: [],
    };
    byPath.set(path, node);
    const pp = parentPath(path);
    if (pp === '') roots.push(node);
    else ensureObject(pp).children.push(node);
    return node;
  };
  for (const e of entries) {
    if (e.path.endsWith('.')) {
      const node = ensureObject(e.path);
      node.flags = NodeFlag.Object | (e.writable ? NodeFlag.Writable : 0) | (e.table ? NodeFlag.Table : 0);
      node.notification = defaultNotification(e);
      node.policy = e.policy ?? 0;
      node.accessList = e.accessList;
      continue;
    }
    const pp = parentPath(e.path);
    if (pp === '') throw new Error(`buildBaseModel(${options.name}): parameter "${e.path}" has no parent object`);
    const parent = ensureObject(pp);
    let node = byPath.get(e.path);
    if (!node) {
      node = { seg: lastSegment(e.path), path: e.path, flags: 0, type: 0, value: '', notification: 0, policy: 0, children: [] };
      byPath.set(e.path, node);
      parent.children.push(node);
    }
    node.flags = (e.writable ? NodeFlag.Writable : 0) | (e.hidden ? NodeFlag.Hidden : 0);
    node.type = typeCode(e.type ?? 'xsd:string');
    node.value = e.value ?? '';
    node.notification = defaultNotification(e);
    node.policy = e.policy ?? 0;
    node.accessList = e.accessList;
    node.constraint = e.constraint;
  }
  const all = [...byPath.values()];
  for (const node of all) {
    if (!(node.flags & NodeFlag.Object)) continue;
    const pp = parentPath(node.path);
    const parent = pp === '' ? undefined : byPath.get(pp);
    if (parent && isInstanceSegment(node.seg)) {
      node.flags |= NodeFlag.Instance;
      parent.flags |= NodeFlag.Table;
    } else if (parent && node.children.length === 0) {
      const counter = byPath.get(pp + node.seg + 'NumberOfEntries');
      if (counter && !(counter.flags & NodeFlag.Object)) node.flags |= NodeFlag.Table;
    }
  }
  for (const node of all) {
    if (node.children.length > 1) node.children.sort((a, b) => compareInstances(a.seg, b.seg));
  }
  return new BaseModel(roots, all.length, options);
}

/** Identity field of an IDENTITY_PATHS slot. */
export function identityKeyOf(slot: number): IdentityKey {
  return IDENTITY_PATHS[slot][0];
}
