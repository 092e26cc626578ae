import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import { formatPresetError, loadPresetsDir } from '../presets';
import { loadProvisions, type LoadedScript } from '../sandbox';
import { DataModels, dataModelDirs } from './datamodel';
import { callsOf, checkProvisionRuns, type Problem } from './run-provisions';
import { lintWorkflows } from './workflows';

/**
 * `acs lint`: checks presets and provisions before a server loads them —
 * YAML and field errors, bad event codes, preconditions that do not parse,
 * bad cron windows, provisions that do not exist or do not compile — and runs
 * every provision against a stand-in device to check what it declares against
 * the BBF data model (see check-declaration.ts). Each problem is reported as
 * file:line:column.
 */
export const lintUsage = `usage: acs lint [--presets DIR] [--provisions DIR] [--virtual-parameters DIR] [--workflows DIR]

Checks every preset (default ./presets, or PRESETS_DIR) against the provisions that exist
(default ./provisions, or PROVISIONS_DIR), compiles every provision (.js, .ts) as the sandbox
would, and runs each one (with the args of each preset that calls it) to check the paths, values
and types it declares against the BBF data model (TR-181 Device:2, TR-098 InternetGatewayDevice:1,
read from ../shared/spec/datamodel; skipped with a note when it is not there) and
VirtualParameters.<name> against VIRTUAL_PARAMETERS_DIR, and every workflow (default ./workflows,
or WORKFLOWS_DIR; see workflows/README.md). Prints one line per problem,
file:line:column: message (warnings say "warning:"), then a summary; exits 1 if there is an error.`;

export interface LintOptions {
  /** Folder of virtual parameter scripts (default ./virtual-parameters). */
  virtualParametersDir?: string;
  /** Folders to look for the BBF XML in, first match wins (default: ../shared/spec/datamodel from the cwd, then from the code). */
  dataModelDirs?: readonly string[];
  /** Time limit of one provision run, ms (default 50). */
  scriptTimeoutMs?: number;
  /** Memory limit of the sandbox isolate, MiB (default 32). */
  scriptMemoryMb?: number;
  /** Folder of workflow files (default ./workflows, or WORKFLOWS_DIR). */
  workflowsDir?: string;
}

export interface LintResult {
  lines: string[];
  /** No errors (warnings allowed). */
  ok: boolean;
  errors: number;
  warnings: number;
}

/** Script names of a folder: the base names of its .js and .ts files (not .d.ts). */
export function provisionNames(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts')).map((f) => f.replace(/\.(js|ts)$/, '')));
  } catch {
    return new Set();
  }
}

const relative = (file: string): string => path.relative(process.cwd(), file) || file;

async function loadScripts(dir: string): Promise<LoadedScript[]> {
  try {
    return await loadProvisions(dir);
  } catch {
    return []; // no provisions folder: presets naming provisions are reported as unknown
  }
}

/** Provisions that do not compile (JavaScript or TypeScript). */
function compileProblems(scripts: readonly LoadedScript[]): Problem[] {
  return scripts.flatMap((s) => (s.fault ? [{ file: s.file, line: s.fault.line ?? 0, column: s.fault.column ?? 0, severity: 'error' as const, message: s.fault.message }] : []));
}

function formatProblem(p: Problem): string {
  return `${relative(p.file)}:${p.line}:${p.column}: ${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}

function byPlace(a: Problem, b: Problem): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}

/** Runs the checks; returns the report lines and whether there is no error. */
export async function lint(presetsDir: string, provisionsDir: string, options: LintOptions = {}): Promise<LintResult> {
  const provisions = provisionNames(provisionsDir);
  const { presets, errors: presetErrors } = loadPresetsDir(presetsDir, provisions);
  const lines = presetErrors.map((e) => formatPresetError({ ...e, file: relative(e.file) }));
  const scripts = await loadScripts(provisionsDir);
  const virtualParametersDir = options.virtualParametersDir ?? './virtual-parameters';
  const models = new DataModels(options.dataModelDirs ?? dataModelDirs());
  const ctx = { models, virtualParameters: provisionNames(virtualParametersDir), virtualParametersDir: relative(path.resolve(virtualParametersDir)) };
  const runProblems = await checkProvisionRuns(callsOf(scripts, presets), ctx, { timeoutMs: options.scriptTimeoutMs, memoryLimitMb: options.scriptMemoryMb });
  const problems = [...compileProblems(scripts), ...runProblems.sort(byPlace)];
  lines.push(...problems.map(formatProblem));
  const skipped = models.missing();
  if (skipped !== null) lines.push(`note: ${skipped}`);
  const flows = lintWorkflows(options.workflowsDir ?? './workflows');
  lines.push(...flows.lines, `${flows.workflows} workflow(s): ${flows.errors} error(s)`);
  const errors = presetErrors.length + problems.filter((p) => p.severity === 'error').length;
  const warnings = problems.length - (errors - presetErrors.length);
  lines.push(`${presets.length} preset(s), ${provisions.size} provision(s): ${errors} error(s), ${warnings} warning(s)`);
  return { lines, ok: errors + flows.errors === 0, errors: errors + flows.errors, warnings };
}

export async function runLint(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      presets: { type: 'string' },
      provisions: { type: 'string' },
      'virtual-parameters': { type: 'string' },
      workflows: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return void console.log(lintUsage);
  const config = loadConfig();
  const { lines, ok } = await lint(values.presets ?? config.presetsDir, values.provisions ?? config.provisionsDir, {
    virtualParametersDir: values['virtual-parameters'] ?? config.virtualParametersDir,
    scriptTimeoutMs: config.scriptTimeoutMs,
    scriptMemoryMb: config.scriptMemoryMb,
    // WORKFLOWS_DIR: read through the config once the schema has it.
    workflowsDir: values.workflows ?? config.workflowsDir,
  });
  for (const line of lines) console.log(line);
  if (!ok) process.exitCode = 1;
}
