/**
 * One simulated device's data model: a copy-on-write overlay over a shared
 * {@link BaseModel}.
 *
 * A fresh view holds only its base, its identity and empty slots: every map
 * is created on the first write that needs it, so 20,000 untouched devices
 * cost 20,000 small objects. What the overlay can hold:
 *  - changed values of base parameters (by path),
 *  - attributes (Notification, AccessList) that differ from the base,
 *  - deleted base instances (a deleted instance hides its subtree),
 *  - added instances, materialised from the table's template as small trees,
 *  - the last instance number used per table (numbers are never reused until
 *    a factory reset),
 *  - pending value changes for the next Inform, and the transfer queue.
 *
 * Nodes are addressed by {@link NodeRef}: a base node id, or an added node.
 */
import type { DeviceIdStruct, NotificationLevel, ParameterValueStruct, XsdType } from '../../cwmp/soap/types';
import { identityKeyOf, type BaseModel } from './base';
import { genericPath, lastSegment, parentPath } from './paths';
import { TransferQueue } from './transfers';
import { NodeFlag, XSD_TYPES, type ActiveNotifyPolicy, type Attributes, type Constraint, type DeviceIdentity } from './types';

/** A node of an instance added by AddObject. */
export interface AddedNode {
  readonly path: string;
  readonly flags: number;
  readonly type: number;
  value: string;
  readonly policy: number;
  readonly notification: number;
  readonly constraint?: Constraint;
  /** Objects only. */
  readonly children?: AddedNode[];
}

/** A node of a device view: a base node id or an added node. */
export type NodeRef = number | AddedNode;

const NO_ACCESS: readonly string[] = Object.freeze([]);

function parseMac(mac: string | undefined): number {
  if (!mac || !/^[0-9A-Fa-f]{2}(?:[:-]?[0-9A-Fa-f]{2}){5}$/.test(mac)) return NaN;
  return parseInt(mac.replace(/[:-]/g, ''), 16);
}

function formatMac(n: number): string {
  const hex = (n % 2 ** 48).toString(16).padStart(12, '0').toUpperCase();
  return hex.replace(/(..)(?!$)/g, '$1:');
}

/** Notification levels whose changes go into the next Inform (passive or active, plus LWN variants that include passive). */
function reported(n: number): boolean {
  return n === 1 || n === 2 || n === 4 || n === 6;
}

export class DeviceModel {
  readonly base: BaseModel;
  private identityValues: DeviceIdentity;
  private macBase: number;
  private changed: Map<string, string> | undefined;
  private attrs: Map<string, Attributes> | undefined;
  private deleted: Set<string> | undefined;
  /** Instances added under base tables, by table path. Tables of added instances keep theirs in `children`. */
  private added: Map<string, AddedNode[]> | undefined;
  private addedIndex: Map<string, AddedNode> | undefined;
  private counters: Map<string, number> | undefined;
  private pending: Set<string> | undefined;
  private activePending = false;
  private queue: TransferQueue | undefined;
  /** Run number of each diagnostics object's current test (by object path). */
  private diagnosticRuns: Map<string, number> | undefined;

  constructor(base: BaseModel, identity: DeviceIdentity) {
    this.base = base;
    this.identityValues = identity;
    this.macBase = parseMac(identity.MACAddress);
  }

  get identity(): DeviceIdentity {
    return this.identityValues;
  }

  /** "Device." or "InternetGatewayDevice.". */
  get root(): string {
    return this.base.rootPath;
  }

  /** FactoryReset: drops every change, added/deleted instance, attribute, pending change and queued transfer. */
  reset(): void {
    this.changed = undefined;
    this.attrs = undefined;
    this.deleted = undefined;
    this.added = undefined;
    this.addedIndex = undefined;
    this.counters = undefined;
    this.pending = undefined;
    this.activePending = false;
    this.queue = undefined;
    this.diagnosticRuns = undefined;
  }

  /**
   * Starts a new run of the diagnostic at `objectPath` (a request, a cancel,
   * a changed input, a reboot): the run in progress, if any, is no longer
   * current and its results are dropped. Returns the new run's number.
   */
  nextDiagnosticRun(objectPath: string): number {
    const n = (this.diagnosticRuns?.get(objectPath) ?? 0) + 1;
    (this.diagnosticRuns ??= new Map()).set(objectPath, n);
    return n;
  }

  /** The current run number of the diagnostic at `objectPath` (0 before any). */
  diagnosticRun(objectPath: string): number {
    return this.diagnosticRuns?.get(objectPath) ?? 0;
  }

  /** The device's transfer queue (created on first use). */
  get transfers(): TransferQueue {
    this.queue ??= new TransferQueue();
    return this.queue;
  }

