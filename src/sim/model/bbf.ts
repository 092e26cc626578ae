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
import type { NotificationLevel, XsdType } from '../../cwmp/soap/types';
import { buildBaseModel, type BaseModel, type ModelEntry, type Template, type TemplateEntry } from './base';
import { serviceValues, withSimServices, type ServiceName, type ServiceValues } from './bbf-services';
import { BBF_DATAMODEL_DIR, BBF_FILES, BBF_ROOTS, isRetired, readBbfDocument, type BbfObject, type BbfParameter, type BbfSyntax } from './bbf-xml';
import { genericPath, instanceDepth, lastSegment } from './paths';
import { ActiveNotify, NodeFlag, typeCode, type ActiveNotifyPolicy, type Constraint, type RootKind } from './types';
import { defaultValue } from './values';

export { BBF_DATAMODEL_DIR };

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
    // Diagnostics inputs as real CPEs ship them (the models' range minimums would time every ping out at 1 ms).
    ...diagnosticsDefaults(kind),
  ]);
}

/** Default inputs of the diagnostics objects, relative to the root. */
function diagnosticsDefaults(kind: RootKind): Array<[string, string]> {
  const [ping, trace, nslookup] =
    kind === 'tr181'
      ? ['IP.Diagnostics.IPPing.', 'IP.Diagnostics.TraceRoute.', 'DNS.Diagnostics.NSLookupDiagnostics.']
      : ['IPPingDiagnostics.', 'TraceRouteDiagnostics.', 'NSLookupDiagnostics.'];
  return [
    [ping + 'NumberOfRepetitions', '3'],
    [ping + 'Timeout', '1000'],
    [ping + 'DataBlockSize', '64'],
    [trace + 'NumberOfTries', '3'],
    [trace + 'Timeout', '5000'],
    [trace + 'DataBlockSize', '38'],
    [trace + 'MaxHopCount', '30'],
    [nslookup + 'NumberOfRepetitions', '1'],
    [nslookup + 'Timeout', '5000'],
  ];
}

// ---------------------------------------------------------------- definitions

function constraintOf(s: BbfSyntax): Constraint | undefined {
  const c: { -readonly [K in keyof Constraint]: Constraint[K] } = {};
  if (s.settable && s.settable.length > 0) c.enumeration = s.settable;
  if (s.patterns && s.patterns.length > 0) c.patterns = s.patterns;
  if (s.minLength !== undefined) c.minLength = s.minLength;
  if (s.maxLength !== undefined) c.maxLength = s.maxLength;
  if (s.ranges && s.ranges.length > 0) c.ranges = s.ranges;
  if (s.list) c.list = s.list;
  return Object.keys(c).length > 0 ? c : undefined;
}

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

/** Simulated: neither obsoleted nor deleted, and not deprecated unless forcedInform. */
function isLive(node: BbfObject | BbfParameter): boolean {
  if (isRetired(node)) return false;
  return node.status !== 'deprecated' || node.forcedInform;
}

function paramDef(p: BbfParameter, root: string, objectPath: string, fixed: ReadonlyMap<string, string>): ParamDef {
  const s = p.syntax;
  const constraint = constraintOf(s);
  const fixedValue = fixed.get(objectPath.slice(root.length) + p.name);
  const fallback = defaultValue(s.type, s.enumeration ? { ...constraint, enumeration: s.enumeration } : constraint);
  return {
    name: p.name,
    writable: p.access === 'readWrite' || p.access === 'writeOnceReadOnly',
    type: s.type,
    constraint,
    value: fixedValue ?? p.defaultValue ?? fallback,
    hidden: p.secret || /Password$/.test(p.name),
    policy: POLICIES[p.activeNotify ?? ''] ?? ActiveNotify.normal,
  };
}

interface Definitions {
  root: ObjectDef;
  version: string;
  /** The services' instance counts and per-instance values. */
  extra: ServiceValues;
}

/** The live part of the document, with the simulator's values. */
function readDefinitions(xml: string, kind: RootKind, services: readonly ServiceName[]): Definitions {
  const rootPath = BBF_ROOTS[kind];
  const doc = withSimServices(readBbfDocument(xml, rootPath, 'generateBbfModel'), kind, services);
  const extra = serviceValues(kind, services);
  const fixed = new Map([...placeholders(kind, doc.version), ...extra.generic]);
  const convert = (o: BbfObject): ObjectDef => ({
    path: o.path,
    writable: o.access === 'readWrite',
    isTable: o.isTable,
    numEntriesParameter: o.numEntriesParameter,
    params: o.params.filter(isLive).map((p) => paramDef(p, rootPath, o.path, fixed)),
    children: o.children.filter(isLive).map(convert),
  });
  if (!isLive(doc.root)) throw new Error(`generateBbfModel: no ${rootPath} object`);
  return { root: convert(doc.root), version: doc.version, extra };
}

// ---------------------------------------------------------------- generation

function tableSegment(def: ObjectDef): string {
  return lastSegment(def.path.slice(0, -4));
}

function objectSegment(def: ObjectDef): string {
  return def.isTable ? tableSegment(def) : lastSegment(def.path);
}

function instanceCount(def: ObjectDef, extra: ServiceValues): number {
  const asked = extra.instances.get(def.path.slice(def.path.indexOf('.') + 1));
  if (asked !== undefined) return asked;
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
  const rootLength = defs.root.path.length;
  const emitParams = (def: ObjectDef, objectPath: string, instance: number): Map<string, number> => {
    const at = new Map<string, number>();
    for (const p of def.params) {
      at.set(p.name, out.length);
      out.push({
        path: objectPath + p.name,
        writable: p.writable,
        type: p.type,
        value: defs.extra.concrete.get(objectPath.slice(rootLength) + p.name) ?? valueOf(p, instance),
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
      const count = instanceCount(c, defs.extra);
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
  /** Label of the model (default "tr181" / "tr098", with "+stb", "+voice" for services). */
  readonly name?: string;
  /** Service models mounted under Services (bbf-services.ts): TR-135 STB, TR-104 voice (issue 2 on TR-181, issue 1 on TR-098). */
  readonly services?: readonly ServiceName[];
}

const cache = new Map<string, BaseModel>();

/** Generates (once per process and root, unless `xml` is given) a plausible device of the BBF model. */
export function generateBbfModel(root: RootKind, options: BbfModelOptions = {}): BaseModel {
  const services = [...new Set(options.services ?? [])].sort();
  const key = [root, ...services].join('+');
  const cached = options.xml === undefined ? cache.get(key) : undefined;
  if (cached) return cached;
  const xml = options.xml ?? readFileSync(resolve(BBF_DATAMODEL_DIR, BBF_FILES[root]), 'utf8');
  const defs = readDefinitions(xml, root, services);
  const templates = templateLookup(defs);
  const numEntries = numEntriesNames(defs);
  const model = buildBaseModel(generateEntries(defs), {
    name: options.name ?? key,
    templates,
    numEntries: new Map([...numEntries].map(([k, v]) => [genericPath(k), v])),
  });
  if (options.xml === undefined) cache.set(key, model);
  return model;
}
