/**
 * Operator vendor profiles: one YAML file per profile in VENDOR_PROFILES_DIR,
 * named after the file (`acme-gw.yaml` → "acme-gw"), checked like presets: a
 * bad file is rejected whole with its line and the problem, the others load.
 *
 * ```yaml
 * precondition: DeviceID.Manufacturer = "ACME" AND DeviceID.ProductClass LIKE "GW%"
 * skipRootListing: true
 * writabilityFrom: listing        # or write (default)
 * booleanLiteral: 1/0             # or true/false (default)
 * dateTimeFormat: seconds-no-zone # or iso (default), seconds
 * aliases:
 *   InternetGatewayDevice.LANDevice.*.WLANConfiguration.*.TransmitPower: InternetGatewayDevice.LANDevice.*.WLANConfiguration.*.X_ACME_TxPower
 * ```
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node as YamlNode, type Pair } from 'yaml';
import { compile } from '../presets/expression';
import { checkAliases } from './aliases';
import type { BooleanLiteral, DateTimeFormat, VendorProfile, VendorProfileError, VendorSettings, WritabilityFrom } from './types';

export const VENDOR_PROFILE_EXTENSIONS = ['.yaml', '.yml'];
const MAX_BYTES = 1 << 20;
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

const BOOLEAN_LITERALS: readonly BooleanLiteral[] = ['true/false', '1/0'];
const DATE_TIME_FORMATS: readonly DateTimeFormat[] = ['iso', 'seconds', 'seconds-no-zone'];
const WRITABILITY: readonly WritabilityFrom[] = ['write', 'listing'];
const KEYS = ['precondition', 'skipRootListing', 'writabilityFrom', 'booleanLiteral', 'dateTimeFormat', 'aliases'];

export type ProfileParse = { ok: true; profile: VendorProfile } | { ok: false; error: VendorProfileError };

/** Thrown inside the parse with the offending node; turned into a VendorProfileError. */
class Invalid extends Error {
  constructor(readonly node: YamlNode | null | undefined, message: string) {
    super(message);
  }
}

/** Parses one profile file's text. Never throws: a problem comes back with its line. */
export function parseVendorProfile(file: string, text: string): ProfileParse {
  const name = path.basename(file).replace(/\.ya?ml$/, '');
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const lineOf = (node: YamlNode | null | undefined): number => (node?.range ? lines.linePos(node.range[0]).line : 0);
  if (doc.errors.length > 0) return { ok: false, error: { file, line: doc.errors[0].linePos?.[0].line ?? 0, message: doc.errors[0].message } };
  if (!NAME.test(name)) return { ok: false, error: { file, line: 0, message: `file name "${name}" is not a profile name (letters, digits, _ . -)` } };
  try {
    return { ok: true, profile: profileOf(name, file, doc.contents) };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, error: { file, line: lineOf(e.node), message: e.message } };
    return { ok: false, error: { file, line: 0, message: `cannot read: ${e instanceof Error ? e.message : String(e)}` } };
  }
}

function profileOf(name: string, file: string, root: YamlNode | null): VendorProfile {
  if (!isMap(root)) throw new Invalid(root, 'expected a mapping of settings (precondition, skipRootListing, ...)');
  const pairs = new Map<string, Pair>();
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!KEYS.includes(key)) throw new Invalid(pair.key as YamlNode, `unknown setting "${key}" (settings: ${KEYS.join(', ')})`);
    pairs.set(key, pair);
  }
  const value = (key: string): YamlNode | undefined => pairs.get(key)?.value as YamlNode | undefined;
  const source = text(value('precondition'), 'precondition', root);
  const compiled = compile(source);
  if (!compiled.ok) throw new Invalid(value('precondition'), `precondition: ${compiled.message} (column ${compiled.column})`);
  const settings: VendorSettings = {};
  const skip = value('skipRootListing');
  if (skip !== undefined) settings.skipRootListing = flag(skip, 'skipRootListing');
  const writability = value('writabilityFrom');
  if (writability !== undefined) settings.writabilityFrom = oneOf(writability, 'writabilityFrom', WRITABILITY);
  const literal = value('booleanLiteral');
  if (literal !== undefined) settings.booleanLiteral = oneOf(literal, 'booleanLiteral', BOOLEAN_LITERALS);
  const format = value('dateTimeFormat');
  if (format !== undefined) settings.dateTimeFormat = oneOf(format, 'dateTimeFormat', DATE_TIME_FORMATS);
  const aliases = value('aliases');
  if (aliases !== undefined) settings.aliases = aliasesOf(aliases);
  return { name, preconditionSource: source, precondition: compiled.expr, settings, source: file };
}

function text(node: YamlNode | undefined, key: string, parent: YamlNode): string {
  if (node === undefined) throw new Invalid(parent, `${key} is required`);
  if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') throw new Invalid(node, `${key}: expected text`);
  return node.value;
}

function flag(node: YamlNode, key: string): boolean {
  if (!isScalar(node) || typeof node.value !== 'boolean') throw new Invalid(node, `${key}: expected true or false`);
  return node.value;
}

function oneOf<T extends string>(node: YamlNode, key: string, allowed: readonly T[]): T {
  const v = isScalar(node) ? String(node.value) : undefined;
  const found = allowed.find((a) => a === v);
  if (found === undefined) throw new Invalid(node, `${key}: expected one of ${allowed.join(', ')}`);
  return found;
}

function aliasesOf(node: YamlNode): Record<string, string> {
  if (!isMap(node)) throw new Invalid(node, 'aliases: expected a mapping of standard path: vendor path');
  const out: Record<string, string> = {};
  for (const pair of node.items) {
    const from = isScalar(pair.key) ? String(pair.key.value) : '';
    const to = isScalar(pair.value) ? String(pair.value.value) : '';
    const problem = checkAliases({ [from]: to });
    if (problem !== null) throw new Invalid(pair.key as YamlNode, `aliases: ${problem}`);
    out[from] = to;
  }
  return out;
}

/** Every profile file of a folder (none when `dir` is empty), and the rejected ones. */
export function loadVendorProfilesDir(dir: string): { profiles: VendorProfile[]; errors: VendorProfileError[] } {
  if (dir === '') return { profiles: [], errors: [] };
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => VENDOR_PROFILE_EXTENSIONS.includes(path.extname(n))).sort();
  } catch (e) {
    return { profiles: [], errors: [{ file: dir, line: 0, message: `cannot read the folder: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  const profiles: VendorProfile[] = [];
  const errors: VendorProfileError[] = [];
  for (const n of names) {
    const file = path.join(dir, n);
    const size = fs.statSync(file).size;
    const parsed = size > MAX_BYTES ? { ok: false as const, error: { file, line: 0, message: `larger than ${MAX_BYTES} bytes` } } : parseVendorProfile(file, fs.readFileSync(file, 'utf8'));
    if (parsed.ok) profiles.push(parsed.profile);
    else errors.push(parsed.error);
  }
  return { profiles, errors };
}

/** "vendor-profiles/acme.yaml:3: message". */
export function formatVendorProfileError(e: VendorProfileError): string {
  return `${e.file}${e.line > 0 ? `:${e.line}` : ''}: ${e.message}`;
}
