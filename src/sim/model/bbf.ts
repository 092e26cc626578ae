/**
 * A plausible device generated from a Broadband Forum "full" data model XML
 * (tr-181-2-17-0-cwmp-full.xml for Device:2, tr-098-1-8-0-full.xml for
 * InternetGatewayDevice:1).
 *
 * Every object and parameter of the model, minus obsoleted/deleted ones and
 * deprecated ones that are not forcedInform. Values: the data model default,
 * else the first enumeration value, the range minimum, false, 0, the Unknown
 * Time, "" (or a value matching the pattern). Tables get one instance, two
 * for a few common ones (WiFi radios/SSIDs/access points, IP and Ethernet
 * interfaces, WLANConfiguration); tables nested more than two tables deep
 * stay empty (AddObject still knows their template). "cpe-<n>" aliases,
 * NumberOfEntries counters matching the instances, identity placeholders.
 *
 * The XML is read once per process and root; the result is cached.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { NotificationLevel, XsdType } from '../../cwmp/soap/types';
import { buildBaseModel, type BaseModel, type ModelEntry, type Template, type TemplateEntry } from './base';
import { genericPath, instanceDepth, lastSegment, parentPath } from './paths';
import { ActiveNotify, NodeFlag, typeCode, type ActiveNotifyPolicy, type Constraint, type Range, type RootKind } from './types';
import { defaultValue } from './values';

/** Where the BBF XML files live: ../shared/spec/datamodel next to the repository (src/ and dist/ alike). */
export const BBF_DATAMODEL_DIR = resolve(__dirname, '../../../../shared/spec/datamodel');

const FILES: Readonly<Record<RootKind, string>> = {
  tr181: 'tr-181-2-17-0-cwmp-full.xml',
  tr098: 'tr-098-1-8-0-full.xml',
};

/** Tables that get two instances. */
const TWO_INSTANCES = new Set([
  'Device.WiFi.Radio.{i}.',
  'Device.WiFi.SSID.{i}.',
  'Device.WiFi.AccessPoint.{i}.',
  'Device.Ethernet.Interface.{i}.',
  'Device.IP.Interface.{i}.',
  'InternetGatewayDevice.LANDevice.{i}.WLANConfiguration.{i}.',
  'InternetGatewayDevice.LANDevice.{i}.LANEthernetInterfaceConfig.{i}.',
]);

/** Deepest table nesting that gets instances. */
const MAX_TABLE_DEPTH = 2;

/** Deeper tables that get an instance anyway: TR-098's WAN connections (forcedInform ExternalIPAddress). */
const DEEP_TABLES = new Set([
  'InternetGatewayDevice.WANDevice.{i}.WANConnectionDevice.{i}.WANIPConnection.{i}.',
  'InternetGatewayDevice.WANDevice.{i}.WANConnectionDevice.{i}.WANPPPConnection.{i}.',
]);

const MAC_NAME = /MACAddress$|^BSSID$/;

/** Placeholder identity and management values, relative to the root. */
function placeholders(kind: RootKind, modelVersion: string): ReadonlyMap<string, string> {
  const productClass = kind === 'tr181' ? 'SIM-TR181' : 'SIM-TR098';
  return new Map([
    ['RootDataModelVersion', modelVersion],
    ['DeviceSummary', `InternetGatewayDevice:${modelVersion}[](Baseline:1)`],
    ['DeviceInfo.Manufacturer', 'ACS Simulator'],
    ['DeviceInfo.ManufacturerOUI', '000000'],
    ['DeviceInfo.ModelName', productClass],
    ['DeviceInfo.Description', `Simulated ${kind === 'tr181' ? 'TR-181' : 'TR-098'} device`],
    ['DeviceInfo.ProductClass', productClass],
    ['DeviceInfo.SerialNumber', 'SIM000000000'],
    ['DeviceInfo.HardwareVersion', '1.0'],
    ['DeviceInfo.SoftwareVersion', '1.0.0'],
    ['DeviceInfo.SpecVersion', '1.0'],
    ['ManagementServer.PeriodicInformEnable', 'true'],
    ['ManagementServer.PeriodicInformInterval', '300'],
  ]);
}

