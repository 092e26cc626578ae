/**
 * The live set of presets: loads the presets directory, watches it and
 * reloads what changed, without a restart.
 *
 * - Every change rescans the whole directory (debounced): robust to editors
 *   that save through a temporary file and a rename, to fs.watch events that
 *   carry no file name, and to Kubernetes ConfigMap volumes (symlinks swapped
 *   through "..data"). Only files whose content changed are parsed again.
 * - A file whose new version is invalid keeps its previous valid version
 *   active; its errors are reported once per version. A deleted file removes
 *   its preset.
 * - A slow periodic rescan (pollMs) catches what fs.watch misses (network
 *   file systems, some container bind mounts) and re-establishes the watcher
 *   when the directory was missing, replaced or the watcher failed.
 * - Nothing here throws out of a timer or a watcher callback: problems go to
 *   `onError`.
 * - Presets held in the database (`stored`, written through the REST API)
 *   join the folder's; a file wins over a stored preset of the same name
 *   (the folder is what operators keep in git), which `onWarning` tells once
 *   per stored version.
 *
 * File I/O is synchronous: presets are a handful of small files and a
 * reload is then atomic for `matching`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { inWindow, parseCron } from './cron';
import type { CronSpec } from './cron';
import { eventsMatch } from './events';
import { evaluate, pathsOf } from './expression';
import type { Lookup } from './expression';
import { MAX_PRESET_BYTES, isPresetFile, parsePreset, presetNameOf, sortPresets } from './load';
import type { Preset, PresetError } from './types';
import { storedLabel, type StoredScript, type StoredSource } from '../scripts/types';

export interface PresetRegistryOptions {
  /** Every rejected file version, unreadable file or directory problem, once. */
  onError?: (error: PresetError) => void;
  /** After a (re)load that changed the active presets; receives them in order. */
  onChange?: (presets: Preset[]) => void;
  /** When given, presets naming another provision are rejected (a function is asked at each parse). */
  knownProvisions?: Set<string> | (() => Set<string>);
  /** Quiet time after the last file event before rescanning. Default 100 ms. */
  debounceMs?: number;
  /** Safety rescan period; 0 disables. Default 5000 ms. */
  pollMs?: number;
  /** Use fs.watch. Default true. */
  watch?: boolean;
  /** Presets held in the database; a change reloads. */
  stored?: StoredSource;
  /** A stored preset shadowed by a file of the same name, once per stored version. */
  onWarning?: (message: string) => void;
}

export interface MatchContext {
  /** The session's Inform event codes. */
  events: string[];
  lookup: Lookup;
  /** Default: Date.now(). */
  now?: Date | number;
}

interface FileState {
  /** The text last parsed (null when unread). */
  text: string | null;
  /** The last valid version, kept while later versions are invalid. */
  preset: Preset | null;
  /** Errors of the current text (empty when it is valid). */
  errors: PresetError[];
  /** Last read error reported, to report each once. */
  readError: string | null;
}

const cronCache = new Map<string, CronSpec | null>();

function cronSpecOf(cron: string): CronSpec | null {
  let spec = cronCache.get(cron);
  if (spec === undefined) {
    const r = parseCron(cron);
    spec = r.ok ? r.spec : null;
    if (cronCache.size > 1000) cronCache.clear();
    cronCache.set(cron, spec);
  }
  return spec;
}

/** Whether `now` is inside the preset's schedule window (true without a schedule). */
export function inSchedule(preset: Preset, now: Date | number): boolean {
  if (!preset.schedule) return true;
  const spec = cronSpecOf(preset.schedule.cron);
  return spec !== null && inWindow(spec, preset.schedule.durationS, now);
}

/** Whether one preset applies: events, schedule window, then precondition. */
export function presetMatches(preset: Preset, ctx: MatchContext): boolean {
  if (!eventsMatch(preset.events, ctx.events)) return false;
  if (!inSchedule(preset, ctx.now ?? Date.now())) return false;
  return preset.precondition === null || evaluate(preset.precondition, ctx.lookup);
}

export class PresetRegistry {
  readonly dir: string;
  private readonly options: PresetRegistryOptions;
  private readonly files = new Map<string, FileState>();
  private active: Preset[] = [];
  private watcher: fs.FSWatcher | null = null;
  private watchedIno: number | null = null;
  private watchedBefore = false;
  private debounceTimer: NodeJS.Timeout | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  private closed = false;
  private dirError: string | null = null;
  private reportedDuplicates = new Set<string>();
  private readonly listeners = new Set<(presets: Preset[]) => void>();
  /** Stored presets by name: the version last parsed and its preset (null: invalid). */
  private readonly stored = new Map<string, { version: number; preset: Preset | null }>();
  private reportedShadows = new Set<string>();
  private readonly unsubscribe: () => void;

