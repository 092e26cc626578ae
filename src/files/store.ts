/**
 * Files: names and metadata in the database, bytes in a ContentStorage
 * (storage.ts), so the name→content switch is one transaction whatever
 * holds the bytes.
 *
 * Writing: the bytes go to a new content (a file_contents row, then the
 * storage), then one transaction points the name at it and releases the
 * content the name served before. So a reader sees the old file or the new
 * one, never a mix, and an upload that fails (too large, wrong sha256, cut
 * off) leaves nothing behind under its name.
 *
 * Reading: getFile fixes the content once and reads it a bounded piece at a
 * time, so a 256 MiB firmware never sits in memory. Released content stays
 * for a grace period (downloads already streaming it finish), then gc.ts
 * deletes it.
 */
import { randomUUID } from 'node:crypto';
import { forUpdate, type Db } from '../db/sql';
import type { SqlAccess } from '../db/types';
import { AcsError } from '../errors';
import { ChunkCutter } from './chunker';
import { collectGarbage } from './gc';
import { FILE_COLUMNS, fileOfRow, rowValues, whereOf, type FileRow } from './rows';
import type { ContentStorage, StorageKind } from './storage';
import type { FileFilter, FileMeta, FileReader, FileServiceOptions, FileSource, StoredFile } from './types';
import { checkMeta, checkName } from './validate';

export interface PutOptions {
  /** 413 past this many bytes (default: the service's maxBytes). */
  limitBytes?: number;
  /** The SHA-256 (hex) the sender says the file has: 400 and nothing stored if the bytes differ. */
  sha256?: string;
}

export interface FileStore {
  /** Stores (or atomically replaces) the file `name`; throws 400 for a bad name, metadata or sha256, 413 past the limit. */
  putFile(name: string, source: FileSource, meta?: FileMeta, options?: PutOptions): Promise<StoredFile>;
  /** The file and a reader of its content as it is now, or null. */
  getFile(name: string): Promise<FileReader | null>;
  /** Files matching every field of the filter, by name. */
  listFiles(filter?: FileFilter & { limit?: number; offset?: number }): Promise<StoredFile[]>;
  /** False when there was no such file. Streams already reading it finish. */
  deleteFile(name: string): Promise<boolean>;
  /** Deletes released content past its grace and dead uploads' bytes; returns how many contents went. */
  collectGarbage(): Promise<number>;
}

export type StoreOptions = Pick<FileServiceOptions, 'maxBytes' | 'releasedGraceMs' | 'staleUploadMs'>;

/** The storages a store reads from (each content says which holds it) and the one it writes new contents to. */
export interface Storages {
  byKind: Record<StorageKind, ContentStorage>;
  writeTo: StorageKind;
}

/** A live upload refreshes its content's `touched` this often, so the garbage collector does not take it for a dead one. */
const TOUCH_EVERY_MS = 30_000;

export function createFileStore(sql: SqlAccess, options: StoreOptions, storages: Storages): FileStore {
  const gc = () => collectGarbage(sql, options, storages.byKind);
  return {
    async putFile(name, source, meta = {}, put = {}) {
      checkName(name);
      checkMeta(meta);
      const expected = put.sha256 === undefined ? undefined : checkedSha256(put.sha256);
      const file = await writeFile(sql, storages.byKind[storages.writeTo], { name, source, meta, limitBytes: put.limitBytes ?? options.maxBytes, sha256: expected });
      await gc().catch(() => undefined);
      return file;
    },
    async getFile(name) {
      const row = await readRow(sql, name);
      if (!row) return null;
      const storage = storages.byKind[row.storage];
      const content = { id: row.contentId, size: row.file.size, chunkSize: row.chunkSize };
      return { file: row.file, chunks: (range) => storage.read(content, range ?? { start: 0, end: row.file.size - 1 }) };
    },
    async listFiles(filter = {}) {
      checkMeta(filter);
      const { where, params } = whereOf(filter);
      const page = `LIMIT ${wholeOr(filter.limit, 1000)} OFFSET ${wholeOr(filter.offset, 0)}`;
      const rows = await sql.autocommit((db) => db.select(`SELECT ${FILE_COLUMNS.join(', ')} FROM files ${where} ORDER BY name ${page}`, params));
      return rows.map((r) => fileOfRow(r).file);
    },
    async deleteFile(name) {
      const deleted = await sql.transaction((db) => unpublish(db, name, Date.now()));
      if (deleted) await gc().catch(() => undefined);
      return deleted;
    },
    collectGarbage: gc,
  };
}

