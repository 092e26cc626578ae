/**
 * Sends a stored file over HTTP: Content-Length, ETag (the SHA-256),
 * Last-Modified, HEAD, conditional requests (If-Match, If-None-Match,
 * If-Modified-Since, If-Unmodified-Since, If-Range) and single ranges. The body is piped
 * chunk by chunk; if the database fails mid-way the connection is cut, so the
 * client sees a short body and never a wrong one.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Context } from 'koa';
import type { FileStore } from './store';
import { parseRange } from './range';
import type { FileReader, StoredFile } from './types';

export async function sendFile(ctx: Context, store: FileStore, name: string): Promise<boolean> {
  const reader = await store.getFile(name);
  if (!reader) return false;
  const { file } = reader;
  const etag = `"${file.sha256}"`;
  setHeaders(ctx, file, etag);
  const condition = preconditions(ctx, file, etag);
  if (condition !== null) {
    ctx.status = condition;
    return true;
  }
  const range = ctx.get('If-Range') && ctx.get('If-Range') !== etag ? null : parseRange(ctx.get('Range') || undefined, file.size);
  if (range === 'unsatisfiable') {
    ctx.status = 416;
    ctx.set('Content-Range', `bytes */${file.size}`);
    return true;
  }
  ctx.status = range ? 206 : 200;
  if (range) ctx.set('Content-Range', `bytes ${range.start}-${range.end}/${file.size}`);
  ctx.length = range ? range.end - range.start + 1 : file.size;
  if (ctx.method === 'HEAD') return true;
  await pipeBody(ctx, reader, range ?? undefined);
  return true;
}

/** 412 or 304 by RFC 9110 §13.2.2's order of evaluation, or null: answer the request. */
function preconditions(ctx: Context, file: StoredFile, etag: string): 304 | 412 | null {
  const modified = Math.floor(file.uploaded / 1000) * 1000;
  const ifMatch = ctx.get('If-Match');
  if (ifMatch !== '' && !etagListHas(ifMatch, etag)) return 412;
  const ifUnmodified = Date.parse(ctx.get('If-Unmodified-Since'));
  if (ifMatch === '' && Number.isFinite(ifUnmodified) && modified > ifUnmodified) return 412;
  const ifNoneMatch = ctx.get('If-None-Match');
  if (ifNoneMatch !== '') return etagListHas(ifNoneMatch, etag) ? 304 : null;
  const ifModified = Date.parse(ctx.get('If-Modified-Since'));
  return Number.isFinite(ifModified) && modified <= ifModified ? 304 : null;
}

/** Whether an If-Match / If-None-Match list names `etag` (or is "*"); weak tags compare as strong ones here. */
function etagListHas(list: string, etag: string): boolean {
  return list.split(',').some((t) => {
    const tag = t.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}

function setHeaders(ctx: Context, file: StoredFile, etag: string): void {
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('ETag', etag);
  ctx.set('Last-Modified', new Date(file.uploaded).toUTCString());
  ctx.set('Content-Type', file.contentType ?? 'application/octet-stream');
  ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`);
}

/** Koa would leave the socket open if a stream body failed after the headers went; pipeline destroys it. */
async function pipeBody(ctx: Context, reader: FileReader, range?: { start: number; end: number }): Promise<void> {
  ctx.respond = false;
  try {
    // One chunk read ahead at most: a download holds ~1 MiB of memory, not Readable.from's default 16 chunks.
    await pipeline(Readable.from(reader.chunks(range), { highWaterMark: 1 }), ctx.res);
  } catch (err) {
    // The client going away is routine; a database failure is worth a log line, which the caller's handler writes.
    if ((err as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') throw err;
  }
}
