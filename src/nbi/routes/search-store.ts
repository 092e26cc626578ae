/**
 * Saved device searches (table saved_searches, migration 1766650000000): a
 * name, the search text, the columns shown and the sort, kept for the
 * principal that saved it or shared with everyone (owner ''). The routes
 * (searches.ts) check what is stored; this file only reads and writes rows.
 */
import type { Row } from '../../db/sql';
import { isDuplicateKey } from '../../db/tasks';
import type { SqlAccess } from '../../db/types';

/** Whose a saved search is: the principal's own, or everyone's. */
export interface SearchOwner {
  principal: string;
  shared: boolean;
}

/** What a saved search holds, as the API takes it. */
export interface SearchSpec {
  q: string;
  columns: string[];
  /** '' for the list's own order. */
  sort: string;
}

export interface SavedSearch extends SearchSpec {
  name: string;
  shared: boolean;
  createdAt: number;
  updatedAt: number;
  updatedBy: string;
}

/** The owner column of a search: '' is shared (no principal name is empty). */
const ownerKey = (o: SearchOwner): string => (o.shared ? '' : o.principal);

function columnsOf(text: unknown): string[] {
  try {
    const parsed = JSON.parse(String(text)) as unknown;
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    // A row edited by hand: shown with no columns, which the UI replaces by its defaults.
    return [];
  }
}

function searchOf(row: Row): SavedSearch {
  return {
    name: String(row.name),
    shared: row.owner === '',
    q: String(row.q),
    columns: columnsOf(row.column_keys),
    sort: String(row.sort),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    updatedBy: String(row.updated_by),
  };
}

export class SearchStore {
  constructor(private readonly sql: SqlAccess) {}

  /** The principal's own searches and the shared ones, by name (own first on a tie). */
  async list(principal: string): Promise<SavedSearch[]> {
    const rows = await this.sql.autocommit((db) => db.select("SELECT * FROM saved_searches WHERE owner IN (?, '') ORDER BY name, owner DESC", [principal]));
    return rows.map(searchOf);
  }

  /** How many searches an owner has (to bound the list). */
  async countOf(owner: SearchOwner): Promise<number> {
    const rows = await this.sql.autocommit((db) => db.select('SELECT COUNT(*) AS n FROM saved_searches WHERE owner = ?', [ownerKey(owner)]));
    return Number(rows[0]?.n ?? 0);
  }

  async get(owner: SearchOwner, name: string): Promise<SavedSearch | null> {
    const rows = await this.sql.autocommit((db) => db.select('SELECT * FROM saved_searches WHERE owner = ? AND name = ?', [ownerKey(owner), name]));
    return rows[0] ? searchOf(rows[0]) : null;
  }

  /** Stores the search under its name, replacing one of the same owner and name; whether it was new. */
  async put(owner: SearchOwner, name: string, spec: SearchSpec, now = Date.now()): Promise<boolean> {
    const values = [spec.q, JSON.stringify(spec.columns), spec.sort, now, owner.principal];
    try {
      await this.sql.autocommit((db) =>
        db.run('INSERT INTO saved_searches (q, column_keys, sort, updated_at, updated_by, created_at, owner, name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [...values, now, ownerKey(owner), name]),
      );
      return true;
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
    }
    await this.sql.autocommit((db) =>
      db.run('UPDATE saved_searches SET q = ?, column_keys = ?, sort = ?, updated_at = ?, updated_by = ? WHERE owner = ? AND name = ?', [...values, ownerKey(owner), name]),
    );
    return false;
  }

  async delete(owner: SearchOwner, name: string): Promise<boolean> {
    const r = await this.sql.autocommit((db) => db.run('DELETE FROM saved_searches WHERE owner = ? AND name = ?', [ownerKey(owner), name]));
    return r.affected > 0;
  }
}
