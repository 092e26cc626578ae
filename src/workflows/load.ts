/**
 * Workflow files: YAML, checked at load with file:line:column errors (the
 * format is documented in workflows/README.md). Parsing never throws: a bad
 * file gives errors, never a half-checked definition.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { compile } from '../presets/expression';
import { TASK_NAMES } from '../tasks/types';
import { parseDuration } from './duration';
import { TemplateError, templateNames } from './template';
import type { ArgDef, StepDef, SwitchCase, VarDef, WaitSpec, WorkflowDef } from './types';

export const WORKFLOW_EXTENSIONS = ['.yaml', '.yml'];
const MAX_FILE_BYTES = 256 * 1024;
const STEP_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
export const WORKFLOW_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const DEFAULT_TASK_TIMEOUT_MS = 3_600_000;
const TOP_KEYS = ['name', 'description', 'args', 'vars', 'steps', 'compensate', 'compensateFrom'];
const STEP_KINDS = ['task', 'wait', 'switch', 'fail', 'output'] as const;
const ROOTS = ['Device', 'InternetGatewayDevice'] as const;

export interface WorkflowError {
  file: string;
  /** 1-based; 0 when no line applies. */
  line: number;
  column?: number;
  message: string;
}

export type WorkflowParse = { ok: true; workflow: WorkflowDef } | { ok: false; errors: WorkflowError[] };

