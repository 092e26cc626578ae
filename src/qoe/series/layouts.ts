/**
 * Layouts: the columns of packed rows (concrete paths with kind and alias),
 * stored once in qoe_layouts and keyed by the hash of their JSON. A layout
 * never changes once stored, so both directions are cached for good; a
 * stream gets a new layout when an instance appears or disappears.
 */
import { createHash } from 'node:crypto';
import { placeholders, type Db } from '../../db/sql';
import type { Column } from './values';

export class Layouts {
  private readonly idByHash = new Map<string, number>();
  private readonly byId = new Map<number, Column[]>();

  /** The columns of layouts already known (after {@link load}). */
  columns(id: number): Column[] {
    const columns = this.byId.get(id);
    if (!columns) throw new Error(`series layout ${id} not loaded`);
    return columns;
  }

  /** Loads the layouts of `ids` not cached yet (one query). */
  async load(db: Db, ids: Iterable<number>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.byId.has(id));
    if (missing.length === 0) return;
    const rows = await db.select(`SELECT id, hash, columns_json FROM qoe_layouts WHERE id IN ${placeholders(missing.length)}`, missing);
    for (const row of rows) this.remember(Number(row.id), String(row.hash), JSON.parse(String(row.columns_json)) as Column[]);
    const lost = missing.find((id) => !this.byId.has(id));
    if (lost !== undefined) throw new Error(`series layout ${lost} missing from qoe_layouts`);
  }

  /** The ids of these column lists, stored first when new (two queries at most). */
  async ids(db: Db, lists: Column[][]): Promise<number[]> {
    const hashes = lists.map(hashOf);
    const fresh = new Map<string, Column[]>();
    hashes.forEach((h, i) => {
      if (!this.idByHash.has(h)) fresh.set(h, lists[i]);
    });
    if (fresh.size > 0) await this.store(db, fresh);
    return hashes.map((h) => this.idByHash.get(h) as number);
  }

  private async store(db: Db, fresh: Map<string, Column[]>): Promise<void> {
    const entries = [...fresh];
    // Another process may store the same layout at the same time: the unique hash keeps one, both read it back.
    const ignore = db.driver === 'mysql' ? 'INSERT IGNORE INTO' : 'INSERT OR IGNORE INTO';
    await db.run(`${ignore} qoe_layouts (hash, columns_json) VALUES ${entries.map(() => '(?,?)').join(',')}`, entries.flatMap(([h, c]) => [h, JSON.stringify(c)]));
    const rows = await db.select(`SELECT id, hash FROM qoe_layouts WHERE hash IN ${placeholders(entries.length)}`, entries.map(([h]) => h));
    for (const row of rows) this.remember(Number(row.id), String(row.hash), fresh.get(String(row.hash)) as Column[]);
  }

  private remember(id: number, hash: string, columns: Column[]): void {
    this.idByHash.set(hash, id);
    this.byId.set(id, columns);
  }
}

export function hashOf(columns: Column[]): string {
  return createHash('sha1').update(JSON.stringify(columns)).digest('hex');
}
