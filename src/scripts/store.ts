/**
 * The scripts and script_versions tables (migration 1766000000000). Every
 * write or deletion adds a version row; the largest version id is the
 * generation processes poll (see stored.ts).
 */
import type { Row } from '../db/sql';
import { isDuplicateKey } from '../db/tasks';
import type { SqlAccess } from '../db/types';
import { AcsError } from '../errors';
import type { ScriptKind, ScriptVersion, StoredScript } from './types';

function storedOf(r: Row): StoredScript {
  return {
    kind: String(r.kind) as ScriptKind,
    name: String(r.name),
    version: Number(r.version),
    source: String(r.source),
    updatedAt: Number(r.updated_at),
    updatedBy: String(r.updated_by),
  };
}

function versionOf(r: Row): ScriptVersion {
  return { version: Number(r.version), time: Number(r.created_at), by: String(r.created_by), deleted: Number(r.deleted) === 1 };
}

export class ScriptStore {
  constructor(readonly sql: SqlAccess) {}

  /** Changes with every write and deletion; -1 before the first. */
  async generation(): Promise<number> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT MAX(id) AS g FROM script_versions'));
    return row?.g === null || row?.g === undefined ? -1 : Number(row.g);
  }

  /** Every live script, of every kind. */
  async all(): Promise<StoredScript[]> {
    return (await this.sql.autocommit((db) => db.select('SELECT * FROM scripts ORDER BY kind, name'))).map(storedOf);
  }

  async get(kind: ScriptKind, name: string): Promise<StoredScript | null> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT * FROM scripts WHERE kind = ? AND name = ?', [kind, name]));
    return row ? storedOf(row) : null;
  }

  /** A past (or the current) version's source; null when there is no such version or it is a deletion. */
  async source(kind: ScriptKind, name: string, version: number): Promise<string | null> {
    const sql = 'SELECT source FROM script_versions WHERE kind = ? AND name = ? AND version = ? AND deleted = 0';
    const [row] = await this.sql.autocommit((db) => db.select(sql, [kind, name, version]));
    return row ? String(row.source) : null;
  }

  /** The name's history, oldest first ([] for a name never written). */
  async versions(kind: ScriptKind, name: string): Promise<ScriptVersion[]> {
    const sql = 'SELECT version, created_at, created_by, deleted FROM script_versions WHERE kind = ? AND name = ? ORDER BY version';
    return (await this.sql.autocommit((db) => db.select(sql, [kind, name]))).map(versionOf);
  }

  /** Stores a new version (creating the script or replacing it); answers it. */
  async put(kind: ScriptKind, name: string, source: string, by: string, now = Date.now()): Promise<StoredScript> {
    const version = (await this.append(kind, name, source, by, now)) as number;
    return { kind, name, version, source, updatedAt: now, updatedBy: by };
  }

  /** Deletes the script, keeping its history; answers the deletion's version, or null when there was no such script. */
  remove(kind: ScriptKind, name: string, by: string, now = Date.now()): Promise<number | null> {
    return this.append(kind, name, null, by, now);
  }

  /**
   * Adds the next version row and makes it the current one (no current one
   * for a deletion), in one transaction. Null: a deletion of nothing. Two
   * writers of one name may read the same last version: the unique key
   * refuses the second, which gets a 409.
   */
  private async append(kind: ScriptKind, name: string, source: string | null, by: string, now: number): Promise<number | null> {
    try {
      return await this.sql.transaction(async (db) => {
        if (source === null && (await db.select('SELECT 1 AS x FROM scripts WHERE kind = ? AND name = ?', [kind, name])).length === 0) return null;
        const [row] = await db.select('SELECT MAX(version) AS v FROM script_versions WHERE kind = ? AND name = ?', [kind, name]);
        const version = (row?.v === null || row?.v === undefined ? 0 : Number(row.v)) + 1;
        await db.run('INSERT INTO script_versions (kind, name, version, source, deleted, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)', [
          kind, name, version, source, source === null ? 1 : 0, now, by,
        ]);
        db.later('DELETE FROM scripts WHERE kind = ? AND name = ?', [kind, name]);
        if (source !== null) {
          db.later('INSERT INTO scripts (kind, name, version, source, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)', [kind, name, version, source, now, by]);
        }
        return version;
      });
    } catch (err) {
      throw isDuplicateKey(err) ? conflict(name) : err;
    }
  }
}

function conflict(name: string): AcsError {
  return new AcsError('ACS_ERR_CONFLICT', `${name} was written by another request at the same time; send it again`);
}
