/**
 * Reads preset files. One YAML file per preset; its base name is the
 * preset's name. Every problem becomes a {@link PresetError} naming the file
 * and line (and column where one applies); loading never throws.
 *
 * ```yaml
 * # presets/wifi.yaml
 * events: ["0 BOOTSTRAP", "1 BOOT", "-2 PERIODIC"]   # all required; "-" = must be absent
 * precondition: DeviceID.ProductClass = "XX230v" AND Device.DeviceInfo.SoftwareVersion < "1.2"
 * schedule: { cron: "0 2 * * *", duration: 2h }       # UTC; duration in seconds or 90s/30m/2h/1d/1h30m
 * weight: 10                                          # lower first; default 0
 * channel: wifi                                       # default "default"
 * provisions:
 *   - [wifi, "HomeNet", "s3cret"]                     # provisions/wifi.js, args ["HomeNet", "s3cret"]
 *   - refresh                                         # no arguments
 * ```
 * Every key is optional; unknown keys are errors.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Document, LineCounter, Scalar, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Node as YamlNode, ParsedNode } from 'yaml';
import { compile } from './expression';
import { parseCron } from './cron';
import { checkEventCode } from './events';
import type { Preset, PresetError, PresetSchedule, ProvisionCall } from './types';

export const PRESET_EXTENSIONS = ['.yaml', '.yml'];
/** Larger files are refused unread: a preset is a few lines. */
export const MAX_PRESET_BYTES = 1 << 20;

const MAX_CHANNEL_LENGTH = 255;

const KEYS = ['events', 'precondition', 'schedule', 'weight', 'channel', 'provisions'];
/** What a preset may call: a script's base name. */
export const PROVISION_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export interface ParseOptions {
  /** The preset's name; default: the file's base name (a preset from the database has a pseudo file name). */
  name?: string;
  /** When given, a provision not in the set is an error. */
  knownProvisions?: Set<string>;
}

export type ParseResult = { ok: true; preset: Preset } | { ok: false; errors: PresetError[] };

/** Whether a directory entry is a preset file (by extension; dot files are editor droppings). */
export function isPresetFile(name: string): boolean {
  return !name.startsWith('.') && PRESET_EXTENSIONS.includes(path.extname(name).toLowerCase());
}

/** "presets/wifi.yaml" → "wifi". */
export function presetNameOf(file: string): string {
  return path.basename(file, path.extname(file));
}

class FileContext {
  readonly errors: PresetError[] = [];
  constructor(
    readonly file: string,
    readonly src: string,
    readonly lines: LineCounter,
  ) {}

  /** Records an error at a source offset. */
  at(offset: number, message: string): void {
    const { line, col } = this.lines.linePos(Math.max(0, Math.min(offset, this.src.length)));
    this.errors.push({ file: this.file, line, column: col, message });
  }

  /** Records an error at the start of a node. */
  node(node: YamlNode | null | undefined, message: string, fallback = 0): void {
    this.at(node?.range?.[0] ?? fallback, message);
  }
}

/**
 * Source offsets of the non-whitespace characters of a scalar's value, in
 * order, or null when the scalar's source cannot be aligned with its value.
 * Whitespace is what YAML folds, so non-whitespace characters map one to
 * one; quoted scalars have their escapes decoded on the way.
 */
function scalarCharOffsets(node: Scalar, src: string): number[] | null {
  const range = node.range;
  if (!range) return null;
  const [start, end] = range;
  const out: number[] = [];
  const isWs = (s: string): boolean => /\s/.test(s);
  const pushDecoded = (decoded: string, offset: number): void => {
    for (const ch of decoded.split('')) if (!isWs(ch)) out.push(offset);
  };
  switch (node.type) {
    case Scalar.PLAIN:
      for (let i = start; i < end; i++) if (!isWs(src[i])) out.push(i);
      return out;
    case Scalar.BLOCK_LITERAL:
    case Scalar.BLOCK_FOLDED: {
      const nl = src.indexOf('\n', start);
      if (nl < 0 || nl >= end) return out;
      for (let i = nl + 1; i < end; i++) if (!isWs(src[i])) out.push(i);
      return out;
    }
    case Scalar.QUOTE_SINGLE:
      for (let i = start + 1; i < end - 1; i++) {
        if (src[i] === "'" && src[i + 1] === "'") {
          out.push(i);
          i++;
        } else if (!isWs(src[i])) {
          out.push(i);
        }
      }
      return out;
    case Scalar.QUOTE_DOUBLE: {
      const simple: Record<string, string> = {
        '0': '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b',
        ' ': ' ', '"': '"', '/': '/', '\\': '\\', N: '\x85', _: '\xa0', L: '\u2028', P: '\u2029',
      };
      const hexLen: Record<string, number> = { x: 2, u: 4, U: 8 };
      for (let i = start + 1; i < end - 1; i++) {
        const c = src[i];
        if (c !== '\\') {
          if (!isWs(c)) out.push(i);
          continue;
        }
        const e = src[i + 1];
        if (e === '\n' || e === '\r') {
          i++; // line continuation: no character
        } else if (e in simple) {
          pushDecoded(simple[e], i);
          i++;
        } else if (e in hexLen) {
          const n = hexLen[e];
          const code = parseInt(src.slice(i + 2, i + 2 + n), 16);
          if (!Number.isFinite(code)) return null;
          pushDecoded(String.fromCodePoint(code), i);
          i += 1 + n;
        } else {
          return null;
        }
      }
      return out;
    }
    default:
      return null;
  }
}

