/**
 * The BBF service models mounted under a root model's Services object:
 * TR-135 STBService:1 ("stb"), TR-104 VoiceService ("voice": issue 2 from
 * its XML on TR-181, issue 1 as TR-098 gateways have it on TR-098, see
 * bbf-voice-v1.ts) and, for `acs lint` only, TR-140 StorageService.
 *
 * The simulator asks for them by model name ("tr181+stb+voice",
 * "tr098+voice"); `acs lint` mounts every service on both roots, voice as
 * issue 2 and issue 1 together (TR-181 devices in the field have either:
 * the captured TP-Link XX230v has issue 1's VoiceProfile under Device.).
 *
 * Also here: the simulator's values for the services (an STB tuned to a
 * multicast channel, a SIP line wired to its client and network, four
 * codecs), and main-stream statistics that move ({@link advanceStbStatistics}).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BBF_DATAMODEL_DIR, readBbfServiceDocument, type BbfDocument, type BbfObject, type BbfParameter, type BbfServiceDocument } from './bbf-xml';
import { voiceServiceV1 } from './bbf-voice-v1';
import type { RootKind } from './types';

/** Services the simulator can add to a generated model. */
export const SIM_SERVICES = ['stb', 'voice'] as const;
export type ServiceName = (typeof SIM_SERVICES)[number];

/** The service documents, by file name in the data-model folder. */
export const SERVICE_FILES = {
  voice: 'tr-104-2-0-2-cwmp-full.xml',
  stb: 'tr-135-1-4-1-cwmp-full.xml',
  storage: 'tr-140-1-3-1-cwmp-full.xml',
} as const;

type ServiceFile = keyof typeof SERVICE_FILES;

/** The standard each service document is, for messages. */
const SERVICE_SPECS: Readonly<Record<ServiceFile, string>> = { voice: 'TR-104', stb: 'TR-135', storage: 'TR-140' };

/** A model name the simulator accepts: "tr181", "tr098", with "+stb" and/or "+voice". */
export interface BbfModelName {
  root: RootKind;
  services: ServiceName[];
}

/**
 * "tr181+stb+voice" → { root: "tr181", services: ["stb", "voice"] }; null
 * when the name is no BBF model name (a CSV file, say). An unknown service
 * is an error naming the ones there are.
 */
export function parseBbfModelName(spec: string): BbfModelName | null {
  const [root, ...extra] = spec.split('+');
  if (root !== 'tr181' && root !== 'tr098') return null;
  const services = new Set<ServiceName>();
  for (const s of extra) {
    if (!(SIM_SERVICES as readonly string[]).includes(s)) throw new Error(`model ${spec}: no service "${s}" (services: ${SIM_SERVICES.join(', ')})`);
    services.add(s as ServiceName);
  }
  return { root, services: [...services].sort() };
}

// ---------------------------------------------------------------- service documents

const documents = new Map<string, BbfServiceDocument>();

function serviceDocument(dir: string, which: ServiceFile): BbfServiceDocument {
  const file = path.join(dir, SERVICE_FILES[which]);
  let doc = documents.get(file);
  if (!doc) {
    doc = readBbfServiceDocument(readFileSync(file, 'utf8'), `service model ${SERVICE_FILES[which]}`);
    documents.set(file, doc);
  }
  return doc;
}

/** A copy of a service's object tree with its paths under `prefix` ("Device.Services."). */
function mount(o: BbfObject, prefix: string): BbfObject {
  return { ...o, path: prefix + o.path, params: [...o.params], children: o.children.map((c) => mount(c, prefix)) };
}

/** `b` merged into `a` (same path): parameters and children `a` lacks are added, recursively. */
function merge(a: BbfObject, b: BbfObject): BbfObject {
  const names = new Set(a.params.map((p) => p.name));
  const children = a.children.map((c) => {
    const twin = b.children.find((d) => d.path === c.path);
    return twin ? merge(c, twin) : c;
  });
  for (const d of b.children) if (!a.children.some((c) => c.path === d.path)) children.push(d);
  return { ...a, params: [...a.params, ...b.params.filter((p) => !names.has(p.name))], children };
}

