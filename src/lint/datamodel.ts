/**
 * The BBF data models as `acs lint` checks paths against them: TR-181
 * (Device:2) and TR-098 (InternetGatewayDevice:1), read with the simulator's
 * reader (src/sim/model/bbf-xml.ts) into a tree of path segments.
 *
 * The XML lives outside the repository, in ../shared/spec/datamodel: next to
 * the working directory or next to the code, as the simulator finds it. Each
 * file is read once per process (TR-181 takes ~0.3 s), and only when a
 * provision declares a path under its root.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { XsdType } from '../cwmp/soap/types';
import { lintServiceLabels, withLintServices } from '../sim/model/bbf-services';
import { BBF_DATAMODEL_DIR, BBF_FILES, BBF_ROOTS, readBbfDocument, type BbfObject, type BbfParameter, type BbfStatus, type BbfSyntax } from '../sim/model/bbf-xml';
import type { RootKind } from '../sim/model/types';
import { defaultValue } from '../sim/model/values';

export interface ParamNode {
  kind: 'param';
  /** Generic path ("Device.WiFi.SSID.{i}.Enable"). */
  path: string;
  type: XsdType;
  /** "readOnly", "readWrite" or "writeOnceReadOnly". */
  access: string;
  status: BbfStatus;
  syntax: BbfSyntax;
  /** The value a fresh parameter has: the model's default, else a plausible one. */
  value: string;
}

/** A single-instance object, or the instance of a table ("Device.WiFi.SSID.{i}."). */
export interface ObjectNode {
  kind: 'object';
  /** Generic path with its trailing "." ("Device.WiFi."). */
  path: string;
  status: BbfStatus;
  writable: boolean;
  children: ReadonlyMap<string, ModelNode>;
}

/** A multi-instance object ("Device.WiFi.SSID."): below it come instance numbers, `*` or alias filters. */
export interface TableNode {
  kind: 'table';
  /** Generic path with its trailing "." ("Device.WiFi.SSID."). */
  path: string;
  status: BbfStatus;
  writable: boolean;
  instance: ObjectNode;
}

export type ModelNode = ParamNode | ObjectNode | TableNode;

export interface DataModel {
  kind: RootKind;
  /** "Device:2.17", "InternetGatewayDevice:1.14". */
  name: string;
  /** "TR-181 Device:2.17", for messages. */
  label: string;
  root: ObjectNode;
  /** The service models mounted under the root's Services object, by path prefix: "Device.Services.STBService." → "TR-135 STBService:1.4". */
  services?: ReadonlyMap<string, string>;
}

/** The model a generic path is checked against, for messages: its service model's name under Services, else the root model's. */
export function labelOf(model: DataModel, genericPath: string): string {
  for (const [prefix, label] of model.services ?? []) if (genericPath.startsWith(prefix)) return label;
  return model.label;
}

/** The root segment of each standard model. */
export const MODEL_ROOTS: ReadonlyMap<string, RootKind> = new Map([
  ['Device', 'tr181'],
  ['InternetGatewayDevice', 'tr098'],
]);

function paramNode(p: BbfParameter, objectPath: string): ParamNode {
  const s = p.syntax;
  const constraint = { enumeration: s.enumeration, patterns: s.patterns, minLength: s.minLength, maxLength: s.maxLength, ranges: s.ranges, list: s.list };
  return {
    kind: 'param',
    path: objectPath + p.name,
    type: s.type,
    access: p.access,
    status: p.status,
    syntax: s,
    value: p.defaultValue ?? defaultValue(s.type, constraint),
  };
}

/** The last name of an object path: "A.B." and "A.B.{i}." both give "B". */
function segmentOf(o: BbfObject): string {
  const p = o.isTable ? o.path.slice(0, -5) : o.path.slice(0, -1);
  return p.slice(p.lastIndexOf('.') + 1);
}

