/**
 * What a script written through the REST API must pass before it is stored:
 * its name (what a file name would allow, and what a preset or a parameter
 * path can name), then `acs lint`'s checks on its text — for a preset, the
 * loader's (YAML, keys, event codes, precondition, cron window, provisions
 * that exist); for a provision or a virtual parameter, the sandbox's compile;
 * for a provision, a run against a stand-in device checking what it declares
 * against the data model. An error refuses the body (400 naming the line);
 * lint's warnings come back with the stored version.
 */
import { badRequest } from '../errors';
import type { Severity } from '../lint/check-declaration';
import { DataModels } from '../lint/datamodel';
import { callsOf, checkProvisionRuns, type Problem } from '../lint/run-provisions';
import { loadPresetsDir, MAX_PRESET_BYTES, parsePreset, PROVISION_NAME } from '../presets/load';
import type { Preset } from '../presets/types';
import { checkSyntax, scriptFromText } from '../sandbox';
import { dirOf, kindFiles, type ScriptDirs } from './folders';
import type { StoredScripts } from './stored';
import type { ScriptKind } from './types';

const NAME_MAX = 128;
/** One segment of VirtualParameters.<name>: a dot would make it two. */
const VIRTUAL_PARAMETER_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** One finding of lint in a body: where, how bad, what. */
export interface LintMessage {
  line: number;
  column: number;
  severity: Severity;
  message: string;
}

const WHAT: Record<ScriptKind, string> = { preset: 'preset', provision: 'provision', 'virtual-parameter': 'virtual parameter' };

/** The name, or a 400 saying what is wrong with it. */
export function checkScriptName(kind: ScriptKind, name: string): string {
  if (name.length === 0 || name.length > NAME_MAX) return badRequest(`a ${WHAT[kind]}'s name must be 1 to ${NAME_MAX} characters`);
  if (/[\x00-\x1f\x7f]/.test(name)) return badRequest(`a ${WHAT[kind]}'s name must not contain control characters`);
  if (/[/\\]/.test(name)) return badRequest(`a ${WHAT[kind]}'s name must not contain '/' or '\\'`);
  if (name.startsWith('.')) return badRequest(`a ${WHAT[kind]}'s name must not start with '.' (nor be '.' or '..')`);
  if (kind === 'provision' && !PROVISION_NAME.test(name)) {
    return badRequest(`a provision's name is what a preset calls: letters, digits, '_', '-', '.' (not first); not ${JSON.stringify(name)}`);
  }
  if (kind === 'virtual-parameter' && !VIRTUAL_PARAMETER_NAME.test(name)) {
    return badRequest(`a virtual parameter's name is one segment of VirtualParameters.<name>: letters, digits, '_', '-'; not ${JSON.stringify(name)}`);
  }
  return name;
}

function where(p: { line: number; column?: number }): string {
  return p.line > 0 ? `line ${p.line}${p.column ? `, column ${p.column}` : ''}: ` : '';
}

function refuse(kind: ScriptKind, name: string, problems: { line: number; column?: number; message: string }[]): never {
  return badRequest(`${WHAT[kind]} ${name} refused, nothing stored: ${problems.map((p) => `${where(p)}${p.message}`).join('; ')}`);
}

export interface ScriptCheckOptions {
  dirs: ScriptDirs;
  stored: Pick<StoredScripts, 'of'>;
  /** As SCRIPT_TIMEOUT_MS and SCRIPT_MEMORY_MB: what a provision's check run may take. */
  scriptTimeoutMs: number;
  scriptMemoryMb: number;
}

export class ScriptChecks {
  /** Read once per process, when a provision first declares a path under its root. */
  private readonly models = new DataModels();

  constructor(private readonly o: ScriptCheckOptions) {}

  /** Checks a body; a 400 naming the line for an error, else lint's warnings. */
  async check(kind: ScriptKind, name: string, text: string): Promise<string[]> {
    const problems = await this.problems(kind, name, text);
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) refuse(kind, name, errors);
    return problems.map((p) => `${where(p)}${p.message}`);
  }

  /** Every problem `acs lint` finds in a body, errors and warnings, each at its line (0: none applies). */
  async problems(kind: ScriptKind, name: string, text: string): Promise<LintMessage[]> {
    if (kind === 'preset') return this.preset(name, text);
    const script = scriptFromText(`${name}.js`, text, name, MAX_PRESET_BYTES);
    if (!script.fault) await checkSyntax([script]);
    if (script.fault) return [{ line: script.fault.line ?? 0, column: script.fault.column ?? 0, severity: 'error', message: script.fault.message }];
    if (kind === 'virtual-parameter') return [];
    const problems = await checkProvisionRuns(callsOf([script], this.presets()), this.lintContext(), {
      timeoutMs: this.o.scriptTimeoutMs,
      memoryLimitMb: this.o.scriptMemoryMb,
    });
    return problems.map(({ line, column, severity, message }: Problem) => ({ line, column, severity, message }));
  }

  private preset(name: string, text: string): LintMessage[] {
    if (Buffer.byteLength(text) > MAX_PRESET_BYTES) return [{ line: 0, column: 0, severity: 'error', message: `larger than ${MAX_PRESET_BYTES} bytes` }];
    const parsed = parsePreset(name, text, { name, knownProvisions: this.names('provision') });
    return parsed.ok ? [] : parsed.errors.map((e) => ({ line: e.line, column: e.column ?? 0, severity: 'error' as const, message: e.message }));
  }

  /** The names of a kind, in the folder or in the database. */
  private names(kind: ScriptKind): Set<string> {
    return new Set([...kindFiles(this.o.dirs, kind).map((f) => f.name), ...this.o.stored.of(kind).keys()]);
  }

  /** The presets as lint sees them (the folder's, and the stored ones no file shadows): their calls give a provision's check runs their args. */
  private presets(): Preset[] {
    const files = loadPresetsDir(this.o.dirs.presetsDir).presets;
    const taken = new Set(files.map((p) => p.name));
    const stored = [...this.o.stored.of('preset').values()].filter((s) => !taken.has(s.name)).map((s) => parsePreset(s.name, s.source, { name: s.name }));
    return [...files, ...stored.flatMap((r) => (r.ok ? [r.preset] : []))];
  }

  private lintContext(): { models: DataModels; virtualParameters: Set<string>; virtualParametersDir: string } {
    return { models: this.models, virtualParameters: this.names('virtual-parameter'), virtualParametersDir: `${dirOf(this.o.dirs, 'virtual-parameter')} or the database` };
  }
}
