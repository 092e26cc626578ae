/**
 * The provision scripts (or virtual parameters) a worker runs, kept current
 * without a restart: the folder is rescanned (file sizes and mtimes, a few
 * stat calls) at most once per `pollMs` when a script is asked for, and so
 * are the versions of the scripts held in the database (`stored`, a copy in
 * memory kept current by scripts/stored.ts). A file wins over a stored
 * script of the same name (`onWarning` says so once per stored version). A
 * script whose new version does not compile keeps its previous good version
 * running; the problem is reported once per version.
 *
 * A stored change is taken at the next `get` (the stored copy tells of it),
 * and a name not found makes the stored copy read the database first (once
 * per `pollMs` at most): a preset written just after its provision, and seen
 * by a front end before this process's next poll, finds the provision.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { checkSyntax, loadProvisions, scriptFromText, type LoadedScript } from '../sandbox';
import { storedLabel, type StoredScript, type StoredSource } from '../scripts/types';
import { formatFault } from './channel-faults';

export interface ScriptLibraryOptions {
  pollMs?: number;
  onError?: (message: string) => void;
  /** Scripts held in the database, beside the folder's. */
  stored?: StoredSource;
  /** A stored script shadowed by a file of the same name, once per stored version. */
  onWarning?: (message: string) => void;
}

export class ScriptLibrary {
  private scripts = new Map<string, LoadedScript>();
  private signature = '';
  private checkedAt = 0;
  private loading: Promise<void> | null = null;
  private readonly reported = new Set<string>();
  /** Stored scripts compiled, by name: each version is compiled once. */
  private compiled = new Map<string, { version: number; script: LoadedScript }>();
  private readonly shadowed = new Set<string>();
  private missedAt = 0;

  constructor(private readonly dir: string, private readonly options: ScriptLibraryOptions = {}) {
    options.stored?.onChange(() => (this.checkedAt = 0));
  }

  /** The current script of a provision (the last good version); undefined if there is none. */
  async get(id: string): Promise<LoadedScript | undefined> {
    await this.refresh();
    const stored = this.options.stored;
    if (this.scripts.has(id) || !stored || Date.now() - this.missedAt < this.pollMs()) return this.scripts.get(id);
    this.missedAt = Date.now();
    await stored.refresh();
    await this.refresh();
    return this.scripts.get(id);
  }

  names(): Set<string> {
    return new Set(this.scripts.keys());
  }

  async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.checkedAt < this.pollMs()) return;
    this.loading ??= this.rescan().finally(() => (this.loading = null));
    await this.loading;
  }

  private pollMs(): number {
    return this.options.pollMs ?? 1_000;
  }

  private async rescan(): Promise<void> {
    this.checkedAt = Date.now();
    const folder = await signatureOf(this.dir);
    const stored = this.options.stored?.current() ?? new Map<string, StoredScript>();
    const signature = `${folder}#${[...stored.values()].map((s) => `${s.name}@${s.version}`).join('|')}`;
    if (signature === this.signature) return;
    this.signature = signature;
    const files = folder === '' ? [] : await loadProvisions(this.dir);
    const loaded = [...files, ...(await this.compileStored(stored, new Set(files.map((f) => f.id))))];
    const next = new Map<string, LoadedScript>();
    for (const script of loaded) {
      const previous = this.scripts.get(script.id);
      if (script.fault) {
        const message = formatFault(script.fault, script.file);
        if (!this.reported.has(message)) {
          this.reported.add(message);
          this.options.onError?.(message);
        }
        // The last good version stays active; a script that never compiled runs as its fault.
        next.set(script.id, previous && !previous.fault ? previous : script);
      } else {
        next.set(script.id, script);
      }
    }
    this.scripts = next;
  }

  /** The stored scripts no file shadows, each version compiled once. */
  private async compileStored(stored: ReadonlyMap<string, StoredScript>, fileIds: ReadonlySet<string>): Promise<LoadedScript[]> {
    const out: LoadedScript[] = [];
    const fresh: LoadedScript[] = [];
    const compiled = new Map<string, { version: number; script: LoadedScript }>();
    for (const s of stored.values()) {
      const label = storedLabel(s);
      if (fileIds.has(s.name)) {
        if (!this.shadowed.has(label)) this.options.onWarning?.(`${s.name}: the file in ${this.dir} is active; the database's version ${s.version} is shadowed`);
        this.shadowed.add(label);
        continue;
      }
      let entry = this.compiled.get(s.name);
      if (entry?.version !== s.version) {
        entry = { version: s.version, script: scriptFromText(`${s.name}.js`, s.source, label) };
        if (!entry.script.fault) fresh.push(entry.script);
      }
      compiled.set(s.name, entry);
      out.push(entry.script);
    }
    await checkSyntax(fresh);
    this.compiled = compiled;
    return out;
  }
}

async function signatureOf(dir: string): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(js|ts)$/.test(n) && !n.endsWith('.d.ts')).sort();
  } catch {
    return '';
  }
  const parts = await Promise.all(
    names.map(async (n) => {
      const s = await stat(path.join(dir, n)).catch(() => null);
      return s ? `${n}:${s.size}:${s.mtimeMs}` : n;
    }),
  );
  return parts.join('|');
}

/** Whether `dir` holds the script `name` (name.js or name.ts), for checks made outside a worker (a provision task's name). */
export function scriptExists(dir: string, name: string): boolean {
  return ['.js', '.ts'].some((ext) => existsSync(path.join(dir, `${name}${ext}`)));
}
