/**
 * The process's copy of the scripts held in the database. Every process
 * (front ends, workers, REST API) keeps one, read again when the generation
 * (the largest version id: one indexed read) moved, checked once per
 * `pollMs`: a write on any process is seen everywhere within that time,
 * and no CWMP session reads the table. While the database cannot be read,
 * the last good copy stays; the outage is logged once, and its end.
 */
import { scriptExists } from '../engine/script-library';
import type { Logger } from '../log';
import type { ScriptStore } from './store';
import { SCRIPT_KINDS, type ScriptKind, type StoredScript, type StoredSource } from './types';

/** How often the generation is read: what "without a restart" costs, and how soon it takes. */
export const STORED_POLL_MS = 1_000;

export interface StoredScriptsOptions {
  log: Logger;
  /** Default {@link STORED_POLL_MS}; 0: only when asked (refresh). */
  pollMs?: number;
}

type ByKind = ReadonlyMap<ScriptKind, ReadonlyMap<string, StoredScript>>;

const EMPTY: ByKind = new Map(SCRIPT_KINDS.map((k) => [k, new Map()]));

export class StoredScripts {
  private scripts: ByKind = EMPTY;
  private generation: number | null = null;
  private reading: Promise<void> | null = null;
  private failing = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<(changed: ReadonlySet<ScriptKind>) => void>();

  constructor(readonly store: ScriptStore, private readonly options: StoredScriptsOptions) {}

  /** Reads the table once and starts polling. */
  async start(): Promise<void> {
    await this.refresh();
    const pollMs = this.options.pollMs ?? STORED_POLL_MS;
    if (pollMs > 0 && this.timer === null) {
      this.timer = setInterval(() => void this.refresh(), pollMs);
      this.timer.unref();
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Reads the generation now (and the scripts when it moved); one read at a time. Never throws. */
  refresh(): Promise<void> {
    this.reading ??= this.read().finally(() => (this.reading = null));
    return this.reading;
  }

  of(kind: ScriptKind): ReadonlyMap<string, StoredScript> {
    return this.scripts.get(kind) ?? new Map();
  }

  has(kind: ScriptKind, name: string): boolean {
    return this.of(kind).has(name);
  }

  /** One kind, as the preset registry and the script libraries take it. */
  source(kind: ScriptKind): StoredSource {
    return {
      current: () => this.of(kind),
      onChange: (listener) => this.onChange((changed) => changed.has(kind) && listener()),
      refresh: () => this.refresh(),
    };
  }

  /** Calls `listener` with the kinds that changed after each read that changed some; returns the unsubscribe. */
  onChange(listener: (changed: ReadonlySet<ScriptKind>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async read(): Promise<void> {
    try {
      const generation = await this.store.generation();
      if (generation !== this.generation) {
        const rows = await this.store.all();
        this.generation = generation;
        this.replace(rows);
      }
      if (this.failing) this.options.log.info('stored scripts readable again');
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.options.log.error({ err }, 'stored scripts cannot be read; the last ones read stay active');
      this.failing = true;
    }
  }

  private replace(rows: StoredScript[]): void {
    const next = new Map(SCRIPT_KINDS.map((k) => [k, new Map<string, StoredScript>()]));
    for (const row of rows) next.get(row.kind)?.set(row.name, row);
    const changed = new Set(SCRIPT_KINDS.filter((k) => !sameVersions(this.of(k), next.get(k) as Map<string, StoredScript>)));
    this.scripts = next;
    if (changed.size === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(changed);
      } catch (err) {
        this.options.log.error({ err }, 'stored scripts listener failed');
      }
    }
  }
}

function sameVersions(a: ReadonlyMap<string, StoredScript>, b: ReadonlyMap<string, StoredScript>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, s] of a) if (b.get(name)?.version !== s.version) return false;
  return true;
}

/** Whether a provision of that name exists: a file of the folder, or one held in the database. */
export function provisionLookup(provisionsDir: string, stored: StoredScripts): (name: string) => boolean {
  return (name) => scriptExists(provisionsDir, name) || stored.has('provision', name);
}
