/**
 * Deletes file content nobody can read any more: content released (its name
 * replaced or deleted) longer ago than the grace period, and uploads that
 * stopped writing long ago (their process died) and were never published.
 *
 * Each content is first released in its own transaction, re-checked there
 * (a released content can never be published, so a slow upload that wakes
 * up fails rather than pointing a name at deleted bytes); then its bytes go,
 * then its row. A crash between the steps leaves a released row, which the
 * next pass finishes.
 */
import { forUpdate } from '../db/sql';
import type { SqlAccess } from '../db/types';
import type { ContentStorage, StorageKind } from './storage';
import type { FileServiceOptions } from './types';

const BATCH = 100;

const DEAD = `((released IS NOT NULL AND released < ?)
  OR (released IS NULL AND touched < ? AND NOT EXISTS (SELECT 1 FROM files WHERE files.content_id = file_contents.id)))`;

export async function collectGarbage(
  sql: SqlAccess,
  options: Pick<FileServiceOptions, 'releasedGraceMs' | 'staleUploadMs'>,
  storages: Record<StorageKind, ContentStorage>,
): Promise<number> {
  const now = Date.now();
  const params = [now - options.releasedGraceMs, now - options.staleUploadMs];
  const rows = await sql.autocommit((db) => db.select(`SELECT id FROM file_contents WHERE ${DEAD} LIMIT ${BATCH}`, params));
  let deleted = 0;
  for (const { id } of rows) {
    const storage = await sql.transaction(async (db) => {
      const dead = await db.select(`SELECT storage FROM file_contents WHERE id = ? AND ${DEAD}${forUpdate(db)}`, [id, ...params]);
      if (dead.length === 0) return null;
      await db.run('UPDATE file_contents SET released = 0 WHERE id = ? AND released IS NULL', [id]);
      return storages[dead[0].storage === 'disk' ? 'disk' : 'database'];
    });
    if (!storage) continue;
    await storage.remove(String(id));
    await sql.transaction((db) => db.run('DELETE FROM file_contents WHERE id = ?', [id]));
    deleted++;
  }
  return deleted;
}
