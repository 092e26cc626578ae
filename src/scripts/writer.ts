/**
 * Writing scripts to the database as every writer does (our REST API, the
 * GenieACS-compatible one, `acs import`): the name checked, a name a folder's file holds
 * refused (files win: 409), the text checked as `acs lint` checks a file
 * (400 naming the line, nothing stored), then stored as a new version and
 * this process's copy refreshed at once (a task naming a new provision is
 * accepted right away; other processes follow within a poll).
 */
import path from 'node:path';
import { AcsError } from '../errors';
import { dirOf, fileFor, type ScriptDirs } from './folders';
import type { StoredScripts } from './stored';
import type { ScriptKind, StoredScript } from './types';
import { checkScriptName, ScriptChecks } from './validate';

export const KIND_WORDS: Record<ScriptKind, string> = { preset: 'preset', provision: 'provision', 'virtual-parameter': 'virtual parameter' };

/** The name, checked (400 naming the problem) and held by no file of `dirs` (409): what a write to the database may take. */
export function writableName(dirs: ScriptDirs, kind: ScriptKind, raw: string): string {
  const name = checkScriptName(kind, raw);
  const file = fileFor(dirs, kind, name);
  if (file !== undefined) {
    throw new AcsError('ACS_ERR_CONFLICT', `${path.join(dirOf(dirs, kind), file)} holds the ${KIND_WORDS[kind]} ${name}: files win over the database; change or remove the file instead`);
  }
  return name;
}

export interface ScriptWriterOptions {
  dirs: ScriptDirs;
  stored: StoredScripts;
  scriptTimeoutMs: number;
  scriptMemoryMb: number;
}

export class ScriptWriter {
  private readonly checks: ScriptChecks;

  constructor(private readonly o: ScriptWriterOptions) {
    this.checks = new ScriptChecks({ dirs: o.dirs, stored: o.stored, scriptTimeoutMs: o.scriptTimeoutMs, scriptMemoryMb: o.scriptMemoryMb });
  }

  /** The name, checked (400 naming the problem) and held by no file of the folder (409). */
  writable(kind: ScriptKind, raw: string): string {
    return writableName(this.o.dirs, kind, raw);
  }

  /** Checked, then stored as a new version written by `by`: the stored script, whether the name is new, lint's warnings. */
  async put(kind: ScriptKind, raw: string, source: string, by: string): Promise<{ stored: StoredScript; created: boolean; warnings: string[] }> {
    const name = this.writable(kind, raw);
    const warnings = await this.checks.check(kind, name, source);
    const created = (await this.o.stored.store.get(kind, name)) === null;
    const stored = await this.o.stored.store.put(kind, name, source, by);
    await this.o.stored.refresh();
    return { stored, created, warnings };
  }

  /** Deletes the stored script (its history stays): the version recording it, or null when the database has none of that name. */
  async remove(kind: ScriptKind, raw: string, by: string): Promise<number | null> {
    const version = await this.o.stored.store.remove(kind, this.writable(kind, raw), by);
    if (version !== null) await this.o.stored.refresh();
    return version;
  }
}