// ---------------------------------------------------------------- XML access

type XNode = Record<string, unknown>;

function tagOf(node: XNode): string {
  for (const k in node) if (k !== ':@') return k;
  return '';
}

function kids(node: XNode): XNode[] {
  const v = node[tagOf(node)];
  return Array.isArray(v) ? (v as XNode[]) : [];
}

function attr(node: XNode, name: string): string | undefined {
  const a = node[':@'] as Record<string, string> | undefined;
  return a?.[name];
}

function child(node: XNode, tag: string): XNode | undefined {
  return kids(node).find((k) => tagOf(k) === tag);
}

// ---------------------------------------------------------------- syntax

const PRIMITIVES: Readonly<Record<string, XsdType>> = {
  string: 'xsd:string',
  int: 'xsd:int',
  unsignedInt: 'xsd:unsignedInt',
  long: 'xsd:long',
  unsignedLong: 'xsd:unsignedLong',
  boolean: 'xsd:boolean',
  dateTime: 'xsd:dateTime',
  base64: 'xsd:base64',
  hexBinary: 'xsd:hexBinary',
  decimal: 'xsd:string',
};

/** A syntax after dataType resolution; facet arrays are replaced (not merged) by a derived definition. */
interface Syntax {
  type: XsdType;
  list?: { minItems?: number; maxItems?: number; maxLength?: number };
  enumeration?: string[];
  /** Enumeration values the ACS may set (access != readOnly). */
  settable?: string[];
  patterns?: RegExp[];
  minLength?: number;
  maxLength?: number;
  ranges?: Range[];
}

const DEAD = new Set(['obsoleted', 'deleted']);

function compilePattern(p: string): RegExp | undefined {
  for (const flags of ['u', '']) {
    try {
      return new RegExp(`^(?:${p})$`, flags);
    } catch {
      // try the next flags; XSD-only syntax (class subtraction) is dropped
    }
  }
  return undefined;
}

function num(text: string | undefined): number | undefined {
  return text === undefined || text === '' ? undefined : Number(text);
}

/** Applies facet elements (size, pattern, enumeration, range) to a syntax, replacing what they redefine. */
function applyFacets(s: Syntax, facets: XNode[]): void {
  const enums = facets.filter((f) => tagOf(f) === 'enumeration' && !DEAD.has(attr(f, 'status') ?? ''));
  if (enums.length > 0) {
    s.enumeration = enums.map((f) => attr(f, 'value') ?? '');
    s.settable = enums.filter((f) => attr(f, 'access') !== 'readOnly').map((f) => attr(f, 'value') ?? '');
  }
  const patterns = facets.filter((f) => tagOf(f) === 'pattern');
  if (patterns.length > 0) {
    s.patterns = patterns.map((f) => compilePattern(attr(f, 'value') ?? '')).filter((r): r is RegExp => r !== undefined);
  }
  const size = facets.find((f) => tagOf(f) === 'size');
  if (size) {
    s.minLength = num(attr(size, 'minLength'));
    s.maxLength = num(attr(size, 'maxLength'));
  }
  const ranges = facets.filter((f) => tagOf(f) === 'range');
  if (ranges.length > 0) {
    s.ranges = ranges.map((f) => ({ min: attr(f, 'minInclusive'), max: attr(f, 'maxInclusive'), step: attr(f, 'step') }));
  }
}

function applyList(s: Syntax, list: XNode): void {
  const size = child(list, 'size');
  s.list = { minItems: num(attr(list, 'minItems')), maxItems: num(attr(list, 'maxItems')), maxLength: num(size && attr(size, 'maxLength')) };
}

class SyntaxResolver {
  private readonly defs = new Map<string, XNode>();
  private readonly resolved = new Map<string, Syntax>();

  constructor(dataTypes: XNode[]) {
    for (const d of dataTypes) {
      const name = attr(d, 'name');
      if (name) this.defs.set(name, d);
    }
  }

  /** The syntax of a named dataType (through its base chain). */
  named(name: string, depth = 0): Syntax {
    const hit = this.resolved.get(name);
    if (hit) return { ...hit };
    const def = this.defs.get(name);
    let s: Syntax = { type: 'xsd:string' };
    if (def && depth < 16) {
      const base = attr(def, 'base');
      if (base) s = this.named(base, depth + 1);
      this.fromChildren(s, kids(def), depth);
    }
    this.resolved.set(name, s);
    return { ...s };
  }