  /** Queued transfers without creating the queue. */
  get queuedTransferCount(): number {
    return this.queue?.size ?? 0;
  }

  // ------------------------------------------------------------ structure

  /** The node at a path (objects with their trailing "."), or undefined. */
  lookup(path: string): NodeRef | undefined {
    const a = this.addedIndex?.get(path);
    if (a) return a;
    const id = this.base.id(path);
    if (id < 0) return undefined;
    if (this.deleted && this.isDeletedBase(id)) return undefined;
    return id;
  }

  private isDeletedBase(id: number): boolean {
    const { flags, parent, paths } = this.base;
    const deleted = this.deleted;
    if (!deleted) return false;
    for (let p = id; p >= 0; p = parent[p]) {
      if (flags[p] & NodeFlag.Instance && deleted.has(paths[p])) return true;
    }
    return false;
  }

  flagsOf(ref: NodeRef): number {
    return typeof ref === 'number' ? this.base.flags[ref] : ref.flags;
  }

  pathOf(ref: NodeRef): string {
    return typeof ref === 'number' ? this.base.paths[ref] : ref.path;
  }

  isObject(ref: NodeRef): boolean {
    return (this.flagsOf(ref) & NodeFlag.Object) !== 0;
  }

  isWritable(ref: NodeRef): boolean {
    return (this.flagsOf(ref) & NodeFlag.Writable) !== 0;
  }

  isTable(ref: NodeRef): boolean {
    return (this.flagsOf(ref) & NodeFlag.Table) !== 0;
  }

  isInstance(ref: NodeRef): boolean {
    return (this.flagsOf(ref) & NodeFlag.Instance) !== 0;
  }

  typeOf(ref: NodeRef): XsdType {
    return XSD_TYPES[typeof ref === 'number' ? this.base.types[ref] : ref.type];
  }

  constraintOf(ref: NodeRef): Constraint | undefined {
    return typeof ref === 'number' ? this.base.constraintOf(ref) : ref.constraint;
  }

  policyOf(ref: NodeRef): ActiveNotifyPolicy {
    return (typeof ref === 'number' ? this.base.policy[ref] : ref.policy) as ActiveNotifyPolicy;
  }

  /** The root objects. */
  roots(): readonly NodeRef[] {
    return this.base.roots;
  }

  /** Children of an object, in order: base children (minus deleted instances), then added instances. */
  children(ref: NodeRef): NodeRef[] {
    if (typeof ref !== 'number') return ref.children ? ref.children.slice() : [];
    const { end, paths } = this.base;
    const out: NodeRef[] = [];
    const deleted = this.deleted;
    for (let c = ref + 1, e = end[ref]; c < e; c = end[c]) {
      if (!deleted || !deleted.has(paths[c])) out.push(c);
    }
    const extra = this.added?.get(paths[ref]);
    if (extra) for (const a of extra) out.push(a);
    return out;
  }

  /** Calls `visit` for a node and everything below it, in pre-order. */
  walk(ref: NodeRef, visit: (ref: NodeRef) => void): void {
    if (typeof ref === 'number' && !this.deleted && !this.added) {
      for (let i = ref, e = this.base.end[ref]; i < e; i++) visit(i);
      return;
    }
    visit(ref);
    if (this.isObject(ref)) for (const c of this.children(ref)) this.walk(c, visit);
  }

  // ------------------------------------------------------------ values

  /** The value the base (with this device's identity) gives a base parameter. */
  private baseValue(id: number): string {
    const slot = this.base.identitySlot[id];
    if (slot >= 0) {
      const v = this.identityValues[identityKeyOf(slot)];
      if (v !== undefined) return v;
    }
    const mac = this.base.macSlot[id];
    if (mac >= 0 && !Number.isNaN(this.macBase)) return formatMac(this.macBase + mac);
    return this.base.values[id];
  }

  /** The stored value of a parameter (hidden values included). */
  valueOf(ref: NodeRef): string {
    if (typeof ref !== 'number') return ref.value;
    const v = this.changed?.get(this.base.paths[ref]);
    return v !== undefined ? v : this.baseValue(ref);
  }

  /** The value GetParameterValues reports: "" for hidden parameters (passwords). */
  reportedValue(ref: NodeRef): string {
    return this.flagsOf(ref) & NodeFlag.Hidden ? '' : this.valueOf(ref);
  }

  /** The stored value at a path, undefined if there is no such parameter. */
  getValue(path: string): string | undefined {
    const ref = this.lookup(path);
    return ref === undefined || this.isObject(ref) ? undefined : this.valueOf(ref);
  }

