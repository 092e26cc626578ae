/**
 * `acs import genieacs`: arguments, the target, and the report.
 * Exit status: 0 everything imported, 1 something was left out (each with
 * its reason), 2 bad arguments or unreadable input.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load';
import { openStore } from '../db';
import { createLogger } from '../log';
import { ScriptStore, StoredScripts } from '../scripts';
import type { ScriptDirs } from '../scripts/folders';
import { runImport, type ImportReport } from './run';
import { ImportInputError, readDir, readNbi, type ReadResult } from './source';
import { databaseTarget, dryRunTarget, folderTarget, outDirs, type Limits } from './target';

export const importUsage = `usage: acs import genieacs (--url URL | --dir DIR) [--devices] [--out DIR] [--dry-run] [--json]

Imports a GenieACS's presets, provisions and virtual parameters (and, with --devices, the devices'
tags). Presets are translated: the MongoDB precondition to ours, events, schedule, weight, channel;
legacy configurations (value, age, add_tag, delete_tag) become a provision genieacs-<preset> the
preset calls. Each script is checked as PUT /presets|/provisions|/virtual-parameters/:name checks
it; what cannot be translated or is refused is listed with its reason, and the rest is imported.

  --url URL     GenieACS's NBI (http://genieacs-nbi:7557; http://user:password@... for Basic auth):
                GET /presets/, /provisions/, /virtual_parameters/, /devices/?projection=_tags
  --dir DIR     the same answers saved as files: presets.json, provisions.json,
                virtualParameters.json, devices.json (each the JSON array the NBI answers)
  --devices     also add each device's GenieACS tags to the device here (by its id; a device
                that never informed here gets a bare row, as POST /devices/:id/tags does)
  --out DIR     write files instead: DIR/presets/*.yaml, DIR/provisions/*.js,
                DIR/virtual-parameters/*.js (point PRESETS_DIR ... at them, or commit them)
  --dry-run     check and list what would be imported; writes nothing, needs no database
  --json        the report as one JSON document

Default target: the database of DATABASE_URL, as the REST API stores scripts (a version by
"import:genieacs"; a name a file of PRESETS_DIR / PROVISIONS_DIR / VIRTUAL_PARAMETERS_DIR holds is
refused: files win). Exit status: 0 all imported, 1 something left out, 2 bad input.`;

export async function runImportCommand(argv: string[]): Promise<void> {
  const [system, ...rest] = argv;
  if (system !== 'genieacs') return usageError(system === undefined ? 'what to import from? (genieacs)' : `unknown system "${system}" (genieacs)`);
  let values;
  try {
    values = parseArgs({
      args: rest,
      options: {
        url: { type: 'string' },
        dir: { type: 'string' },
        devices: { type: 'boolean', default: false },
        out: { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    return usageError((err as Error).message);
  }
  if ((values.url === undefined) === (values.dir === undefined)) return usageError('give either --url URL or --dir DIR');
  if (values.devices && values.out !== undefined && !values['dry-run']) return usageError('--devices writes tags to the database: it cannot go with --out');
  const source = values.url ?? (values.dir as string);
  let read: ReadResult;
  try {
    read = values.url !== undefined ? await readNbi(values.url, values.devices) : readDir(source, values.devices);
  } catch (err) {
    if (!(err instanceof ImportInputError)) throw err;
    console.error(`acs import: ${err.message}`);
    process.exitCode = 2;
    return;
  }
  const report = await importTo(read, values.out, values['dry-run']);
  report.skipped.unshift(...read.skipped);
  report.notes.unshift(...read.notes);
  console.log(values.json ? JSON.stringify(report, null, 2) : formatImport(report, source, values['dry-run']).join('\n'));
  process.exitCode = report.skipped.length > 0 ? 1 : 0;
}

async function importTo(read: ReadResult, out: string | undefined, dryRun: boolean): Promise<ImportReport & { target: string }> {
  const config = loadConfig();
  const limits: Limits = { scriptTimeoutMs: config.scriptTimeoutMs, scriptMemoryMb: config.scriptMemoryMb };
  const dirs: ScriptDirs = { presetsDir: config.presetsDir, provisionsDir: config.provisionsDir, virtualParametersDir: config.virtualParametersDir };
  if (dryRun || out !== undefined) {
    const target = dryRun ? dryRunTarget(out !== undefined ? outDirs(out) : dirs, limits, out === undefined) : folderTarget(out as string, limits);
    return { target: target.where, ...(await runImport(read.data, target)) };
  }
  const store = await openStore(config.databaseUrl);
  const stored = new StoredScripts(new ScriptStore(store.sql), { log: createLogger('error'), pollMs: 0 });
  try {
    await store.migrate();
    await stored.refresh();
    const target = databaseTarget(store, stored, dirs, limits);
    return { target: target.where, ...(await runImport(read.data, target)) };
  } finally {
    stored.close();
    await store.close();
  }
}

function usageError(message: string): void {
  console.error(`acs import: ${message}\n${importUsage}`);
  process.exitCode = 2;
}

export function formatImport(r: ImportReport & { target: string }, source: string, dryRun: boolean): string[] {
  const out = [`GenieACS ${source} → ${r.target}`];
  if (r.imported.length > 0) out.push('', dryRun ? 'would import' : 'imported');
  for (const { item, warnings } of r.imported) {
    const from = item.from === `${item.kind.replace('-', ' ')} ${item.name}` ? '' : ` (from ${item.from})`;
    out.push(`  ${item.kind} ${item.name}${from}`, ...warnings.map((w) => `      warning: ${w}`));
  }
  if (r.tagged.devices > 0) out.push('', `tags: ${r.tagged.tags} on ${r.tagged.devices} device${r.tagged.devices === 1 ? '' : 's'}`);
  if (r.skipped.length > 0) out.push('', 'not imported');
  for (const s of r.skipped) out.push(`  ${s.from}: ${s.reason}`);
  if (r.notes.length > 0) out.push('', 'notes', ...r.notes.map((n) => `  ${n}`));
  out.push('', `${r.imported.length} ${dryRun ? 'would be imported' : 'imported'}, ${r.skipped.length} not imported`);
  return out;
}
