/**
 * Contents as rows of file_chunks, one per piece (1 MiB: a row's INSERT is
 * ~2 MiB of SQL text, far under MariaDB's default 16 MiB max_allowed_packet).
 * Every process of a cluster reads them without a shared folder; each piece
 * is its own short transaction, never one long one.
 */
import type { SqlAccess } from '../db/types';
import { AcsError } from '../errors';
import type { ContentRef, ContentStorage } from './storage';
import type { ByteRange } from './types';

export const CHUNK_BYTES = 1024 * 1024;

export function databaseStorage(sql: SqlAccess, chunkBytes = CHUNK_BYTES): ContentStorage {
  return {
    kind: 'database',
    pieceBytes: chunkBytes,
    async write(id, pieces) {
      let seq = 0;
      for await (const data of pieces) {
        const n = seq++;
        await sql.transaction((db) => db.run('INSERT INTO file_chunks (content_id, seq, data) VALUES (?, ?, ?)', [id, n, data]));
      }
    },
    read: (content, range) => readChunks(sql, content, range),
    async remove(id) {
      await sql.transaction((db) => db.run('DELETE FROM file_chunks WHERE content_id = ?', [id]));
    },
  };
}

async function* readChunks(sql: SqlAccess, content: ContentRef, { start, end }: ByteRange): AsyncGenerator<Buffer> {
  if (content.size === 0 || end < start) return;
  for (let seq = Math.floor(start / content.chunkSize); seq * content.chunkSize <= end; seq++) {
    const data = await readChunk(sql, content.id, seq);
    const offset = seq * content.chunkSize;
    yield data.subarray(Math.max(0, start - offset), Math.min(data.length, end - offset + 1));
  }
}

async function readChunk(sql: SqlAccess, id: string, seq: number): Promise<Buffer> {
  const rows = await sql.autocommit((db) => db.select('SELECT data FROM file_chunks WHERE content_id = ? AND seq = ?', [id, seq]));
  const data = rows[0]?.data;
  // Only after the grace period of a replaced or deleted file: the reader was slower than that.
  if (!Buffer.isBuffer(data)) throw new AcsError('ACS_ERR_INTERNAL', `chunk ${seq} of content ${id} is gone (replaced or deleted while being read)`);
  return data;
}