  /** Reads syntax children: list, a primitive or dataType ref (with nested facets), or bare facets. */
  fromChildren(s: Syntax, children: XNode[], depth = 0): Syntax {
    for (const c of children) {
      const tag = tagOf(c);
      if (tag === 'list') applyList(s, c);
      else if (tag in PRIMITIVES) {
        s.type = PRIMITIVES[tag];
        applyFacets(s, kids(c));
      } else if (tag === 'dataType') {
        const ref = attr(c, 'ref') ?? attr(c, 'base');
        if (ref) {
          const list = s.list;
          Object.assign(s, this.named(ref, depth + 1));
          if (list) s.list = list;
        }
        applyFacets(s, kids(c));
      }
    }
    applyFacets(s, children);
    return s;
  }
}

function constraintOf(s: Syntax): Constraint | undefined {
  const c: { -readonly [K in keyof Constraint]: Constraint[K] } = {};
  if (s.settable && s.settable.length > 0) c.enumeration = s.settable;
  if (s.patterns && s.patterns.length > 0) c.patterns = s.patterns;
  if (s.minLength !== undefined) c.minLength = s.minLength;
  if (s.maxLength !== undefined) c.maxLength = s.maxLength;
  if (s.ranges && s.ranges.length > 0) c.ranges = s.ranges;
  if (s.list) c.list = s.list;
  return Object.keys(c).length > 0 ? c : undefined;
}

// ---------------------------------------------------------------- definitions

interface ParamDef {
  name: string;
  writable: boolean;
  type: XsdType;
  constraint?: Constraint;
  value: string;
  hidden: boolean;
  policy: ActiveNotifyPolicy;
}

interface ObjectDef {
  /** Generic path, e.g. "Device.WiFi.SSID.{i}.". */
  path: string;
  writable: boolean;
  isTable: boolean;
  numEntriesParameter?: string;
  params: ParamDef[];
  children: ObjectDef[];
}

const POLICIES: Readonly<Record<string, ActiveNotifyPolicy>> = {
  canDeny: ActiveNotify.canDeny,
  forceEnabled: ActiveNotify.forceEnabled,
  forceDefaultEnabled: ActiveNotify.forceDefaultEnabled,
};

function isLive(node: XNode): boolean {
  const status = attr(node, 'status') ?? 'current';
  if (DEAD.has(status)) return false;
  return status !== 'deprecated' || attr(node, 'forcedInform') === 'true';
}

function readParam(p: XNode, syntaxes: SyntaxResolver, root: string, objectPath: string, fixed: ReadonlyMap<string, string>): ParamDef {
  const name = attr(p, 'name') ?? '';
  const syntaxNode = child(p, 'syntax');
  const s = syntaxNode ? syntaxes.fromChildren({ type: 'xsd:string' }, kids(syntaxNode)) : { type: 'xsd:string' as XsdType };
  if (s.list) s.type = 'xsd:string';
  const constraint = constraintOf(s);
  const def = syntaxNode ? child(syntaxNode, 'default') : undefined;
  const defValue = def ? attr(def, 'value') : undefined;
  const fixedValue = fixed.get(objectPath.slice(root.length) + name);
  const fallback = defaultValue(s.type, s.enumeration ? { ...constraint, enumeration: s.enumeration } : constraint);
  return {
    name,
    writable: attr(p, 'access') === 'readWrite' || attr(p, 'access') === 'writeOnceReadOnly',
    type: s.type,
    constraint,
    value: fixedValue ?? defValue ?? fallback,
    hidden: (syntaxNode && (attr(syntaxNode, 'hidden') === 'true' || attr(syntaxNode, 'secured') === 'true')) || /Password$/.test(name),
    policy: POLICIES[attr(p, 'activeNotify') ?? ''] ?? ActiveNotify.normal,
  };
}

interface Definitions {
  root: ObjectDef;
  version: string;
}