function objectNode(o: BbfObject): ObjectNode {
  const children = new Map<string, ModelNode>();
  for (const p of o.params) children.set(p.name, paramNode(p, o.path));
  for (const c of o.children) {
    const instance = objectNode(c);
    const node: ModelNode = c.isTable
      ? { kind: 'table', path: c.path.slice(0, -4), status: c.status, writable: c.access === 'readWrite', instance }
      : instance;
    children.set(segmentOf(c), node);
  }
  return { kind: 'object', path: o.path, status: o.status, writable: o.access === 'readWrite', children };
}

/**
 * Builds the tree of a data-model document's `kind` root. With `servicesDir`,
 * the service models found there (TR-104 voice, issues 2 and 1; TR-135 STB;
 * TR-140 storage) are mounted under its Services object, so their paths are
 * checked too; a service without a document stays unchecked.
 */
export function dataModelFromXml(xml: string, kind: RootKind, servicesDir?: string): DataModel {
  const read = readBbfDocument(xml, BBF_ROOTS[kind], 'acs lint');
  const doc = servicesDir === undefined ? read : withLintServices(read, servicesDir);
  const services = servicesDir === undefined ? undefined : new Map([...lintServiceLabels(servicesDir)].map(([name, label]) => [`${BBF_ROOTS[kind]}Services.${name}.`, label]));
  const spec = kind === 'tr181' ? 'TR-181' : 'TR-098';
  return { kind, name: doc.modelName, label: `${spec} ${doc.modelName}`, root: objectNode(doc.root), ...(services ? { services } : {}) };
}

// ---------------------------------------------------------------- where the XML is

/** The folders where the data model is looked for: ../shared/spec/datamodel from the working directory, then from the code. */
export function dataModelDirs(cwd = process.cwd()): string[] {
  return [...new Set([path.resolve(cwd, '../shared/spec/datamodel'), BBF_DATAMODEL_DIR])];
}

/** The file of a model in a folder. */
export function dataModelFile(dir: string, kind: RootKind): string {
  return path.join(dir, BBF_FILES[kind]);
}

/**
 * Loads the models on demand from the first folder that has their file. A
 * model whose file is nowhere is `null`: its paths are not checked, and
 * {@link DataModels.missing} says why.
 */
export class DataModels {
  private readonly loaded = new Map<RootKind, DataModel | null>();

  /** `dirs`: folders to look in, first match wins (default {@link dataModelDirs}). */
  constructor(private readonly dirs: readonly string[] = dataModelDirs()) {}

  get(kind: RootKind): DataModel | null {
    if (!this.loaded.has(kind)) this.loaded.set(kind, this.load(kind));
    return this.loaded.get(kind) ?? null;
  }

  /** The file each model comes from, or null when no folder has it. */
  fileOf(kind: RootKind): string | null {
    return this.dirs.map((d) => dataModelFile(d, kind)).find((f) => existsSync(f)) ?? null;
  }

  /** Why some model cannot be checked (one line), or null when both are there. */
  missing(): string | null {
    const absent = (['tr181', 'tr098'] as const).filter((k) => this.fileOf(k) === null);
    if (absent.length === 0) return null;
    const roots = absent.map((k) => BBF_ROOTS[k]).join(' and ');
    const files = absent.map((k) => BBF_FILES[k]).join(', ');
    const where = this.dirs.map((d) => path.relative(process.cwd(), d) || '.').join(', ');
    return `data-model check skipped for ${roots} paths: ${files} not found in ${where} (the BBF data model lives in ../shared/spec/datamodel)`;
  }

  private load(kind: RootKind): DataModel | null {
    const file = this.fileOf(kind);
    if (file === null) return null;
    let model = byFile.get(file);
    if (!model) {
      model = dataModelFromXml(readFileSync(file, 'utf8'), kind, path.dirname(file));
      byFile.set(file, model);
    }
    return model;
  }
}

/** Models already read, by file: immutable, so every lint of the process shares them (as the simulator does). */
const byFile = new Map<string, DataModel>();