/**
 * Maps a 0-based index in a scalar's string value to an offset in the
 * file, so that an error inside an expression points at the file's line
 * and column. Falls back to the scalar's start.
 */
export function valueIndexToOffset(node: Scalar, src: string, index: number): number {
  const start = node.range?.[0] ?? 0;
  const value = String(node.value);
  const offsets = scalarCharOffsets(node, src);
  if (!offsets) return start;
  const valueNonWs = value.split('').filter((c) => !/\s/.test(c)).length;
  if (valueNonWs !== offsets.length) return start;
  let before = 0;
  for (let i = 0; i < Math.min(index, value.length); i++) if (!/\s/.test(value[i])) before++;
  if (index < value.length && !/\s/.test(value[index])) return offsets[before];
  // On whitespace or past the end: just after the last character before it.
  if (before === 0) return offsets.length > 0 ? offsets[0] : start;
  return offsets[before - 1] + 1;
}

function parseDuration(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) && v > 0 ? v : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) > 0 ? Number(s) : null;
  const m = /^(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$/.exec(s);
  if (!m || s === '') return null;
  const total = Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
  return total > 0 ? total : null;
}

function describeNode(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    return v === null ? 'null' : typeof v === 'string' ? `the string "${v}"` : `${typeof v} ${String(v)}`;
  }
  return 'nothing';
}

/** Scalars in the document, aliases resolved; null for anything else. */
function scalarOf(doc: Document, node: unknown, ctx: FileContext): Scalar | null {
  if (isAlias(node)) {
    const target = node.resolve(doc);
    if (!target) {
      ctx.node(node, `unknown YAML alias '*${node.source}'`);
      return null;
    }
    return isScalar(target) ? target : null;
  }
  return isScalar(node) ? node : null;
}

/** A custom YAML tag ("!2 PERIODIC" unquoted) silently changes a value: refuse it. */
function checkTag(node: Scalar, ctx: FileContext, hint = ''): boolean {
  if (node.tag && node.tag.startsWith('!') && !node.tag.startsWith('tag:yaml.org,2002:')) {
    ctx.node(node, `unexpected YAML tag '${node.tag}'${hint}`);
    return false;
  }
  return true;
}

function parseEvents(doc: Document, node: unknown, ctx: FileContext): Preset['events'] {
  const events: Preset['events'] = { all: [], none: [] };
  if (isScalar(node) && node.value === null) return events;
  if (!isSeq(node)) {
    ctx.node(node as YamlNode, `events must be a list of event codes (e.g. ["0 BOOTSTRAP", "-2 PERIODIC"]), found ${describeNode(node)}`);
    return events;
  }
  const seen = new Map<string, boolean>();
  for (const item of node.items) {
    const s = scalarOf(doc, item, ctx);
    if (!s || typeof s.value !== 'string') {
      ctx.node(item as YamlNode, `an event must be a string such as "1 BOOT", found ${describeNode(s ?? item)}`);
      continue;
    }
    if (!checkTag(s, ctx, `: quote the event, and write "-2 PERIODIC" (not "!2 PERIODIC") to exclude one`)) continue;
    let code = s.value.trim();
    let negated = false;
    if (code.startsWith('!')) {
      ctx.node(s, `write "-${code.slice(1)}" to exclude an event ("!" is not used: unquoted, it starts a YAML tag)`);
      continue;
    }
    if (code.startsWith('-')) {
      negated = true;
      code = code.slice(1).trimStart();
    }
    const problem = checkEventCode(code);
    if (problem) {
      ctx.node(s, problem);
      continue;
    }
    const prev = seen.get(code);
    if (prev !== undefined) {
      ctx.node(s, prev === negated ? `event '${code}' is listed twice` : `event '${code}' is both required and excluded`);
      continue;
    }
    seen.set(code, negated);
    (negated ? events.none : events.all).push(code);
  }
  return events;
}