/** The counter of a service table at the model's top ("VoiceServiceNumberOfEntries"), for a hand-written model. */
function counterOf(table: BbfObject): BbfParameter {
  return { name: `${table.path.slice(0, -5)}NumberOfEntries`, access: 'readOnly', status: 'current', forcedInform: false, syntax: { type: 'xsd:unsignedInt' }, secret: false };
}

interface Mounted {
  params: BbfParameter[];
  tables: BbfObject[];
}

/** What the simulator mounts for a service on a root. */
function simService(dir: string, kind: RootKind, name: ServiceName): Mounted {
  if (name === 'voice' && kind === 'tr098') {
    const v1 = voiceServiceV1();
    return { params: [counterOf(v1)], tables: [v1] };
  }
  return serviceDocument(dir, name);
}

/** What lint mounts: every service; voice as issues 2 and 1 together. */
function lintServices(dir: string): Mounted[] {
  const out: Mounted[] = [];
  for (const which of Object.keys(SERVICE_FILES) as ServiceFile[]) {
    let doc: Mounted;
    try {
      doc = serviceDocument(dir, which);
    } catch (error) {
      // A service document that is not there leaves the service unchecked, as before services were known.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    if (which === 'voice') doc = { params: doc.params, tables: doc.tables.map((t) => (t.path === 'VoiceService.{i}.' ? merge(t, voiceServiceV1()) : t)) };
    out.push(doc);
  }
  return out;
}

/**
 * What lint names each mounted service by in its messages, by table name:
 * "STBService" → "TR-135 STBService:1.4". Services without a document are left out.
 */
export function lintServiceLabels(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const which of Object.keys(SERVICE_FILES) as ServiceFile[]) {
    let doc: BbfServiceDocument;
    try {
      doc = serviceDocument(dir, which);
    } catch {
      continue; // no document: the service is not checked, nothing to name
    }
    const issue1 = which === 'voice' ? ' (with issue 1\'s VoiceProfile)' : '';
    for (const t of doc.tables) out.set(t.path.slice(0, -5), `${SERVICE_SPECS[which]} ${doc.modelName}${issue1}`);
  }
  return out;
}

/** The document with the services added to its root's Services object (a copy: the document is not changed). */
function mountAll(doc: BbfDocument, services: readonly Mounted[]): BbfDocument {
  const slot = doc.root.children.find((c) => c.path === `${doc.root.path}Services.`);
  if (!slot || services.length === 0) return doc;
  const prefix = slot.path;
  const params = [...slot.params];
  const children = [...slot.children];
  for (const s of services) {
    for (const p of s.params) if (!params.some((q) => q.name === p.name)) params.push(p);
    for (const t of s.tables) children.push(mount(t, prefix));
  }
  const services2: BbfObject = { ...slot, params, children };
  return { ...doc, root: { ...doc.root, children: doc.root.children.map((c) => (c === slot ? services2 : c)) } };
}

/** The simulator's model: `services` mounted on the root document. */
export function withSimServices(doc: BbfDocument, kind: RootKind, services: readonly ServiceName[], dir = BBF_DATAMODEL_DIR): BbfDocument {
  return mountAll(doc, services.map((s) => simService(dir, kind, s)));
}

/** The model `acs lint` checks against: every service document found in `dir`, on the root document. */
export function withLintServices(doc: BbfDocument, dir: string): BbfDocument {
  return mountAll(doc, lintServices(dir));
}

// ---------------------------------------------------------------- simulator values

/** What the generated model needs beyond the documents' defaults. */
export interface ServiceValues {
  /** Values by generic path relative to the root ("Services.STBService.{i}.Enable"): every instance, and AddObject's. */
  generic: Map<string, string>;
  /** Values of one instance, by concrete path relative to the root ("Services.VoiceService.1.Capabilities.Codec.2.Codec"). */
  concrete: Map<string, string>;
  /** Instance counts of tables by generic path relative to the root ("Services.VoiceService.{i}.CodecProfile.{i}."). */
  instances: Map<string, number>;
}

