/**
 * Deletes file content nobody can read any more: content released (its name
 * replaced or deleted) longer ago than the grace period, and uploads that
 * stopped writing long ago (their process died) and were never published.
 * Each content goes in its own transaction, re-checked there, so a content
 * published meanwhile is kept.
 */
import type { SqlAccess } from '../db/types';
import type { FileServiceOptions } from './types';

const BATCH = 100;

const DEAD = `((released IS NOT NULL AND released < ?)
  OR (released IS NULL AND touched < ? AND NOT EXISTS (SELECT 1 FROM files WHERE files.content_id = file_contents.id)))`;

export async function collectGarbage(sql: SqlAccess, options: Pick<FileServiceOptions, 'releasedGraceMs' | 'staleUploadMs'>): Promise<number> {
  const now = Date.now();
  const params = [now - options.releasedGraceMs, now - options.staleUploadMs];
  const rows = await sql.autocommit((db) => db.select(`SELECT id FROM file_contents WHERE ${DEAD} LIMIT ${BATCH}`, params));
  let deleted = 0;
  for (const { id } of rows) {
    const gone = await sql.transaction(async (db) => {
      const { affected } = await db.run(`DELETE FROM file_contents WHERE id = ? AND ${DEAD}`, [id, ...params]);
      if (affected === 1) await db.run('DELETE FROM file_chunks WHERE content_id = ?', [id]);
      return affected === 1;
    });
    if (gone) deleted++;
  }
  return deleted;
}