export function formatWorkflowError(e: WorkflowError): string {
  return `${e.file}${e.line > 0 ? `:${e.line}${e.column !== undefined ? `:${e.column}` : ''}` : ''}: ${e.message}`;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Errors found in one file, placed by the YAML path of the value they are about. */
class Checker {
  readonly errors: WorkflowError[] = [];
  constructor(
    readonly file: string,
    private readonly doc: Document | null,
    private readonly lines: LineCounter | null,
  ) {}

  lineOf(at: (string | number)[]): number {
    return this.posOf(at).line;
  }

  private posOf(at: (string | number)[]): { line: number; column?: number } {
    if (!this.doc || !this.lines) return { line: 0 };
    for (let n = at.length; n >= 0; n--) {
      const node = (n === 0 ? this.doc.contents : this.doc.getIn(at.slice(0, n), true)) as YamlNode | null | undefined;
      const offset = node?.range?.[0];
      if (offset !== undefined) {
        const { line, col } = this.lines.linePos(offset);
        return { line, column: col };
      }
    }
    return { line: 0 };
  }

  error(at: (string | number)[], message: string): void {
    this.errors.push({ file: this.file, ...this.posOf(at), message });
  }
}

/** Names a workflow's templates may use, for checks. */
interface Names {
  args: Set<string>;
  vars: Set<string>;
  steps: Set<string>;
}

function checkTemplates(c: Checker, at: (string | number)[], value: unknown, names: Names): void {
  if (typeof value === 'string') {
    let used: string[];
    try {
      used = templateNames(value);
    } catch (e) {
      return c.error(at, (e as TemplateError).message);
    }
    for (const raw of used) checkName(c, at, raw.trim(), names);
  } else if (Array.isArray(value)) value.forEach((v, i) => checkTemplates(c, [...at, i], v, names));
  else if (isObj(value)) for (const [k, v] of Object.entries(value)) checkTemplates(c, [...at, k], v, names);
}

function checkName(c: Checker, at: (string | number)[], name: string, names: Names): void {
  if (name.includes('\u0000') || name.startsWith('param:') || name.startsWith('params:')) return; // computed: checked when run
  const [root, first] = name.split('.');
  const known: Record<string, Set<string> | null> = { args: names.args, vars: names.vars, steps: names.steps, device: new Set(['id', 'root']), run: new Set(['id']) };
  if (!(root in known)) return c.error(at, `unknown template "{{${name}}}" (args., vars., steps., device.id, device.root, run.id, param:, params:)`);
  const set = known[root];
  if (set && (first === undefined || !set.has(first))) c.error(at, `template "{{${name}}}" names no declared ${root.replace(/s$/, '')} "${first ?? ''}"`);
}

function parseArgs(c: Checker, raw: unknown): Record<string, ArgDef> {
  const out: Record<string, ArgDef> = {};
  if (raw === undefined) return out;
  if (!isObj(raw)) return c.error(['args'], 'args must be a map of name: { required, default, description }'), out;
  for (const [name, v] of Object.entries(raw)) {
    const spec = v === null ? {} : v;
    if (!isObj(spec)) {
      c.error(['args', name], `arg ${name} must be a map ({ required: true } or { default: ... })`);
      continue;
    }
    for (const k of Object.keys(spec)) if (!['required', 'default', 'description'].includes(k)) c.error(['args', name, k], `unknown field "${k}" of arg ${name}`);
    if (spec.required !== undefined && typeof spec.required !== 'boolean') c.error(['args', name, 'required'], 'required must be true or false');
    out[name] = { required: spec.required === true, default: spec.default, description: typeof spec.description === 'string' ? spec.description : undefined };
  }
  return out;
}

function parseVars(c: Checker, raw: unknown): Record<string, VarDef> {
  const out: Record<string, VarDef> = {};
  if (raw === undefined) return out;
  if (!isObj(raw)) return c.error(['vars'], 'vars must be a map of name: text, or name: { Device: ..., InternetGatewayDevice: ... }'), out;
  for (const [name, v] of Object.entries(raw)) {
    if (typeof v === 'string') out[name] = v;
    else if (isObj(v) && Object.keys(v).every((k) => (ROOTS as readonly string[]).includes(k))) {
      const ok = Object.values(v).every((x) => typeof x === 'string' || (Array.isArray(x) && x.length > 0 && x.every((y) => typeof y === 'string')));
      if (!ok) c.error(['vars', name], `var ${name}: each root gives a text or a list of texts`);
      out[name] = v as VarDef;
    } else c.error(['vars', name], `var ${name} must be a text or a map with keys Device, InternetGatewayDevice`);
  }
  return out;
}

function duration(c: Checker, at: (string | number)[], raw: unknown, fallback: number | null): number | null {
  if (raw === undefined) {
    if (fallback === null) c.error(at, `${String(at[at.length - 1])} is required (a duration: "30s", "10m", "2h")`);
    return fallback;
  }
  const ms = parseDuration(raw);
  if (ms === null) c.error(at, `${String(at[at.length - 1])} must be a duration ("500ms", "30s", "10m", "2h", "1d") or a number of ms`);
  return ms;
}

/** Checks a condition compiles, with its templates replaced by stand-ins. */
function checkCondition(c: Checker, at: (string | number)[], text: unknown, vars: Record<string, VarDef>): string {
  if (typeof text !== 'string' || text.trim() === '') return c.error(at, 'a condition must be a non-empty text'), '';
  let standIn: string;
  try {
    standIn = conditionStandIn(text, vars);
  } catch (e) {
    return c.error(at, (e as Error).message), text;
  }
  const compiled = compile(standIn);
  if (!compiled.ok) c.error(at, `condition: ${compiled.message} (in ${JSON.stringify(standIn)}, column ${compiled.column})`);
  return text;
}

/** The condition as a device of the first root would see it: vars by their first value, other templates as 0 or "x". */
function conditionStandIn(text: string, vars: Record<string, VarDef>): string {
  let out = '';
  let quotes = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('{{', i)) {
      const end = text.indexOf('}}', i);
      if (end < 0) throw new TemplateError('unclosed "{{"');
      const name = text.slice(i + 2, end).trim();
      const v = name.startsWith('vars.') ? vars[name.slice(5)] : undefined;
      out += v !== undefined ? firstValue(v) : quotes % 2 === 1 ? 'x' : '0';
      i = end + 1;
      continue;
    }
    if (text[i] === '"' && text[i - 1] !== '\\') quotes++;
    out += text[i];
  }
  return out;
}

function firstValue(v: VarDef): string {
  if (typeof v === 'string') return v;
  const d = v.Device ?? v.InternetGatewayDevice ?? '';
  return Array.isArray(d) ? d[0] : d;
}