const UNUSED = /<(description|bibliography|profile|uniqueKey)\b[^>]*?(?:\/>|>[\s\S]*?<\/\1>)|<units\b[^>]*\/>|<!--[\s\S]*?-->/g;

function readDefinitions(xml: string, kind: RootKind): Definitions {
  // Descriptions, profiles, the bibliography, unique keys, units, comments and layout are most of the
  // text and never needed: dropping them first halves the parse time.
  const text = xml.replace(UNUSED, '').replace(/>\s+</g, '><');
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    processEntities: false,
  });
  const top = parser.parse(text) as XNode[];
  const doc = top.find((n) => tagOf(n) === 'dm:document');
  if (!doc) throw new Error('generateBbfModel: no dm:document');
  const body = kids(doc);
  const syntaxes = new SyntaxResolver(body.filter((n) => tagOf(n) === 'dataType'));
  const model = body.find((n) => tagOf(n) === 'model');
  if (!model) throw new Error('generateBbfModel: no model element');
  const modelName = attr(model, 'name') ?? '';
  const version = modelName.slice(modelName.indexOf(':') + 1);
  const rootPath = kind === 'tr181' ? 'Device.' : 'InternetGatewayDevice.';
  const fixed = placeholders(kind, version);
  const objects = new Map<string, ObjectDef>();
  let root: ObjectDef | undefined;
  for (const o of kids(model)) {
    if (tagOf(o) !== 'object' || !isLive(o)) continue;
    const path = attr(o, 'name') ?? '';
    if (!path.startsWith(rootPath)) continue;
    const isTable = path.endsWith('.{i}.');
    // The parent object: "A.B.{i}." and "A.B." both hang under "A.".
    const owner = parentPath(isTable ? path.slice(0, -4) : path);
    const parent = owner === '' ? undefined : objects.get(owner);
    if (owner !== '' && !parent) continue; // under a skipped object
    const def: ObjectDef = {
      path,
      writable: attr(o, 'access') === 'readWrite',
      isTable,
      numEntriesParameter: attr(o, 'numEntriesParameter'),
      params: kids(o)
        .filter((p) => tagOf(p) === 'parameter' && isLive(p))
        .map((p) => readParam(p, syntaxes, rootPath, path, fixed)),
      children: [],
    };
    objects.set(path, def);
    if (parent) parent.children.push(def);
    else root ??= def;
  }
  if (!root) throw new Error(`generateBbfModel: no ${rootPath} object`);
  return { root, version };
}

// ---------------------------------------------------------------- generation

function tableSegment(def: ObjectDef): string {
  return lastSegment(def.path.slice(0, -4));
}

function objectSegment(def: ObjectDef): string {
  return def.isTable ? tableSegment(def) : lastSegment(def.path);
}

function instanceCount(def: ObjectDef): number {
  if (instanceDepth(def.path) > MAX_TABLE_DEPTH && !DEEP_TABLES.has(def.path)) return 0;
  return TWO_INSTANCES.has(def.path) ? 2 : 1;
}

function policyNotification(policy: ActiveNotifyPolicy): NotificationLevel | undefined {
  return policy === ActiveNotify.forceEnabled || policy === ActiveNotify.forceDefaultEnabled ? 2 : undefined;
}

