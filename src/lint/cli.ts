import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import { formatPresetError, loadPresetsDir } from '../presets';
import { loadProvisions, type LoadedScript } from '../sandbox';

/**
 * `acs lint`: checks presets before a server loads them — YAML and field
 * errors, bad event codes, preconditions that do not parse, bad cron windows,
 * and provisions that do not exist — each reported as file:line:column.
 */
export const lintUsage = `usage: acs lint [--presets DIR] [--provisions DIR]

Checks every preset (default ./presets, or PRESETS_DIR) against the provisions that exist
(default ./provisions, or PROVISIONS_DIR), and compiles every provision (.js, .ts) as the sandbox
would. Prints one line per problem, file:line:column: message, and exits 1 if there is any.`;

/** Provision names: the base names of the .js and .ts files of the folder. */
export function provisionNames(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts')).map((f) => f.replace(/\.(js|ts)$/, '')));
  } catch {
    return new Set();
  }
}

const relative = (file: string): string => path.relative(process.cwd(), file) || file;

/** Provisions that do not compile (JavaScript or TypeScript), as file:line:column lines. */
async function provisionProblems(dir: string): Promise<string[]> {
  let scripts: LoadedScript[];
  try {
    scripts = await loadProvisions(dir);
  } catch {
    return []; // no provisions folder: presets naming provisions are reported as unknown
  }
  return scripts.flatMap((s) => (s.fault ? [`${relative(s.file)}:${s.fault.line ?? 0}:${s.fault.column ?? 0}: ${s.fault.message}`] : []));
}

/** Runs the checks; returns the report lines and whether everything passed. */
export async function lint(presetsDir: string, provisionsDir: string): Promise<{ lines: string[]; ok: boolean }> {
  const provisions = provisionNames(provisionsDir);
  const { presets, errors } = loadPresetsDir(presetsDir, provisions);
  const lines = errors.map((e) => formatPresetError({ ...e, file: relative(e.file) }));
  const broken = await provisionProblems(provisionsDir);
  lines.push(...broken);
  const problems = errors.length + broken.length;
  lines.push(`${presets.length} preset(s), ${provisions.size} provision(s): ${problems} problem(s)`);
  return { lines, ok: problems === 0 };
}

export async function runLint(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { presets: { type: 'string' }, provisions: { type: 'string' }, help: { type: 'boolean', default: false } },
    strict: true,
  });
  if (values.help) return void console.log(lintUsage);
  const config = loadConfig();
  const presetsDir = values.presets ?? config.presetsDir;
  const provisionsDir = values.provisions ?? config.provisionsDir;
  const { lines, ok } = await lint(presetsDir, provisionsDir);
  for (const line of lines) console.log(line);
  if (!ok) process.exitCode = 1;
}