function parsePrecondition(
  doc: Document,
  node: unknown,
  ctx: FileContext,
): { expr: Preset['precondition']; source: string | null } {
  const s = scalarOf(doc, node, ctx);
  if (!s) {
    ctx.node(node as YamlNode, `precondition must be an expression string, found ${describeNode(node)}`);
    return { expr: null, source: null };
  }
  if (!checkTag(s, ctx)) return { expr: null, source: null };
  if (s.value === null) return { expr: null, source: null };
  if (typeof s.value === 'boolean') {
    const source = String(s.value);
    const r = compile(source);
    return { expr: r.ok ? r.expr : null, source };
  }
  if (typeof s.value !== 'string') {
    ctx.node(s, `precondition must be an expression string, found ${describeNode(s)}`);
    return { expr: null, source: null };
  }
  const text = s.value;
  if (text.trim() === '') return { expr: null, source: null };
  const r = compile(text);
  if (!r.ok) {
    const commented = s.type === Scalar.PLAIN && /\s#/.test(ctx.src.slice(s.range?.[1] ?? 0, (s.range?.[2] ?? 0) + 1));
    const hint = commented ? ` (" #" starts a YAML comment: wrap the precondition in single quotes)` : '';
    ctx.at(valueIndexToOffset(s, ctx.src, r.column - 1), `precondition: ${r.message}${hint}`);
    return { expr: null, source: null };
  }
  return { expr: r.expr, source: text };
}

function parseSchedule(doc: Document, keyNode: YamlNode, node: unknown, ctx: FileContext): PresetSchedule | undefined {
  if (isScalar(node) && node.value === null) return undefined;
  if (!isMap(node)) {
    ctx.node((node as YamlNode) ?? keyNode, `schedule must be a mapping { cron: "0 2 * * *", duration: 2h }, found ${describeNode(node)}`);
    return undefined;
  }
  let cron: string | undefined;
  let durationS: number | undefined;
  let ok = true;
  for (const pair of node.items) {
    const key = scalarOf(doc, pair.key, ctx);
    const name = key ? String(key.value) : '';
    const value = pair.value;
    if (name === 'cron') {
      const s = scalarOf(doc, value, ctx);
      if (!s || typeof s.value !== 'string') {
        ctx.node((value as YamlNode) ?? key, `schedule.cron must be a string such as "0 2 * * *", found ${describeNode(s ?? value)}`);
        ok = false;
        continue;
      }
      const r = parseCron(s.value);
      if (!r.ok) {
        ctx.at(valueIndexToOffset(s, ctx.src, r.column - 1), `schedule.cron '${s.value}': ${r.message}`);
        ok = false;
        continue;
      }
      cron = s.value.trim();
    } else if (name === 'duration') {
      const s = scalarOf(doc, value, ctx);
      const d = s ? parseDuration(s.value) : null;
      if (d === null) {
        ctx.node(
          (value as YamlNode) ?? key,
          `schedule.duration must be a positive number of seconds or a span such as 90s, 30m, 2h, 1d, 1h30m; found ${describeNode(s ?? value)}`,
        );
        ok = false;
        continue;
      }
      durationS = d;
    } else {
      ctx.node(key ?? (pair.key as YamlNode), `unknown key 'schedule.${name}' (expected cron, duration)`);
      ok = false;
    }
  }
  if (cron === undefined && ok) ctx.node(node, 'schedule needs a cron expression (cron: "0 2 * * *")');
  if (durationS === undefined && ok) ctx.node(node, 'schedule needs a duration (duration: 2h): how long the window stays open');
  return cron !== undefined && durationS !== undefined ? { cron, durationS } : undefined;
}