function parseTask(c: Checker, at: (string | number)[], s: Obj, base: { name: string; line: number }): StepDef {
  const task = s.task;
  if (!isObj(task) || typeof task.name !== 'string') c.error([...at, 'task'], 'task must be a task body with a "name" (GenieACS shape)');
  else if (!(TASK_NAMES as readonly string[]).includes(task.name)) c.error([...at, 'task', 'name'], `unknown task name "${task.name}" (${TASK_NAMES.join(', ')})`);
  if (s.connectionRequest !== undefined && typeof s.connectionRequest !== 'boolean') c.error([...at, 'connectionRequest'], 'connectionRequest must be true or false');
  if (s.onFault !== undefined && s.onFault !== 'fail' && s.onFault !== 'continue') c.error([...at, 'onFault'], 'onFault must be "fail" or "continue"');
  if (s.uploadTo !== undefined && (typeof s.uploadTo !== 'string' || s.uploadTo === '')) c.error([...at, 'uploadTo'], 'uploadTo must be a file name');
  if (s.uploadTo !== undefined && isObj(task) && task.name !== 'upload') c.error([...at, 'uploadTo'], 'uploadTo is for upload tasks');
  if (s.uploadTo !== undefined && isObj(task) && task.url !== undefined) c.error([...at, 'task', 'url'], 'an upload with uploadTo gets its url from the file store: give no url');
  return {
    ...base,
    kind: 'task',
    task: isObj(task) ? task : {},
    connectionRequest: s.connectionRequest === true,
    expiryMs: s.expiry === undefined ? null : duration(c, [...at, 'expiry'], s.expiry, null),
    timeoutMs: duration(c, [...at, 'timeout'], s.timeout, DEFAULT_TASK_TIMEOUT_MS) ?? DEFAULT_TASK_TIMEOUT_MS,
    onFault: s.onFault === 'continue' ? 'continue' : 'fail',
    uploadTo: typeof s.uploadTo === 'string' ? s.uploadTo : null,
  };
}

function parseWait(c: Checker, at: (string | number)[], raw: unknown, vars: Record<string, VarDef>): WaitSpec {
  const w = isObj(raw) ? raw : {};
  if (!isObj(raw)) c.error([...at, 'wait'], 'wait must be a map: event, request, commandKey, condition, timeout');
  for (const k of Object.keys(w)) if (!['event', 'request', 'commandKey', 'condition', 'timeout'].includes(k)) c.error([...at, 'wait', k], `unknown field "${k}" of wait`);
  for (const k of ['event', 'request', 'commandKey'] as const) if (w[k] !== undefined && typeof w[k] !== 'string') c.error([...at, 'wait', k], `${k} must be a text`);
  if (w.event === undefined && w.request === undefined && w.condition === undefined) c.error([...at, 'wait'], 'wait needs an event, a request or a condition');
  if (w.condition !== undefined) checkCondition(c, [...at, 'wait', 'condition'], w.condition, vars);
  return {
    event: w.event as string | undefined,
    request: w.request as string | undefined,
    commandKey: w.commandKey as string | undefined,
    condition: w.condition as string | undefined,
    timeoutMs: duration(c, [...at, 'wait', 'timeout'], w.timeout, null) ?? 1,
  };
}

function parseSwitch(c: Checker, at: (string | number)[], raw: unknown, vars: Record<string, VarDef>): SwitchCase[] {
  if (!Array.isArray(raw) || raw.length === 0) return c.error([...at, 'switch'], 'switch must be a list of { when, goto | fail }'), [];
  return raw.map((r: unknown, i) => {
    const here = [...at, 'switch', i];
    if (!isObj(r)) return c.error(here, 'a case must be a map: { when, goto | fail }'), {};
    for (const k of Object.keys(r)) if (!['when', 'goto', 'fail'].includes(k)) c.error([...here, k], `unknown field "${k}" of a case`);
    if ((r.goto === undefined) === (r.fail === undefined)) c.error(here, 'a case needs exactly one of goto, fail');
    if (r.when !== undefined) checkCondition(c, [...here, 'when'], r.when, vars);
    if (r.goto !== undefined && typeof r.goto !== 'string') c.error([...here, 'goto'], 'goto must name a step');
    if (r.fail !== undefined && typeof r.fail !== 'string') c.error([...here, 'fail'], 'fail must be a reason (text)');
    return { when: r.when as string | undefined, goto: r.goto as string | undefined, fail: r.fail as string | undefined };
  });
}