/** Rows of the generated device, parents before children. */
function generateEntries(defs: Definitions): ModelEntry[] {
  const out: ModelEntry[] = [];
  let macs = 0;
  // Locally administered placeholders, distinct per parameter: devices remap them from their identity MACAddress.
  const valueOf = (p: ParamDef, instance: number): string => {
    if (p.name === 'Alias' && instance > 0) return `cpe-${instance}`;
    if (p.type === 'xsd:string' && MAC_NAME.test(p.name) && p.value === '' && !p.writable) {
      const n = ++macs;
      return `02:00:00:00:${((n >> 8) & 255).toString(16).padStart(2, '0')}:${(n & 255).toString(16).padStart(2, '0')}`.toUpperCase();
    }
    return p.value;
  };
  const emitParams = (def: ObjectDef, objectPath: string, instance: number): Map<string, number> => {
    const at = new Map<string, number>();
    for (const p of def.params) {
      at.set(p.name, out.length);
      out.push({
        path: objectPath + p.name,
        writable: p.writable,
        type: p.type,
        value: valueOf(p, instance),
        hidden: p.hidden,
        policy: p.policy,
        constraint: p.constraint,
        notification: policyNotification(p.policy),
      });
    }
    return at;
  };
  const emit = (def: ObjectDef, objectPath: string, instance: number, writable: boolean): void => {
    out.push({ path: objectPath, writable });
    const params = emitParams(def, objectPath, instance);
    for (const c of def.children) {
      const seg = objectSegment(c);
      if (!c.isTable) {
        emit(c, objectPath + seg + '.', 0, false);
        continue;
      }
      const tablePath = objectPath + seg + '.';
      out.push({ path: tablePath, writable: c.writable, table: true });
      const count = instanceCount(c);
      for (let i = 1; i <= count; i++) emit(c, `${tablePath}${i}.`, i, c.writable);
      const counter = c.numEntriesParameter ?? seg + 'NumberOfEntries';
      const at = params.get(counter);
      if (at !== undefined) out[at] = { ...out[at], value: String(count) };
    }
  };
  emit(defs.root, defs.root.path, 0, false);
  return out;
}

/** Template of each table by generic instance path, built on demand. */
function templateLookup(defs: Definitions): (generic: string) => Template | undefined {
  const tables = new Map<string, ObjectDef>();
  const index = (def: ObjectDef): void => {
    if (def.isTable) tables.set(def.path, def);
    def.children.forEach(index);
  };
  index(defs.root);
  const cache = new Map<string, Template>();
  return (generic) => {
    const hit = cache.get(generic);
    if (hit) return hit;
    const def = tables.get(generic);
    if (!def) return undefined;
    const out: TemplateEntry[] = [];
    const walk = (d: ObjectDef, rel: string): void => {
      for (const p of d.params) {
        out.push({
          rel: rel + p.name,
          flags: (p.writable ? NodeFlag.Writable : 0) | (p.hidden ? NodeFlag.Hidden : 0),
          type: typeCode(p.type),
          value: p.value,
          policy: p.policy,
          notification: policyNotification(p.policy) ?? 0,
          constraint: p.constraint,
        });
      }
      for (const c of d.children) {
        const seg = objectSegment(c);
        if (c.isTable) {
          out.push({ rel: `${rel}${seg}.`, flags: NodeFlag.Object | NodeFlag.Table | (c.writable ? NodeFlag.Writable : 0), type: 0, value: '', policy: 0, notification: 0 });
        } else {
          out.push({ rel: `${rel}${seg}.`, flags: NodeFlag.Object, type: 0, value: '', policy: 0, notification: 0 });
          walk(c, `${rel}${seg}.`);
        }
      }
    };
    walk(def, '');
    const t = Object.freeze(out);
    cache.set(generic, t);
    return t;
  };
}

function numEntriesNames(defs: Definitions): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (def: ObjectDef): void => {
    if (def.isTable && def.numEntriesParameter) out.set(def.path.slice(0, -4), def.numEntriesParameter);
    def.children.forEach(walk);
  };
  walk(defs.root);
  return out;
}

export interface BbfModelOptions {
  /** The XML text to use instead of the file in {@link BBF_DATAMODEL_DIR} (not cached). */
  readonly xml?: string;
  /** Label of the model (default "tr181" / "tr098"). */
  readonly name?: string;
}

const cache = new Map<RootKind, BaseModel>();

/** Generates (once per process and root, unless `xml` is given) a plausible device of the BBF model. */
export function generateBbfModel(root: RootKind, options: BbfModelOptions = {}): BaseModel {
  const cached = options.xml === undefined ? cache.get(root) : undefined;
  if (cached) return cached;
  const xml = options.xml ?? readFileSync(resolve(BBF_DATAMODEL_DIR, FILES[root]), 'utf8');
  const defs = readDefinitions(xml, root);
  const templates = templateLookup(defs);
  const numEntries = numEntriesNames(defs);
  const model = buildBaseModel(generateEntries(defs), {
    name: options.name ?? root,
    templates,
    numEntries: new Map([...numEntries].map(([k, v]) => [genericPath(k), v])),
  });
  if (options.xml === undefined) cache.set(root, model);
  return model;
}
