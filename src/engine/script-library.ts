/**
 * The provision scripts a worker runs, kept current without a restart: the
 * folder is rescanned (file sizes and mtimes, a few stat calls) at most once
 * per `pollMs` when a script is asked for. A script whose new version does not
 * compile keeps its previous good version running; the problem is reported
 * once per version.
 */
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadProvisions, type LoadedScript } from '../sandbox';
import { formatFault } from './channel-faults';

export interface ScriptLibraryOptions {
  pollMs?: number;
  onError?: (message: string) => void;
}

export class ScriptLibrary {
  private scripts = new Map<string, LoadedScript>();
  private signature = '';
  private checkedAt = 0;
  private loading: Promise<void> | null = null;
  private readonly reported = new Set<string>();

  constructor(private readonly dir: string, private readonly options: ScriptLibraryOptions = {}) {}

  /** The current script of a provision (the last good version); undefined if there is none. */
  async get(id: string): Promise<LoadedScript | undefined> {
    await this.refresh();
    return this.scripts.get(id);
  }

  names(): Set<string> {
    return new Set(this.scripts.keys());
  }

  async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.checkedAt < (this.options.pollMs ?? 1_000)) return;
    this.loading ??= this.rescan().finally(() => (this.loading = null));
    await this.loading;
  }

  private async rescan(): Promise<void> {
    this.checkedAt = Date.now();
    const signature = await signatureOf(this.dir);
    if (signature === this.signature) return;
    this.signature = signature;
    const loaded = signature === '' ? [] : await loadProvisions(this.dir);
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