function parseStep(c: Checker, at: (string | number)[], raw: unknown, index: number, vars: Record<string, VarDef>): StepDef | null {
  if (!isObj(raw)) return c.error(at, `a step must be a map with one of ${STEP_KINDS.join(', ')}`), null;
  const kinds = STEP_KINDS.filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) return c.error(at, `a step needs exactly one of ${STEP_KINDS.join(', ')} (found ${kinds.join(', ') || 'none'})`), null;
  const allowed: Record<string, string[]> = { task: ['connectionRequest', 'expiry', 'timeout', 'onFault', 'uploadTo'], wait: [], switch: [], fail: [], output: [] };
  for (const k of Object.keys(raw)) if (k !== 'name' && k !== kinds[0] && !allowed[kinds[0]].includes(k)) c.error([...at, k], `unknown field "${k}" of a ${kinds[0]} step`);
  const name = raw.name === undefined ? `step${index + 1}` : raw.name;
  if (typeof name !== 'string' || !STEP_NAME.test(name)) c.error([...at, 'name'], 'a step name is a letter then letters, digits, "_" or "-" (64 at most)');
  const base = { name: String(name), line: c.lineOf(at) };
  switch (kinds[0]) {
    case 'task':
      return parseTask(c, at, raw, base);
    case 'wait':
      return { ...base, kind: 'wait', wait: parseWait(c, at, raw.wait, vars) };
    case 'switch':
      return { ...base, kind: 'switch', cases: parseSwitch(c, at, raw.switch, vars) };
    case 'fail':
      if (typeof raw.fail !== 'string' || raw.fail === '') c.error([...at, 'fail'], 'fail must be a reason (text)');
      return { ...base, kind: 'fail', reason: String(raw.fail) };
    case 'output':
      if (!isObj(raw.output)) c.error([...at, 'output'], 'output must be a map of name: value');
      return { ...base, kind: 'output', values: isObj(raw.output) ? raw.output : {} };
  }
}

function parseSteps(c: Checker, key: 'steps' | 'compensate', raw: unknown, vars: Record<string, VarDef>): StepDef[] {
  if (raw === undefined && key === 'compensate') return [];
  if (!Array.isArray(raw) || (raw.length === 0 && key === 'steps')) return c.error([key], `${key} must be a non-empty list of steps`), [];
  const steps = raw.map((s: unknown, i) => parseStep(c, [key, i], s, i, vars)).filter((s): s is StepDef => s !== null);
  const seen = new Set<string>();
  steps.forEach((s, i) => {
    if (seen.has(s.name)) c.error([key, i, 'name'], `step name "${s.name}" is used twice`);
    seen.add(s.name);
  });
  return steps;
}

/** Template names of a step, each checked at its place in the file. */
function checkStepTemplates(c: Checker, at: (string | number)[], s: StepDef, names: Names): void {
  switch (s.kind) {
    case 'task':
      checkTemplates(c, [...at, 'uploadTo'], s.uploadTo, names);
      return checkTemplates(c, [...at, 'task'], s.task, names);
    case 'wait':
      for (const k of ['event', 'request', 'commandKey', 'condition'] as const) checkTemplates(c, [...at, 'wait', k], s.wait[k], names);
      return;
    case 'switch':
      s.cases.forEach((k, j) => {
        checkTemplates(c, [...at, 'switch', j, 'when'], k.when, names);
        checkTemplates(c, [...at, 'switch', j, 'fail'], k.fail, names);
      });
      return;
    case 'fail':
      return checkTemplates(c, [...at, 'fail'], s.reason, names);
    case 'output':
      return checkTemplates(c, [...at, 'output'], s.values, names);
  }
}

/** Every check that needs the whole definition: goto targets, template names, compensateFrom. */
function crossCheck(c: Checker, def: WorkflowDef): void {
  const names: Names = { args: new Set(Object.keys(def.args)), vars: new Set(Object.keys(def.vars)), steps: new Set([...def.steps, ...def.compensate].map((s) => s.name)) };
  for (const [key, list] of [['steps', def.steps], ['compensate', def.compensate]] as const) {
    list.forEach((s, i) => {
      const at = [key, i];
      if (s.kind === 'switch') s.cases.forEach((k, j) => k.goto !== undefined && !list.some((t) => t.name === k.goto) && c.error([...at, 'switch', j, 'goto'], `goto names no step of ${key}: "${k.goto}"`));
      checkStepTemplates(c, at, s, names);
    });
  }
  // A step's task and output are kept under its name: a compensate step named like a main step would take the main step's.
  def.compensate.forEach((s, i) => def.steps.some((m) => m.name === s.name) && c.error(['compensate', i, 'name'], `step name "${s.name}" is used in steps too`));
  for (const [name, v] of Object.entries(def.vars)) checkTemplates(c, ['vars', name], v, names);
  if (def.compensateFrom !== null && !names.steps.has(def.compensateFrom)) c.error(['compensateFrom'], `compensateFrom names no step: "${def.compensateFrom}"`);
}

