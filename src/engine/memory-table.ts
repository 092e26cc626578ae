/**
 * A device's cached data model held in memory while an engine worker plans a
 * session: the same rows and the same cache ops (db/cache-ops.ts) as the SQL
 * table, so the planner sees exactly what the commit will store.
 */
import { applyInform, applyOp, type ParamRows } from '../db/cache-ops';
import { successor } from '../db/paths';
import type { CacheOp, CachedParameter, InformRecord } from '../db/types';

export class MemoryTable implements ParamRows {
  private readonly rows = new Map<string, CachedParameter>();
  /** Bumped by every write, so views built from the rows can be reused until the next one. */
  version = 0;

  constructor(rows: Iterable<CachedParameter> = []) {
    for (const r of rows) this.rows.set(r.path, r);
  }

  all(): IterableIterator<CachedParameter> {
    return this.rows.values();
  }

  get(path: string): CachedParameter | undefined {
    return this.rows.get(path);
  }

  get size(): number {
    return this.rows.size;
  }

  applyInform(inform: InformRecord): Promise<void> {
    return applyInform(this, inform);
  }

  applyOp(op: CacheOp): Promise<void> {
    return applyOp(this, op);
  }

  async load(paths: string[]): Promise<Map<string, CachedParameter>> {
    const out = new Map<string, CachedParameter>();
    for (const p of paths) {
      const row = this.rows.get(p);
      if (row) out.set(p, row);
    }
    return out;
  }

  async loadPrefix(prefix: string): Promise<CachedParameter[]> {
    return [...this.rows.values()].filter((r) => under(prefix, r.path));
  }

  async listPrefix(prefix: string): Promise<string[]> {
    return [...this.rows.keys()].filter((p) => under(prefix, p));
  }

  async write(rows: CachedParameter[]): Promise<void> {
    for (const r of rows) this.rows.set(r.path, r);
    if (rows.length > 0) this.version++;
  }

  async deletePaths(paths: string[]): Promise<void> {
    for (const p of paths) this.rows.delete(p);
    if (paths.length > 0) this.version++;
  }

  async deletePrefix(prefix: string): Promise<void> {
    for (const p of await this.listPrefix(prefix)) this.rows.delete(p);
    this.version++;
  }
}

function under(prefix: string, path: string): boolean {
  const upper = successor(prefix);
  return path >= prefix && (upper === null || path < upper);
}
