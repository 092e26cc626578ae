/**
 * Files in the database, so every ACS process serves every file.
 *
 * Writing: the bytes go to a new content (file_contents + file_chunks, one
 * short transaction per MiB, never one long one), then one transaction points
 * the name at it and releases the content the name served before. So a
 * reader sees the old file or the new one, never a mix, and an upload that
 * fails leaves nothing behind under its name.
 *
 * Reading: getFile fixes the content once; chunks are read one row at a time,
 * so a 256 MiB firmware never sits in memory. Released content stays for a
 * grace period (downloads already streaming it finish), then gc.ts deletes it.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../db/sql';
import type { SqlAccess } from '../db/types';
import { AcsError } from '../errors';
import { ChunkCutter, CHUNK_BYTES } from './chunker';
import { collectGarbage } from './gc';
import { FILE_COLUMNS, fileOfRow, rowValues, whereOf, type FileRow } from './rows';
import type { ByteRange, FileFilter, FileMeta, FileReader, FileServiceOptions, FileSource, StoredFile } from './types';
import { checkMeta, checkName } from './validate';

export interface FileStore {
  /** Stores (or atomically replaces) the file `name`; throws 400 for a bad name or metadata, 413 past `limitBytes`. */
  putFile(name: string, source: FileSource, meta?: FileMeta, limitBytes?: number): Promise<StoredFile>;
  /** The file and a reader of its content as it is now, or null. */
  getFile(name: string): Promise<FileReader | null>;
  /** Files matching every field of the filter, by name. */
  listFiles(filter?: FileFilter & { limit?: number; offset?: number }): Promise<StoredFile[]>;
  /** False when there was no such file. Streams already reading it finish. */
  deleteFile(name: string): Promise<boolean>;
  /** Deletes released content past its grace and dead uploads' chunks; returns how many contents went. */
  collectGarbage(): Promise<number>;
}

type StoreOptions = Pick<FileServiceOptions, 'maxBytes' | 'releasedGraceMs' | 'staleUploadMs'>;

export function createFileStore(sql: SqlAccess, options: StoreOptions, chunkBytes = CHUNK_BYTES): FileStore {
  const gc = () => collectGarbage(sql, options);
  return {
    async putFile(name, source, meta = {}, limitBytes = options.maxBytes) {
      checkName(name);
      checkMeta(meta);
      const file = await writeFile(sql, name, source, meta, { chunkBytes, limitBytes });
      await gc().catch(() => undefined);
      return file;
    },
    async getFile(name) {
      const row = await readRow(sql, name);
      return row && { file: row.file, chunks: (range) => readChunks(sql, row, range) };
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

/** Interpolated into SQL (LIMIT takes no placeholder on every driver): only a whole number gets there. */
function wholeOr(n: number | undefined, fallback: number): number {
  return n !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : fallback;
}

async function writeFile(
  sql: SqlAccess,
  name: string,
  source: FileSource,
  meta: FileMeta,
  limits: { chunkBytes: number; limitBytes: number },
): Promise<StoredFile> {
  const contentId = randomUUID();
  await sql.transaction((db) => db.run('INSERT INTO file_contents (id, touched, released) VALUES (?, ?, NULL)', [contentId, Date.now()]));
  try {
    const cutter = new ChunkCutter(limits.chunkBytes, limits.limitBytes);
    let seq = 0;
    for await (const chunk of cutter.cut(source)) await writeChunk(sql, contentId, seq++, chunk);
    const file: StoredFile = { name, ...meta, ...cutter.digest(), uploaded: Date.now() };
    await sql.transaction((db) => publish(db, file, contentId, limits.chunkBytes));
    return file;
  } catch (err) {
    await dropUnpublished(sql, contentId).catch(() => undefined);
    throw err;
  }
}

function writeChunk(sql: SqlAccess, contentId: string, seq: number, data: Buffer): Promise<unknown> {
  return sql.transaction(async (db) => {
    await db.run('INSERT INTO file_chunks (content_id, seq, data) VALUES (?, ?, ?)', [contentId, seq, data]);
    // Touched: a live upload is not taken for a dead one by the garbage collector.
    await db.run('UPDATE file_contents SET touched = ? WHERE id = ?', [Date.now(), contentId]);
  });
}

const forUpdate = (db: Db) => (db.driver === 'mysql' ? ' FOR UPDATE' : '');

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

/** A failed upload's chunks, unless (a commit that reported failure but happened) a name serves them. */
async function dropUnpublished(sql: SqlAccess, contentId: string): Promise<void> {
  await sql.transaction(async (db) => {
    const used = await db.select('SELECT name FROM files WHERE content_id = ?', [contentId]);
    if (used.length > 0) return;
    await db.run('DELETE FROM file_chunks WHERE content_id = ?', [contentId]);
    await db.run('DELETE FROM file_contents WHERE id = ?', [contentId]);
  });
}

async function readRow(sql: SqlAccess, name: string): Promise<FileRow | null> {
  const rows = await sql.autocommit((db) => db.select(`SELECT ${FILE_COLUMNS.join(', ')} FROM files WHERE name = ?`, [name]));
  return rows.length > 0 ? fileOfRow(rows[0]) : null;
}

async function* readChunks(sql: SqlAccess, row: FileRow, range?: ByteRange): AsyncGenerator<Buffer> {
  const { start, end } = range ?? { start: 0, end: row.file.size - 1 };
  if (row.file.size === 0 || end < start) return;
  for (let seq = Math.floor(start / row.chunkSize); seq * row.chunkSize <= end; seq++) {
    const data = await readChunk(sql, row, seq);
    const offset = seq * row.chunkSize;
    yield data.subarray(Math.max(0, start - offset), Math.min(data.length, end - offset + 1));
  }
}

async function readChunk(sql: SqlAccess, row: FileRow, seq: number): Promise<Buffer> {
  const rows = await sql.autocommit((db) => db.select('SELECT data FROM file_chunks WHERE content_id = ? AND seq = ?', [row.contentId, seq]));
  const data = rows[0]?.data;
  // Only after the grace period of a replaced or deleted file: the reader was slower than that.
  if (!Buffer.isBuffer(data)) throw new AcsError('ACS_ERR_INTERNAL', `chunk ${seq} of ${row.file.name} is gone (replaced or deleted while being read)`);
  return data;
}
