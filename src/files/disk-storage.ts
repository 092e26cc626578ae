/**
 * Contents as files under FILES_DIR: `<dir>/<first 2 chars of id>/<id>`. A
 * write goes to `<dir>/partial/<id>` and is renamed into place once flushed
 * to disk, so a reader never sees half a file, and a crash mid-write leaves
 * only a partial file that the garbage collector removes with its content.
 * Content ids are UUIDs made by the store, never names from a request, so no
 * path here comes from outside.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { AcsError } from '../errors';
import type { ContentStorage } from './storage';
import type { ByteRange } from './types';

const CONTENT_ID = /^[0-9a-f-]{36}$/;
/** Pieces the store hands over; the page cache does the real buffering. */
const PIECE_BYTES = 1024 * 1024;

export function diskStorage(dir: string): ContentStorage {
  const finalPath = (id: string) => path.join(dir, checked(id).slice(0, 2), id);
  const partialPath = (id: string) => path.join(dir, 'partial', checked(id));
  return {
    kind: 'disk',
    pieceBytes: PIECE_BYTES,
    async write(id, pieces) {
      const partial = partialPath(id);
      await mkdir(path.dirname(partial), { recursive: true });
      const handle = await open(partial, 'wx');
      try {
        for await (const piece of pieces) await handle.write(piece);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await mkdir(path.dirname(finalPath(id)), { recursive: true });
      await rename(partial, finalPath(id));
    },
    read: (content, range) => readRange(finalPath(content.id), range),
    async remove(id) {
      await Promise.all([rm(finalPath(id), { force: true }), rm(partialPath(id), { force: true })]);
    },
  };
}

function checked(id: string): string {
  if (!CONTENT_ID.test(id)) throw new AcsError('ACS_ERR_INTERNAL', `not a content id: ${JSON.stringify(id)}`);
  return id;
}

async function* readRange(file: string, range: ByteRange): AsyncGenerator<Buffer> {
  if (range.end < range.start) return;
  const stream = createReadStream(file, { start: range.start, end: range.end, highWaterMark: 64 * 1024 });
  try {
    for await (const piece of stream) yield piece as Buffer;
  } catch (err) {
    // Deleted past its grace period while a slow reader was still at it.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new AcsError('ACS_ERR_INTERNAL', `content ${path.basename(file)} is gone (replaced or deleted while being read)`);
    throw err;
  } finally {
    stream.destroy();
  }
}