function parseProvisions(doc: Document, node: unknown, ctx: FileContext, options: ParseOptions): ProvisionCall[] {
  const out: ProvisionCall[] = [];
  if (isScalar(node) && node.value === null) return out;
  if (!isSeq(node)) {
    ctx.node(node as YamlNode, `provisions must be a list, e.g. - [wifi, "HomeNet"] or - refresh; found ${describeNode(node)}`);
    return out;
  }
  const checkName = (s: Scalar | null, where: unknown): string | null => {
    if (!s || typeof s.value !== 'string') {
      ctx.node((s ?? where) as YamlNode, `a provision's name must be a string, found ${describeNode(s ?? where)}`);
      return null;
    }
    const name = s.value;
    if (name.endsWith('.js')) {
      ctx.node(s, `write the provision's name without '.js': '${name.slice(0, -3)}'`);
      return null;
    }
    if (!PROVISION_NAME.test(name)) {
      ctx.node(s, `invalid provision name '${name}' (a script's base name: letters, digits, '_', '-', '.')`);
      return null;
    }
    if (options.knownProvisions && !options.knownProvisions.has(name)) {
      ctx.node(s, `unknown provision '${name}' (no provisions/${name}.js)`);
      return null;
    }
    return name;
  };
  for (const item of node.items) {
    const scalar = scalarOf(doc, item, ctx);
    if (scalar) {
      if (!checkTag(scalar, ctx)) continue;
      const name = checkName(scalar, item);
      if (name !== null) out.push({ name, args: [] });
      continue;
    }
    const entry = isAlias(item) ? item.resolve(doc) : item;
    if (!isSeq(entry)) {
      ctx.node(item as YamlNode, `a provisions entry must be a name or a list [name, arg, ...], found ${describeNode(entry)}`);
      continue;
    }
    if (entry.items.length === 0) {
      ctx.node(entry, 'an empty provisions entry: write [name, arg, ...]');
      continue;
    }
    const name = checkName(scalarOf(doc, entry.items[0], ctx), entry.items[0]);
    const args: ProvisionCall['args'] = [];
    let good = name !== null;
    for (const argNode of entry.items.slice(1)) {
      const a = scalarOf(doc, argNode, ctx);
      const v: unknown = a?.value;
      if (!a || !(typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)))) {
        const extra = a && v === null ? ' (quote it to pass the text "null")' : '';
        ctx.node((a ?? argNode) as YamlNode, `a provision argument must be a string, number or boolean, found ${describeNode(a ?? argNode)}${extra}`);
        good = false;
        continue;
      }
      if (!checkTag(a, ctx)) {
        good = false;
        continue;
      }
      args.push(v);
    }
    if (good && name !== null) out.push({ name, args });
  }
  return out;
}

/** Parses the text of one preset (a file's, or one held in the database). Never throws. */
export function parsePreset(file: string, text: string, options: ParseOptions = {}): ParseResult {
  try {
    return parseUnguarded(file, text, options);
  } catch (e) {
    // A bug here must reject one file, not take the server down.
    return { ok: false, errors: [{ file, line: 0, message: `cannot load: ${e instanceof Error ? e.message : String(e)}` }] };
  }
}