  /** A parameter as a ParameterValueStruct (reported value), undefined if absent. */
  parameterValue(path: string): ParameterValueStruct | undefined {
    const ref = this.lookup(path);
    if (ref === undefined || this.isObject(ref)) return undefined;
    return { Name: path, Value: this.reportedValue(ref), type: this.typeOf(ref) };
  }

  /**
   * Stores a value (no checks, no notification: what the ACS or the device's
   * own bookkeeping sets). A pending change of that parameter is dropped: the
   * CPE does not report changes the ACS made.
   */
  setValue(ref: NodeRef, value: string): void {
    if (typeof ref !== 'number') {
      ref.value = value;
    } else {
      const path = this.base.paths[ref];
      if (value === this.baseValue(ref)) this.changed?.delete(path);
      else (this.changed ??= new Map()).set(path, value);
    }
    this.pending?.delete(this.pathOf(ref));
  }

  /** Sets ManagementServer.ParameterKey (if the model has it). */
  setParameterKey(key: string): void {
    const ref = this.lookup(this.root + 'ManagementServer.ParameterKey');
    if (ref !== undefined) this.setValue(ref, key);
  }

  /**
   * A change made by the device itself (uptime, a test, a simulated user):
   * stores the value and, if the parameter's Notification is passive or
   * active, records it for the next Inform. Returns true if the value changed.
   * Throws on an unknown path or an object (a caller bug).
   */
  deviceChange(path: string, value: string): boolean {
    const ref = this.lookup(path);
    if (ref === undefined || this.isObject(ref)) throw new Error(`deviceChange: no parameter ${path}`);
    if (this.valueOf(ref) === value) return false;
    this.setValue(ref, value);
    const n = this.attributesOf(ref).notification;
    if (reported(n)) {
      (this.pending ??= new Set()).add(path);
      if (n === 2) this.activePending = true;
    }
    return true;
  }

  /** Changed parameters with passive/active notification, for the next Inform's ParameterList. */
  pendingValueChanges(): ParameterValueStruct[] {
    const out: ParameterValueStruct[] = [];
    if (!this.pending) return out;
    for (const path of this.pending) {
      const pv = this.parameterValue(path);
      if (pv) out.push(pv);
    }
    return out;
  }

  /** True when a change waits for the next Inform ("4 VALUE CHANGE"). */
  hasValueChanges(): boolean {
    return this.pending !== undefined && this.pending.size > 0;
  }

  /** True when an active notification is pending: the device should open a session ("4 VALUE CHANGE"). */
  hasActiveChange(): boolean {
    return this.activePending;
  }

  /**
   * After an Inform carrying `reported` was accepted: the changes it reported
   * are delivered; one made since (another value) stays for the next Inform.
   */
  clearValueChanges(reported: readonly ParameterValueStruct[]): void {
    if (!this.pending) return;
    for (const pv of reported) if (this.pending.has(pv.Name) && this.parameterValue(pv.Name)?.Value === pv.Value) this.pending.delete(pv.Name);
    this.activePending = [...this.pending].some((path) => this.notificationOf(path) === 2);
    if (this.pending.size === 0) this.pending = undefined;
  }

  private notificationOf(path: string): number | undefined {
    const ref = this.lookup(path);
    return ref === undefined ? undefined : this.attributesOf(ref).notification;
  }

  // ------------------------------------------------------------ attributes

  attributesOf(ref: NodeRef): Attributes {
    const a = this.attrs?.get(this.pathOf(ref));
    if (a) return a;
    if (typeof ref !== 'number') return { notification: ref.notification as NotificationLevel, accessList: NO_ACCESS };
    return { notification: this.base.notification[ref] as NotificationLevel, accessList: this.base.accessListOf(ref) };
  }

  setAttributes(ref: NodeRef, attributes: Attributes): void {
    (this.attrs ??= new Map()).set(this.pathOf(ref), attributes);
  }

  // ------------------------------------------------------------ instances