  /** Loads the directory now (synchronously) and starts watching it. */
  constructor(dir: string, options: PresetRegistryOptions = {}) {
    this.dir = dir;
    this.options = options;
    this.unsubscribe = options.stored?.onChange(() => this.reload()) ?? (() => undefined);
    this.guard(() => this.rescan(false));
    if (options.watch !== false) this.guard(() => this.ensureWatcher());
    const pollMs = options.pollMs ?? 5000;
    if (pollMs > 0) {
      this.pollTimer = setInterval(() => this.guard(() => this.poll()), pollMs);
      this.pollTimer.unref();
    }
  }

  /** Calls `listener` after every reload that changed the active presets; returns the unsubscribe. */
  onChange(listener: (presets: Preset[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Active presets in application order (weight, then name). */
  list(): Preset[] {
    return this.active.slice();
  }

  get(name: string): Preset | undefined {
    return this.active.find((p) => p.name === name);
  }

  /** The errors of the files' current versions (and of the directory). */
  errors(): PresetError[] {
    const out: PresetError[] = [];
    if (this.dirError !== null) out.push({ file: this.dir, line: 0, message: this.dirError });
    for (const [file, st] of this.files) {
      if (st.readError !== null) out.push({ file, line: 0, message: st.readError });
      else out.push(...st.errors);
    }
    return out;
  }

  /** Presets that apply to a session, in application order: weight, then name. */
  matching(ctx: MatchContext): Preset[] {
    return this.active.filter((p) => presetMatches(p, ctx));
  }

  /** Every path the active presets' preconditions read, each once (see pathsOf): what a session should have fresh. */
  paths(): string[] {
    const out = new Set<string>();
    for (const p of this.active) if (p.precondition) for (const x of pathsOf(p.precondition)) out.add(x);
    return [...out];
  }

  /** Rescans now (what changed only). */
  reload(): void {
    this.guard(() => this.rescan(false));
  }

  /** Parses every file again, e.g. after the set of known provisions changed. */
  revalidate(): void {
    this.guard(() => this.rescan(true));
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.debounceTimer = null;
    this.pollTimer = null;
    this.closeWatcher();
  }

  // ------------------------------------------------------------- internals

  private report(error: PresetError): void {
    try {
      this.options.onError?.(error);
    } catch {
      // A failing error handler must not take the watcher down with it.
    }
  }

  /** Runs `f`, turning any exception into a reported error: timers and watchers never throw. */
  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.report({ file: this.dir, line: 0, message: `presets reload failed: ${e instanceof Error ? e.message : String(e)}` });
    }
  }

  private knownProvisions(): Set<string> | undefined {
    const k = this.options.knownProvisions;
    return typeof k === 'function' ? k() : k;
  }

  /** The valid stored presets no file shadows; each parsed once per version, each problem reported once. */
  private storedPresets(fileNames: ReadonlySet<string>, force: boolean): Preset[] {
    const current = this.options.stored?.current() ?? new Map();
    const out: Preset[] = [];
    const shadows = new Set<string>();
    for (const name of this.stored.keys()) if (!current.has(name)) this.stored.delete(name);
    for (const script of current.values()) {
      const label = storedLabel(script);
      if (fileNames.has(script.name)) {
        shadows.add(label);
        if (!this.reportedShadows.has(label)) this.warn(`preset '${script.name}': the file in ${this.dir} is active; the database's version ${script.version} is shadowed`);
        continue;
      }
      const state = this.stored.get(script.name);
      const preset = !force && state !== undefined && state.version === script.version ? state.preset : this.parseStored(script);
      if (preset) out.push(preset);
    }
    this.reportedShadows = shadows;
    return out;
  }

  /** A stored version's preset (null: invalid, its errors reported), remembered for that version. */
  private parseStored(script: StoredScript): Preset | null {
    const parsed = parsePreset(storedLabel(script), script.source, { name: script.name, knownProvisions: this.knownProvisions() });
    if (!parsed.ok) for (const e of parsed.errors) this.report(e);
    const preset = parsed.ok ? parsed.preset : null;
    this.stored.set(script.name, { version: script.version, preset });
    return preset;
  }

  private warn(message: string): void {
    try {
      this.options.onWarning?.(message);
    } catch {
      // see report()
    }
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = null;
      if (this.closed) return;
      this.guard(() => this.rescan(false));
      if (this.options.watch !== false && !this.watcher) this.guard(() => this.ensureWatcher());
    }, this.options.debounceMs ?? 100);
    this.debounceTimer.unref();
  }

  private poll(): void {
    if (this.closed) return;
    if (this.options.watch !== false) this.ensureWatcher();
    this.rescan(false);
  }

  private closeWatcher(): void {
    const w = this.watcher;
    this.watcher = null;
    this.watchedIno = null;
    if (w) {
      try {
        w.close();
      } catch {
        // already closed
      }
    }
  }

  /** Starts the watcher if there is none, or if the directory was replaced since. */
  private ensureWatcher(): void {
    if (this.closed) return;
    let ino: number;
    try {
      ino = fs.statSync(this.dir).ino;
    } catch {
      this.closeWatcher(); // rescan reports the missing directory
      return;
    }
    if (this.watcher && this.watchedIno === ino) return;
    this.closeWatcher();
    try {
      const w = fs.watch(this.dir, { persistent: false }, () => this.schedule());
      w.on('error', (err) => {
        this.guard(() => {
          if (this.watcher === w) this.closeWatcher();
          this.report({ file: this.dir, line: 0, message: `watching stopped (${err.message}); retrying` });
          this.schedule();
        });
      });
      this.watcher = w;
      this.watchedIno = ino;
      // Changes between the last scan and now would otherwise go unnoticed.
      if (this.watchedBefore) this.schedule();
      this.watchedBefore = true;
    } catch (e) {
      this.report({ file: this.dir, line: 0, message: `cannot watch the presets directory: ${(e as Error).message}` });
    }
  }

  private readText(file: string): { text: string } | { missing: true } | { error: string } {
    try {
      const st = fs.statSync(file);
      if (!st.isFile()) return { error: 'not a regular file' };
      if (st.size > MAX_PRESET_BYTES) return { error: `file is larger than ${MAX_PRESET_BYTES} bytes` };
      return { text: fs.readFileSync(file, 'utf8') };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return { missing: true };
      return { error: `cannot read: ${(e as Error).message}` };
    }
  }

  private rescan(force: boolean): void {
    if (this.closed) return;
    this.scanFiles(force);
    this.activate(force);
  }

  /** Reads the folder's files again (what changed, or all when forced); an unreadable folder keeps what was read. */
  private scanFiles(force: boolean): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter(isPresetFile).sort();
    } catch (e) {
      // Keep what is loaded: a missing directory is more often a deploy in progress than an intent.
      // The watcher of a removed directory is dead even if a new one reuses the inode.
      this.closeWatcher();
      const message = `cannot read the presets directory: ${(e as Error).message}`;
      if (message !== this.dirError) this.report({ file: this.dir, line: 0, message });
      this.dirError = message;
      return;
    }
    this.dirError = null;

    const present = new Set<string>();
    for (const n of names) {
      const file = path.join(this.dir, n);
      const r = this.readText(file);
      if ('missing' in r) continue; // deleted between readdir and read
      present.add(file);
      let st = this.files.get(file);
      if (!st) {
        st = { text: null, preset: null, errors: [], readError: null };
        this.files.set(file, st);
      }
      if ('error' in r) {
        if (r.error !== st.readError) this.report({ file, line: 0, message: r.error });
        st.readError = r.error;
        continue;
      }
      st.readError = null;
      if (!force && st.text === r.text) continue;
      st.text = r.text;
      const parsed = parsePreset(file, r.text, { knownProvisions: this.knownProvisions() });
      if (parsed.ok) {
        st.preset = parsed.preset;
        st.errors = [];
      } else {
        st.errors = parsed.errors;
        for (const e of parsed.errors) this.report(e);
      }
    }
    for (const file of [...this.files.keys()]) {
      if (!present.has(file)) this.files.delete(file);
    }
  }

  /** The active set from the files' last good versions and the stored presets; listeners hear of a change. */
  private activate(force: boolean): void {
    // One preset per name: the first file in name order wins (wifi.yaml before wifi.yml).
    const byName = new Map<string, Preset>();
    const duplicates = new Set<string>();
    for (const file of [...this.files.keys()].sort()) {
      const p = this.files.get(file)?.preset;
      if (!p) continue;
      const first = byName.get(p.name);
      if (first) {
        const key = `${file}\0${first.file}`;
        duplicates.add(key);
        if (!this.reportedDuplicates.has(key)) {
          this.report({ file, line: 0, message: `preset '${presetNameOf(file)}' is already defined by ${first.file}; ignored` });
        }
        continue;
      }
      byName.set(p.name, p);
    }
    this.reportedDuplicates = duplicates;
    const fileNames = new Set([...this.files.keys()].map((file) => presetNameOf(file)));
    for (const p of this.storedPresets(fileNames, force)) byName.set(p.name, p);

    const next = sortPresets([...byName.values()]);
    if (next.length !== this.active.length || next.some((p, i) => p !== this.active[i])) {
      this.active = next;
      for (const listener of [this.options.onChange, ...this.listeners]) {
        try {
          listener?.(this.list());
        } catch {
          // see report()
        }
      }
    }
  }
}
