/**
 * Where imported scripts go. Every one is first checked as the REST API's
 * PUT checks it (scripts/validate.ts: the preset loader, the sandbox's
 * compile, a provision's run against a stand-in device): a refusal is the
 * item's reason for being left out, and nothing of it is written.
 *
 * - the database (default): through the ScriptWriter PUT /<kind>/:name goes
 *   through, as a new version by "import:genieacs"; a name a file of the
 *   operator's folders holds is refused (files win);
 * - folders (`--out DIR`): DIR/presets/<name>.yaml, DIR/provisions/<name>.js,
 *   DIR/virtual-parameters/<name>.js (written over);
 * - nothing (`--dry-run`): checked against the operator's folders and what
 *   the import would have written before it, no database needed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DeviceStore } from '../db/types';
import { dirOf, type ScriptDirs } from '../scripts/folders';
import type { StoredScripts } from '../scripts/stored';
import type { ScriptKind, StoredScript } from '../scripts/types';
import { ScriptChecks } from '../scripts/validate';
import { ScriptWriter, writableName } from '../scripts/writer';
import type { ImportItem } from './types';

/** Who the database's versions name as their writer. */
export const IMPORT_AUTHOR = 'import:genieacs';

export interface Limits {
  scriptTimeoutMs: number;
  scriptMemoryMb: number;
}

export interface Target {
  /** Where it writes, for the report. */
  readonly where: string;
  /** Checks and writes one item; answers lint's warnings, throws an Error with the reason it is refused. */
  write(item: ImportItem): Promise<string[]>;
  /** Adds a device's tags (false: this target keeps no tags). */
  tag(deviceKey: string, tags: string[]): Promise<boolean>;
}

const FILE_EXTENSION: Record<ScriptKind, string> = { preset: '.yaml', provision: '.js', 'virtual-parameter': '.js' };

/** What the import has written so far, shaped as the database's scripts, for the checks of what follows. */
class Written {
  private readonly byKind = new Map<ScriptKind, Map<string, StoredScript>>();

  add(item: ImportItem): void {
    const kind = this.byKind.get(item.kind) ?? new Map<string, StoredScript>();
    kind.set(item.name, { kind: item.kind, name: item.name, version: 1, source: item.source, updatedAt: 0, updatedBy: IMPORT_AUTHOR });
    this.byKind.set(item.kind, kind);
  }

  of(kind: ScriptKind): ReadonlyMap<string, StoredScript> {
    return this.byKind.get(kind) ?? new Map();
  }
}

export function databaseTarget(store: DeviceStore, stored: StoredScripts, dirs: ScriptDirs, limits: Limits): Target {
  const writer = new ScriptWriter({ dirs, stored, ...limits });
  return {
    where: 'the database (DATABASE_URL)',
    async write(item) {
      return (await writer.put(item.kind, item.name, item.source, IMPORT_AUTHOR)).warnings;
    },
    async tag(deviceKey, tags) {
      await store.setTags(deviceKey, tags, []);
      return true;
    },
  };
}

/** The folders of `--out DIR`, laid out as the ACS's own (PRESETS_DIR ...) can point at them. */
export function outDirs(out: string): ScriptDirs {
  return { presetsDir: path.join(out, 'presets'), provisionsDir: path.join(out, 'provisions'), virtualParametersDir: path.join(out, 'virtual-parameters') };
}

export function folderTarget(out: string, limits: Limits): Target {
  const dirs = outDirs(out);
  const checks = new ScriptChecks({ dirs, stored: new Written(), ...limits });
  return {
    where: `the folders of ${out}`,
    async write(item) {
      const warnings = await checks.check(item.kind, item.name, item.source);
      const dir = dirOf(dirs, item.kind);
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${item.name}${FILE_EXTENSION[item.kind]}`), item.source);
      return warnings;
    },
    tag: async () => false,
  };
}

/** `filesWin`: a name the folders hold is refused, as the database target refuses it. */
export function dryRunTarget(dirs: ScriptDirs, limits: Limits, filesWin: boolean): Target {
  const written = new Written();
  const checks = new ScriptChecks({ dirs, stored: written, ...limits });
  return {
    where: 'nothing (dry run)',
    async write(item) {
      if (filesWin) writableName(dirs, item.kind, item.name);
      const warnings = await checks.check(item.kind, item.name, item.source);
      written.add(item);
      return warnings;
    },
    tag: async () => true,
  };
}