const CODECS: ReadonlyArray<[codec: string, bitRate: string]> = [
  ['G.711ALaw', '64000'],
  ['G.711MuLaw', '64000'],
  ['G.729', '8000'],
  ['G.722', '64000'],
];

/** The simulator's values for the services of a model. */
export function serviceValues(kind: RootKind, services: readonly ServiceName[]): ServiceValues {
  const out: ServiceValues = { generic: new Map(), concrete: new Map(), instances: new Map() };
  const root = kind === 'tr181' ? 'Device.' : 'InternetGatewayDevice.';
  if (services.includes('stb')) stbValues(out);
  if (services.includes('voice') && kind === 'tr181') voiceV2Values(out, root);
  if (services.includes('voice') && kind === 'tr098') voiceV1Values(out);
  return out;
}

function stbValues(out: ServiceValues): void {
  const stb = 'Services.STBService.{i}.';
  const fe = `${stb}Components.FrontEnd.{i}.`;
  const ms = `${stb}ServiceMonitoring.MainStream.{i}.`;
  out.instances.set(`${fe}IP.Inbound.{i}.`, 1);
  for (const [k, v] of [
    [`${stb}Enable`, 'true'],
    [`${fe}Enable`, 'true'],
    [`${fe}Status`, 'Enabled'],
    [`${fe}Name`, 'IP front end'],
    [`${fe}IP.IGMP.Enable`, 'true'],
    [`${fe}IP.IGMP.Status`, 'Enabled'],
    [`${fe}IP.IGMP.ClientVersion`, 'v3'],
    [`${fe}IP.IGMP.MaximumNumberOfConcurrentGroups`, '4'],
    [`${fe}IP.IGMP.MaximumNumberOfTrackedGroups`, '16'],
    [`${fe}IP.IGMP.ClientRobustness`, '2'],
    [`${fe}IP.IGMP.ClientUnsolicitedReportInterval`, '10'],
    [`${fe}IP.ActiveInboundIPStreams`, '1'],
    [`${fe}IP.Inbound.{i}.Status`, 'Enabled'],
    [`${fe}IP.Inbound.{i}.StreamingTransportProtocol`, 'RTP'],
    [`${fe}IP.Inbound.{i}.MultiplexType`, 'MPEG2-TS'],
    [`${fe}IP.Inbound.{i}.DestinationAddress`, '239.1.1.1'],
    [`${fe}IP.Inbound.{i}.DestinationPort`, '5000'],
    [`${stb}AVPlayers.ActiveAVPlayers`, '1'],
    [`${stb}AVPlayers.AVPlayer.{i}.Enable`, 'true'],
    [`${stb}AVPlayers.AVPlayer.{i}.Status`, 'Enabled'],
    [`${stb}AVPlayers.AVPlayer.{i}.AudioLanguage`, 'eng'],
    [`${stb}ServiceMonitoring.SampleEnable`, 'false'],
    [`${stb}ServiceMonitoring.SampleState`, 'Disabled'],
    [`${stb}ServiceMonitoring.SampleInterval`, '3600'],
    [`${stb}ServiceMonitoring.ReportSamples`, '1'],
    [`${stb}ServiceMonitoring.EventsPerSampleInterval`, '1'],
    [`${ms}Enable`, 'false'],
    [`${ms}Status`, 'Disabled'],
    [`${ms}Gmin`, '1'],
  ] as const) out.generic.set(k, v);
}