function parseUnguarded(file: string, text: string, options: ParseOptions): ParseResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const ctx = new FileContext(file, text, lines);
  for (const e of doc.errors) {
    const { line } = lines.linePos(e.pos[0]);
    const lineText = text.split(/\r?\n/)[line - 1] ?? '';
    const hint = /^\s*precondition\s*:\s*[^\s'|>]/.test(lineText)
      ? ` (wrap the precondition in single quotes: precondition: '...')`
      : '';
    ctx.at(e.pos[0], `YAML: ${e.message}${hint}`);
  }
  for (const w of doc.warnings) {
    const hint = w.code === 'TAG_RESOLVE_FAILED' ? ` (quote values that start with '!'; to exclude an event write "-2 PERIODIC")` : '';
    ctx.at(w.pos[0], `YAML: ${w.message}${hint}`);
  }
  if (ctx.errors.length > 0) return { ok: false, errors: ctx.errors };

  const root = doc.contents as ParsedNode | null;
  if (root === null || (isScalar(root) && root.value === null)) {
    return { ok: false, errors: [{ file, line: 1, message: 'empty preset: expected a mapping (events, precondition, provisions, ...)' }] };
  }
  if (!isMap(root)) {
    ctx.node(root, `a preset file must be a mapping (events, precondition, provisions, ...), found ${describeNode(root)}`);
    return { ok: false, errors: ctx.errors };
  }

  const preset: Preset = {
    name: options.name ?? presetNameOf(file),
    file,
    events: { all: [], none: [] },
    precondition: null,
    preconditionSource: null,
    weight: 0,
    channel: 'default',
    provisions: [],
  };
  for (const pair of root.items) {
    const keyScalar = scalarOf(doc, pair.key, ctx);
    const key = keyScalar ? String(keyScalar.value) : '';
    const keyNode = (keyScalar ?? pair.key) as YamlNode;
    const value = pair.value;
    switch (key) {
      case 'events':
        preset.events = parseEvents(doc, value, ctx);
        break;
      case 'precondition': {
        const p = parsePrecondition(doc, value, ctx);
        preset.precondition = p.expr;
        preset.preconditionSource = p.source;
        break;
      }
      case 'schedule': {
        const s = parseSchedule(doc, keyNode, value, ctx);
        if (s) preset.schedule = s;
        break;
      }
      case 'weight': {
        const s = scalarOf(doc, value, ctx);
        if (!s || typeof s.value !== 'number' || !Number.isFinite(s.value)) {
          ctx.node((s ?? value ?? keyNode) as YamlNode, `weight must be a number, found ${describeNode(s ?? value)}`);
        } else {
          preset.weight = s.value;
        }
        break;
      }
      case 'channel': {
        const s = scalarOf(doc, value, ctx);
        if (!s || typeof s.value !== 'string' || s.value.trim() === '' || /[\x00-\x1f]/.test(s.value)) {
          ctx.node((s ?? value ?? keyNode) as YamlNode, `channel must be a non-empty string, found ${describeNode(s ?? value)}`);
        } else if (s.value.trim().length > MAX_CHANNEL_LENGTH) {
          // The store keys channel faults by name (255 characters at most).
          ctx.node(s as YamlNode, `channel must be at most ${MAX_CHANNEL_LENGTH} characters, found ${s.value.trim().length}`);
        } else {
          preset.channel = s.value.trim();
        }
        break;
      }
      case 'provisions':
        preset.provisions = parseProvisions(doc, value, ctx, options);
        break;
      default: {
        const hint =
          key === 'name'
            ? " (a preset's name is its file's base name)"
            : KEYS.find((k) => k.toLowerCase() === key.toLowerCase() || k === `${key}s`)
              ? `: did you mean '${KEYS.find((k) => k.toLowerCase() === key.toLowerCase() || k === `${key}s`)}'?`
              : ` (expected ${KEYS.join(', ')})`;
        ctx.node(keyNode, `unknown key '${key}'${hint}`);
      }
    }
  }
  if (ctx.errors.length > 0) return { ok: false, errors: ctx.errors };
  return { ok: true, preset };
}

/** Reads and parses one preset file. Never throws. */
export function loadPresetFile(file: string, options: ParseOptions = {}): ParseResult {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (st.size > MAX_PRESET_BYTES) {
      return { ok: false, errors: [{ file, line: 0, message: `file is larger than ${MAX_PRESET_BYTES} bytes` }] };
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, errors: [{ file, line: 0, message: `cannot read: ${(e as Error).message}` }] };
  }
  return parsePreset(file, text, options);
}

/** Sorts presets in application order: weight, then name. */
export function sortPresets(presets: Preset[]): Preset[] {
  return presets.sort((a, b) => a.weight - b.weight || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Loads every *.yaml / *.yml file of a directory (not recursive). Files that
 * fail are left out and reported; two files with the same base name
 * (wifi.yaml, wifi.yml) are an error for the second in name order.
 */
export function loadPresetsDir(dir: string, knownProvisions?: Set<string>): { presets: Preset[]; errors: PresetError[] } {
  const presets: Preset[] = [];
  const errors: PresetError[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter(isPresetFile).sort();
  } catch (e) {
    return { presets, errors: [{ file: dir, line: 0, message: `cannot read the presets directory: ${(e as Error).message}` }] };
  }
  const byName = new Map<string, string>();
  for (const n of names) {
    const file = path.join(dir, n);
    const name = presetNameOf(n);
    const other = byName.get(name);
    if (other !== undefined) {
      errors.push({ file, line: 0, message: `preset '${name}' is already defined by ${other}` });
      continue;
    }
    byName.set(name, file);
    const r = loadPresetFile(file, { knownProvisions });
    if (r.ok) presets.push(r.preset);
    else errors.push(...r.errors);
  }
  return { presets: sortPresets(presets), errors };
}
