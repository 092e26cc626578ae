/**
 * Reader of Broadband Forum data-model XML ("full" documents such as
 * tr-181-2-17-0-cwmp-full.xml and tr-098-1-8-0-full.xml): the object tree of
 * one root with each parameter's access, status and resolved syntax (dataType
 * chains, lists, facets).
 *
 * Everything the document lists is kept, obsoleted and deleted items
 * included, with its status: the simulator keeps only the live ones
 * (bbf.ts), `acs lint` tells a retired path from a typo.
 */
import { resolve } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { XsdType } from '../../cwmp/soap/types';
import { parentPath } from './paths';
import type { Range, RootKind } from './types';

/** Where the BBF XML files live: ../shared/spec/datamodel next to the repository (src/ and dist/ alike). */
export const BBF_DATAMODEL_DIR = resolve(__dirname, '../../../../shared/spec/datamodel');

/** The "full" document of each root. */
export const BBF_FILES: Readonly<Record<RootKind, string>> = {
  tr181: 'tr-181-2-17-0-cwmp-full.xml',
  tr098: 'tr-098-1-8-0-full.xml',
};

/** The root object of each kind, with its trailing ".". */
export const BBF_ROOTS: Readonly<Record<RootKind, string>> = {
  tr181: 'Device.',
  tr098: 'InternetGatewayDevice.',
};

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
export interface BbfSyntax {
  /** The wire type: a list is an xsd:string whatever its items are. */
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

/** "current" when the document says nothing. */
export type BbfStatus = 'current' | 'deprecated' | 'obsoleted' | 'deleted';

export interface BbfParameter {
  name: string;
  /** "readOnly", "readWrite" or "writeOnceReadOnly". */
  access: string;
  status: BbfStatus;
  forcedInform: boolean;
  syntax: BbfSyntax;
  /** The `<default>` value, if any. */
  defaultValue?: string;
  /** Marked hidden or secured in the document. */
  secret: boolean;
  /** The activeNotify attribute, if any ("canDeny", "forceEnabled", ...). */
  activeNotify?: string;
}

export interface BbfObject {
  /** Generic path, e.g. "Device.WiFi.SSID.{i}.". */
  path: string;
  /** "readOnly" or "readWrite" (a table: AddObject/DeleteObject allowed). */
  access: string;
  /** A multi-instance object: the path ends in ".{i}.". */
  isTable: boolean;
  numEntriesParameter?: string;
  status: BbfStatus;
  forcedInform: boolean;
  params: BbfParameter[];
  /** Objects directly below, in document order (a table "A.B.{i}." hangs under "A."). */
  children: BbfObject[];
}

export interface BbfDocument {
  /** The model's name, e.g. "Device:2.17". */
  modelName: string;
  /** The version part of the name, e.g. "2.17". */
  version: string;
  root: BbfObject;
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
function applyFacets(s: BbfSyntax, facets: XNode[]): void {
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

function applyList(s: BbfSyntax, list: XNode): void {
  const size = child(list, 'size');
  s.list = { minItems: num(attr(list, 'minItems')), maxItems: num(attr(list, 'maxItems')), maxLength: num(size && attr(size, 'maxLength')) };
}

class SyntaxResolver {
  private readonly defs = new Map<string, XNode>();
  private readonly resolved = new Map<string, BbfSyntax>();

  constructor(dataTypes: XNode[]) {
    for (const d of dataTypes) {
      const name = attr(d, 'name');
      if (name) this.defs.set(name, d);
    }
  }

  /** The syntax of a named dataType (through its base chain). */
  named(name: string, depth = 0): BbfSyntax {
    const hit = this.resolved.get(name);
    if (hit) return { ...hit };
    const def = this.defs.get(name);
    let s: BbfSyntax = { type: 'xsd:string' };
    if (def && depth < 16) {
      const base = attr(def, 'base');
      if (base) s = this.named(base, depth + 1);
      this.fromChildren(s, kids(def), depth);
    }
    this.resolved.set(name, s);
    return { ...s };
  }

  /** Reads syntax children: list, a primitive or dataType ref (with nested facets), or bare facets. */
  fromChildren(s: BbfSyntax, children: XNode[], depth = 0): BbfSyntax {
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

// ---------------------------------------------------------------- definitions

function statusOf(node: XNode): BbfStatus {
  const status = attr(node, 'status');
  return status === 'deprecated' || status === 'obsoleted' || status === 'deleted' ? status : 'current';
}

function readParam(p: XNode, syntaxes: SyntaxResolver): BbfParameter {
  const syntaxNode = child(p, 'syntax');
  const syntax = syntaxNode ? syntaxes.fromChildren({ type: 'xsd:string' }, kids(syntaxNode)) : { type: 'xsd:string' as XsdType };
  if (syntax.list) syntax.type = 'xsd:string';
  const def = syntaxNode ? child(syntaxNode, 'default') : undefined;
  const param: BbfParameter = {
    name: attr(p, 'name') ?? '',
    access: attr(p, 'access') ?? 'readOnly',
    status: statusOf(p),
    forcedInform: attr(p, 'forcedInform') === 'true',
    syntax,
    secret: syntaxNode !== undefined && (attr(syntaxNode, 'hidden') === 'true' || attr(syntaxNode, 'secured') === 'true'),
  };
  const defValue = def ? attr(def, 'value') : undefined;
  if (defValue !== undefined) param.defaultValue = defValue;
  const activeNotify = attr(p, 'activeNotify');
  if (activeNotify !== undefined) param.activeNotify = activeNotify;
  return param;
}

// Descriptions, profiles, the bibliography, unique keys, units, comments and layout are most of the
// text and never needed: dropping them first halves the parse time.
const UNUSED = /<(description|bibliography|profile|uniqueKey)\b[^>]*?(?:\/>|>[\s\S]*?<\/\1>)|<units\b[^>]*\/>|<!--[\s\S]*?-->/g;

/** The `model` element of a document, with its dataType resolver. */
function parseModel(xml: string, label: string): { model: XNode; modelName: string; syntaxes: SyntaxResolver } {
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
  if (!doc) throw new Error(`${label}: no dm:document`);
  const body = kids(doc);
  const syntaxes = new SyntaxResolver(body.filter((n) => tagOf(n) === 'dataType'));
  const model = body.find((n) => tagOf(n) === 'model');
  if (!model) throw new Error(`${label}: no model element`);
  return { model, modelName: attr(model, 'name') ?? '', syntaxes };
}

/** The objects of a model whose path starts with `rootPath`, as trees: the objects whose parent is not there. */
function readObjects(model: XNode, syntaxes: SyntaxResolver, rootPath: string): BbfObject[] {
  const objects = new Map<string, BbfObject>();
  const tops: BbfObject[] = [];
  for (const o of kids(model)) {
    if (tagOf(o) !== 'object') continue;
    const path = attr(o, 'name') ?? '';
    if (!path.startsWith(rootPath)) continue;
    const isTable = path.endsWith('.{i}.');
    // The parent object: "A.B.{i}." and "A.B." both hang under "A.".
    const owner = parentPath(isTable ? path.slice(0, -4) : path);
    const parent = owner === '' ? undefined : objects.get(owner);
    if (owner !== '' && !parent) continue; // its parent is not in the document
    const def: BbfObject = {
      path,
      access: attr(o, 'access') ?? 'readOnly',
      isTable,
      numEntriesParameter: attr(o, 'numEntriesParameter'),
      status: statusOf(o),
      forcedInform: attr(o, 'forcedInform') === 'true',
      params: kids(o)
        .filter((p) => tagOf(p) === 'parameter')
        .map((p) => readParam(p, syntaxes)),
      children: [],
    };
    objects.set(path, def);
    if (parent) parent.children.push(def);
    else tops.push(def);
  }
  return tops;
}

/**
 * Reads the objects under `rootPath` ("Device." or "InternetGatewayDevice.")
 * of a data-model document. `label` prefixes error messages.
 */
export function readBbfDocument(xml: string, rootPath: string, label = 'readBbfDocument'): BbfDocument {
  const { model, modelName, syntaxes } = parseModel(xml, label);
  const root = readObjects(model, syntaxes, rootPath)[0];
  if (!root) throw new Error(`${label}: no ${rootPath} object`);
  return { modelName, version: modelName.slice(modelName.indexOf(':') + 1), root };
}

/**
 * A service data model (TR-104 "VoiceService:2.0", TR-135 "STBService:1.4",
 * ...): its tables ("VoiceService.{i}.") and the parameters at the model's
 * top, its NumberOfEntries counters, which a root model's Services object
 * holds once the service is mounted there.
 */
export interface BbfServiceDocument {
  modelName: string;
  params: BbfParameter[];
  tables: BbfObject[];
}

/** Reads a service document (its objects are named from the service's table down: "STBService.{i}.Components."). */
export function readBbfServiceDocument(xml: string, label = 'readBbfServiceDocument'): BbfServiceDocument {
  const { model, modelName, syntaxes } = parseModel(xml, label);
  if (attr(model, 'isService') !== 'true') throw new Error(`${label}: ${modelName} is not a service model`);
  const params = kids(model)
    .filter((p) => tagOf(p) === 'parameter')
    .map((p) => readParam(p, syntaxes));
  const tables = readObjects(model, syntaxes, '').filter((o) => o.isTable);
  if (tables.length === 0) throw new Error(`${label}: ${modelName} has no table`);
  return { modelName, params, tables };
}

/** Whether a node is gone from the model (obsoleted or deleted). */
export function isRetired(node: { status: BbfStatus }): boolean {
  return DEAD.has(node.status);
}
