/**
 * What the operator's folders hold of each kind: presets (*.yaml, *.yml),
 * provisions and virtual parameters (*.js, *.ts but not *.d.ts). Read at
 * each request: the folders are small, and a file added a second ago must
 * already win over a stored script of its name.
 */
import fs from 'node:fs';
import { isPresetFile, presetNameOf } from '../presets/load';
import type { ScriptKind } from './types';

export interface ScriptDirs {
  presetsDir: string;
  provisionsDir: string;
  virtualParametersDir: string;
}

const SCRIPT = /\.(js|ts)$/;

export function dirOf(dirs: ScriptDirs, kind: ScriptKind): string {
  return kind === 'preset' ? dirs.presetsDir : kind === 'provision' ? dirs.provisionsDir : dirs.virtualParametersDir;
}

/** The directory's files matching `pattern`, sorted ([] for a missing directory). */
export function filesOf(dir: string, pattern: RegExp): string[] {
  try {
    return fs.readdirSync(dir).filter((f) => pattern.test(f)).sort();
  } catch {
    return [];
  }
}

/** The folder's files of a kind, sorted, each with the name it defines. */
export function kindFiles(dirs: ScriptDirs, kind: ScriptKind): { file: string; name: string }[] {
  const dir = dirOf(dirs, kind);
  if (kind === 'preset') return filesOf(dir, /./).filter(isPresetFile).map((file) => ({ file, name: presetNameOf(file) }));
  return filesOf(dir, SCRIPT).filter((f) => !f.endsWith('.d.ts')).map((file) => ({ file, name: file.replace(SCRIPT, '') }));
}

/** The file that defines `name` (the first in name order), or undefined. */
export function fileFor(dirs: ScriptDirs, kind: ScriptKind, name: string): string | undefined {
  return kindFiles(dirs, kind).find((f) => f.name === name)?.file;
}
