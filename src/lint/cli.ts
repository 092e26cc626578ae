import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import { formatPresetError, loadPresetsDir } from '../presets';

/**
 * `acs lint`: checks presets before a server loads them — YAML and field
 * errors, bad event codes, preconditions that do not parse, bad cron windows,
 * and provisions that do not exist — each reported as file:line:column.
 */
export const lintUsage = `usage: acs lint [--presets DIR] [--provisions DIR]

Checks every preset (default ./presets, or PRESETS_DIR) against the provisions that exist
(default ./provisions, or PROVISIONS_DIR). Prints one line per problem, file:line:column: message,
and exits 1 if there is any.`;

/** Provision names: the base names of the .js and .ts files of the folder. */
export function provisionNames(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir).filter((f) => /\.(js|ts)$/.test(f) && !f.endsWith('.d.ts')).map((f) => f.replace(/\.(js|ts)$/, '')));
  } catch {
    return new Set();
  }
}

/** Runs the checks; returns the report lines and whether everything passed. */
export function lint(presetsDir: string, provisionsDir: string): { lines: string[]; ok: boolean } {
  const provisions = provisionNames(provisionsDir);
  const { presets, errors } = loadPresetsDir(presetsDir, provisions);
  const lines = errors.map((e) => formatPresetError({ ...e, file: path.relative(process.cwd(), e.file) || e.file }));
  lines.push(`${presets.length} preset(s) valid, ${errors.length} problem(s); ${provisions.size} provision(s) in ${provisionsDir}`);
  return { lines, ok: errors.length === 0 };
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
  const { lines, ok } = lint(presetsDir, provisionsDir);
  for (const line of lines) console.log(line);
  if (!ok) process.exitCode = 1;
}