/** Checks a definition given as plain data (an inline definition of the REST API or a campaign). */
export function parseWorkflowData(name: string, data: unknown, file = `(${name})`, checker?: Checker): WorkflowParse {
  const c = checker ?? new Checker(file, null, null);
  try {
    if (!isObj(data)) {
      c.error([], 'a workflow must be a map with steps');
      return { ok: false, errors: c.errors };
    }
    for (const k of Object.keys(data)) if (!TOP_KEYS.includes(k)) c.error([k], `unknown field "${k}" (${TOP_KEYS.join(', ')})`);
    if (data.description !== undefined && typeof data.description !== 'string') c.error(['description'], 'description must be a text');
    if (data.compensateFrom !== undefined && typeof data.compensateFrom !== 'string') c.error(['compensateFrom'], 'compensateFrom must name a step');
    const vars = parseVars(c, data.vars);
    const def: WorkflowDef = {
      name,
      description: typeof data.description === 'string' ? data.description : '',
      args: parseArgs(c, data.args),
      vars,
      steps: parseSteps(c, 'steps', data.steps, vars),
      compensate: parseSteps(c, 'compensate', data.compensate, vars),
      compensateFrom: typeof data.compensateFrom === 'string' ? data.compensateFrom : null,
    };
    crossCheck(c, def);
    const byPlace = (a: WorkflowError, b: WorkflowError): number => a.line - b.line || (a.column ?? 0) - (b.column ?? 0);
    return c.errors.length > 0 ? { ok: false, errors: [...c.errors].sort(byPlace) } : { ok: true, workflow: def };
  } catch (e) {
    // A bug here must reject one file, not take a process down.
    return { ok: false, errors: [...c.errors, { file, line: 0, message: `cannot load: ${e instanceof Error ? e.message : String(e)}` }] };
  }
}

/** Parses the text of one workflow file. */
export function parseWorkflow(file: string, text: string): WorkflowParse {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const c = new Checker(file, doc, lines);
  const name = workflowNameOf(file);
  for (const e of doc.errors) {
    const { line, col } = lines.linePos(e.pos[0]);
    c.errors.push({ file, line, column: col, message: `YAML: ${e.message}` });
  }
  if (c.errors.length > 0) return { ok: false, errors: c.errors };
  if (!isMap(doc.contents) && !isSeq(doc.contents)) return { ok: false, errors: [{ file, line: 1, message: 'a workflow must be a map with steps' }] };
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (isObj(data) && data.name !== undefined && data.name !== name) c.error(['name'], `name "${String(data.name)}" differs from the file's name "${name}"`);
  return parseWorkflowData(name, data, file, c);
}

export function workflowNameOf(file: string): string {
  return path.basename(file).replace(/\.ya?ml$/, '');
}

export function loadWorkflowFile(file: string): WorkflowParse {
  try {
    const size = statSync(file).size;
    if (size > MAX_FILE_BYTES) return { ok: false, errors: [{ file, line: 0, message: `file larger than ${MAX_FILE_BYTES} bytes` }] };
    return parseWorkflow(file, readFileSync(file, 'utf8'));
  } catch (e) {
    return { ok: false, errors: [{ file, line: 0, message: `cannot read: ${(e as Error).message}` }] };
  }
}

/** Every workflow of a folder (a missing folder holds none). */
export function loadWorkflowsDir(dir: string): { workflows: WorkflowDef[]; errors: WorkflowError[] } {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => WORKFLOW_EXTENSIONS.includes(path.extname(f))).sort();
  } catch {
    return { workflows: [], errors: [] };
  }
  const workflows: WorkflowDef[] = [];
  const errors: WorkflowError[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    if (!WORKFLOW_NAME.test(workflowNameOf(file))) {
      errors.push({ file, line: 0, message: 'a workflow file name is letters, digits, ".", "_" or "-"' });
      continue;
    }
    const r = loadWorkflowFile(file);
    if (r.ok) workflows.push(r.workflow);
    else errors.push(...r.errors);
  }
  return { workflows, errors };
}