function voiceV2Values(out: ServiceValues, root: string): void {
  const vs = 'Services.VoiceService.{i}.';
  const one = `${root}Services.VoiceService.1.`;
  out.instances.set(`${vs}Capabilities.Codec.{i}.`, CODECS.length);
  out.instances.set(`${vs}CodecProfile.{i}.`, CODECS.length);
  for (const [k, v] of [
    [`${vs}Capabilities.MaxLineCount`, '2'],
    [`${vs}Capabilities.MaxSessionCount`, '4'],
    [`${vs}CallControl.MaxNumberOfLines`, '2'],
    [`${vs}Capabilities.SIP.Client.Extensions`, 'INVITE,ACK,OPTIONS,BYE,CANCEL,REGISTER,REFER,INFO,PRACK,SUBSCRIBE,NOTIFY,UPDATE'],
    [`${vs}Capabilities.SIP.Client.Transports`, 'UDP,TCP'],
    [`${vs}Capabilities.SIP.Client.URISchemes`, 'sip,tel'],
    [`${vs}SIP.Client.{i}.RegisterMode`, 'RFC3261'],
    [`${vs}SIP.Network.{i}.RegistrationPeriod`, '3300'],
    [`${vs}SIP.Network.{i}.RegisterExpires`, '3600'],
    [`${vs}SIP.Network.{i}.RegisterRetryInterval`, '30'],
    [`${vs}VoIPProfile.{i}.Name`, 'default'],
    [`${vs}CodecProfile.{i}.Enable`, 'true'],
    [`${vs}CodecProfile.{i}.PacketizationPeriod`, '20'],
    [`${vs}CodecProfile.{i}.SilenceSuppression`, 'false'],
  ] as const) out.generic.set(k, v);
  // References of the shipped instances only: a line or client the ACS adds refers to nothing yet.
  const first = 'Services.VoiceService.1.';
  out.concrete.set(`${first}SIP.Client.1.Network`, `${one}SIP.Network.1`);
  out.concrete.set(`${first}SIP.Network.1.VoIPProfile`, `${one}VoIPProfile.1`);
  out.concrete.set(`${first}SIP.Network.1.CodecList`, CODECS.map((_, i) => `${one}CodecProfile.${i + 1}`).join(','));
  out.concrete.set(`${first}CallControl.Line.1.Provider`, `${one}SIP.Client.1`);
  CODECS.forEach(([codec, bitRate], i) => {
    const cap = `Services.VoiceService.1.Capabilities.Codec.${i + 1}.`;
    out.concrete.set(`${cap}Codec`, codec);
    out.concrete.set(`${cap}BitRate`, bitRate);
    out.concrete.set(`${cap}PacketizationPeriod`, '10,20,30');
    out.concrete.set(`Services.VoiceService.1.CodecProfile.${i + 1}.Codec`, `${one}Capabilities.Codec.${i + 1}`);
  });
}

function voiceV1Values(out: ServiceValues): void {
  const vs = 'Services.VoiceService.{i}.';
  const line = `${vs}VoiceProfile.{i}.Line.{i}.`;
  out.instances.set(`${vs}Capabilities.Codecs.{i}.`, CODECS.length);
  out.instances.set(`${vs}PhyInterface.{i}.`, 2);
  out.instances.set(`${vs}VoiceProfile.{i}.Line.{i}.`, 2);
  out.instances.set(`${line}Codec.List.{i}.`, CODECS.length);
  out.generic.set(`${vs}VoiceProfile.{i}.Enable`, 'Enabled');
  out.generic.set(`${vs}VoiceProfile.{i}.Name`, 'SIP');
  for (let p = 1; p <= 2; p++) {
    out.concrete.set(`Services.VoiceService.1.PhyInterface.${p}.PhyPort`, String(p));
    out.concrete.set(`Services.VoiceService.1.PhyInterface.${p}.InterfaceID`, String(p));
    out.concrete.set(`Services.VoiceService.1.PhyInterface.${p}.Description`, `FXS${p}`);
    out.concrete.set(`Services.VoiceService.1.VoiceProfile.1.Line.${p}.PhyReferenceList`, String(p));
  }
  CODECS.forEach(([codec, bitRate], i) => {
    const n = i + 1;
    const cap = `Services.VoiceService.1.Capabilities.Codecs.${n}.`;
    out.concrete.set(`${cap}EntryID`, String(n));
    out.concrete.set(`${cap}Codec`, codec);
    out.concrete.set(`${cap}BitRate`, bitRate);
    for (let l = 1; l <= 2; l++) {
      const entry = `Services.VoiceService.1.VoiceProfile.1.Line.${l}.Codec.List.${n}.`;
      out.concrete.set(`${entry}EntryID`, String(n));
      out.concrete.set(`${entry}Codec`, codec);
      out.concrete.set(`${entry}BitRate`, bitRate);
      out.concrete.set(`${entry}Priority`, String(n));
    }
  });
}