function checkedSha256(value: string): string {
  const hex = value.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new AcsError('ACS_ERR_BAD_REQUEST', 'sha256 must be 64 hexadecimal digits');
  return hex;
}

/** Interpolated into SQL (LIMIT takes no placeholder on every driver): only a whole number gets there. */
function wholeOr(n: number | undefined, fallback: number): number {
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : fallback;
}

interface Write {
  name: string;
  source: FileSource;
  meta: FileMeta;
  limitBytes: number;
  sha256?: string;
}

async function writeFile(sql: SqlAccess, storage: ContentStorage, w: Write): Promise<StoredFile> {
  const contentId = randomUUID();
  await sql.transaction((db) => db.run('INSERT INTO file_contents (id, touched, released, storage) VALUES (?, ?, NULL, ?)', [contentId, Date.now(), storage.kind]));
  try {
    const cutter = new ChunkCutter(storage.pieceBytes, w.limitBytes);
    await storage.write(contentId, touching(sql, contentId, cutter.cut(w.source)));
    const digest = cutter.digest();
    if (w.sha256 !== undefined && digest.sha256 !== w.sha256) {
      throw new AcsError('ACS_ERR_BAD_REQUEST', `sha256 mismatch: the request says ${w.sha256}, the ${digest.size} bytes received hash to ${digest.sha256}; nothing stored`);
    }
    const file: StoredFile = { name: w.name, ...w.meta, ...digest, uploaded: Date.now() };
    await sql.transaction((db) => publish(db, file, contentId, storage.pieceBytes));
    return file;
  } catch (err) {
    await dropUnpublished(sql, storage, contentId).catch(() => undefined);
    throw err;
  }
}

/** The pieces, refreshing the content's `touched` now and then while they flow. */
async function* touching(sql: SqlAccess, contentId: string, pieces: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let touchedAt = Date.now();
  for await (const piece of pieces) {
    if (Date.now() - touchedAt >= TOUCH_EVERY_MS) {
      touchedAt = Date.now();
      await sql.transaction((db) => db.run('UPDATE file_contents SET touched = ? WHERE id = ?', [touchedAt, contentId]));
    }
    yield piece;
  }
}

/** Points `file.name` at the new content; the content it served before is released. */
async function publish(db: Db, file: StoredFile, contentId: string, chunkSize: number): Promise<void> {
  const touched = await db.run('UPDATE file_contents SET touched = ? WHERE id = ? AND released IS NULL', [file.uploaded, contentId]);
  if (touched.affected !== 1) throw new AcsError('ACS_ERR_INTERNAL', `content ${contentId} of ${file.name} vanished before it was published`);
  await unpublish(db, file.name, file.uploaded);
  await db.run(`INSERT INTO files (${FILE_COLUMNS.join(', ')}) VALUES (${FILE_COLUMNS.map(() => '?').join(', ')})`, rowValues(file, contentId, chunkSize));
}

/** Removes the name, releasing its content; false if there was none. */
async function unpublish(db: Db, name: string, now: number): Promise<boolean> {
  const old = await db.select(`SELECT content_id FROM files WHERE name = ?${forUpdate(db)}`, [name]);
  if (old.length === 0) return false;
  await db.run('DELETE FROM files WHERE name = ?', [name]);
  await db.run('UPDATE file_contents SET released = ? WHERE id = ?', [now, old[0].content_id]);
  return true;
}

/** A failed upload's bytes, unless (a commit that reported failure but happened) a name serves them. */
async function dropUnpublished(sql: SqlAccess, storage: ContentStorage, contentId: string): Promise<void> {
  const dropped = await sql.transaction(async (db) => {
    const used = await db.select('SELECT name FROM files WHERE content_id = ?', [contentId]);
    if (used.length > 0) return false;
    // Released first: the row goes only once the bytes have, so a crash in between leaves work for the garbage collector, not orphaned bytes.
    await db.run('UPDATE file_contents SET released = 0 WHERE id = ?', [contentId]);
    return true;
  });
  if (!dropped) return;
  await storage.remove(contentId);
  await sql.transaction((db) => db.run('DELETE FROM file_contents WHERE id = ?', [contentId]));
}

async function readRow(sql: SqlAccess, name: string): Promise<(FileRow & { storage: StorageKind }) | null> {
  const rows = await sql.autocommit((db) =>
    db.select(`SELECT ${FILE_COLUMNS.join(', ')}, storage FROM files JOIN file_contents ON file_contents.id = files.content_id WHERE name = ?`, [name]),
  );
  return rows.length > 0 ? { ...fileOfRow(rows[0]), storage: rows[0].storage === 'disk' ? 'disk' : 'database' } : null;
}