  /**
   * AddObject: creates the next instance of a table from its template and
   * returns its number (above every number the table has had in this
   * device's life). Updates the table's NumberOfEntries parameter.
   */
  addInstance(table: NodeRef): number {
    const tablePath = this.pathOf(table);
    // A counter, once set, is at least the base's highest number (or 0 after clearTable).
    const last = this.counters?.get(tablePath) ?? (typeof table === 'number' ? this.base.maxInstance(table) : 0);
    const n = last + 1;
    const instPath = `${tablePath}${n}.`;
    const inst: AddedNode = {
      path: instPath,
      flags: NodeFlag.Object | NodeFlag.Instance | (this.flagsOf(table) & NodeFlag.Writable),
      type: 0,
      value: '',
      policy: 0,
      notification: 0,
      children: [],
    };
    const index = (this.addedIndex ??= new Map());
    index.set(instPath, inst);
    const objects = new Map<string, AddedNode>([['', inst]]);
    for (const e of this.base.template(genericPath(instPath))) {
      const isObject = (e.flags & NodeFlag.Object) !== 0;
      const node: AddedNode = {
        path: instPath + e.rel,
        flags: e.flags,
        type: e.type,
        value: e.rel === 'Alias' && e.type === 0 ? `cpe-${n}` : e.value,
        policy: e.policy,
        notification: e.notification,
        constraint: e.constraint,
        children: isObject ? [] : undefined,
      };
      const holder = objects.get(parentPath(e.rel)) ?? inst;
      holder.children?.push(node);
      index.set(node.path, node);
      if (isObject) objects.set(e.rel, node);
    }
    if (typeof table === 'number') {
      const added = (this.added ??= new Map());
      const list = added.get(tablePath);
      if (list) list.push(inst);
      else added.set(tablePath, [inst]);
    } else {
      table.children?.push(inst);
    }
    (this.counters ??= new Map()).set(tablePath, n);
    this.updateCount(tablePath);
    return n;
  }

  /** DeleteObject: removes an instance and its subtree; updates the table's NumberOfEntries parameter. */
  deleteInstance(instance: NodeRef): void {
    const path = this.pathOf(instance);
    const tablePath = parentPath(path);
    if (typeof instance === 'number') {
      (this.deleted ??= new Set()).add(path);
    } else {
      const table = this.lookup(tablePath);
      const siblings = table === undefined ? undefined : typeof table === 'number' ? this.added?.get(tablePath) : table.children;
      const at = siblings?.indexOf(instance) ?? -1;
      if (siblings && at >= 0) siblings.splice(at, 1);
    }
    const under = (p: string): boolean => p.startsWith(path);
    if (this.addedIndex) for (const p of [...this.addedIndex.keys()]) if (under(p)) this.addedIndex.delete(p);
    if (this.added) for (const p of [...this.added.keys()]) if (under(p)) this.added.delete(p);
    if (this.changed) for (const p of [...this.changed.keys()]) if (under(p)) this.changed.delete(p);
    if (this.attrs) for (const p of [...this.attrs.keys()]) if (under(p)) this.attrs.delete(p);
    if (this.pending) for (const p of [...this.pending]) if (under(p)) this.pending.delete(p);
    this.updateCount(tablePath);
  }

  /**
   * Removes every instance of a table and numbers the next one 1 again: the
   * result tables a CPE rewrites at each run (TraceRoute RouteHops, NSLookup
   * Result), unlike tables the ACS adds to.
   */
  clearTable(table: NodeRef): void {
    for (const inst of this.children(table)) this.deleteInstance(inst);
    (this.counters ??= new Map()).set(this.pathOf(table), 0);
    this.updateCount(this.pathOf(table));
  }

  /**
   * Sets the table's NumberOfEntries parameter to its current size: the name
   * the model gives, else "<Table>NumberOfEntries" if it exists, else the name
   * the fallback (BBF) model gives ("LANWLANConfigurationNumberOfEntries").
   */
  private updateCount(tablePath: string): void {
    const table = this.lookup(tablePath);
    if (table === undefined) return;
    const parent = parentPath(tablePath);
    const generic = genericPath(tablePath);
    const own = this.base.numEntriesName(generic, false);
    let counter = this.lookup(parent + (own ?? lastSegment(tablePath) + 'NumberOfEntries'));
    if (counter === undefined && own === undefined) {
      const named = this.base.numEntriesName(generic);
      if (named !== undefined) counter = this.lookup(parent + named);
    }
    if (counter === undefined || this.isObject(counter)) return;
    this.setValue(counter, String(this.children(table).length));
  }

  // ------------------------------------------------------------ identity

  /** The Inform DeviceId, read from DeviceInfo. */
  deviceId(): DeviceIdStruct {
    const info = this.root + 'DeviceInfo.';
    return {
      Manufacturer: this.getValue(info + 'Manufacturer') ?? this.identityValues.Manufacturer ?? '',
      OUI: this.getValue(info + 'ManufacturerOUI') ?? this.identityValues.OUI ?? '',
      ProductClass: this.getValue(info + 'ProductClass') ?? this.identityValues.ProductClass ?? '',
      SerialNumber: this.getValue(info + 'SerialNumber') ?? this.identityValues.SerialNumber,
    };
  }
}

/** A fresh device view over a shared base model. */
export function createDevice(base: BaseModel, identity: DeviceIdentity): DeviceModel {
  return new DeviceModel(base, identity);
}
