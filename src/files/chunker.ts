/**
 * Cuts a byte stream into fixed-size pieces (one database row each),
 * counting and hashing as it goes, and stopping at the size limit before
 * more than one piece past it is held in memory.
 */
import { createHash, type Hash } from 'node:crypto';
import { AcsError } from '../errors';
import type { FileSource } from './types';

export interface Digest {
  size: number;
  md5: string;
  sha256: string;
}

export class ChunkCutter {
  private readonly md5: Hash = createHash('md5');
  private readonly sha256: Hash = createHash('sha256');
  private size = 0;

  constructor(
    private readonly chunkBytes: number,
    private readonly limitBytes: number,
  ) {}

  /** The source in pieces of chunkBytes (the last may be shorter; an empty source yields nothing). */
  async *cut(source: FileSource): AsyncGenerator<Buffer> {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    for await (const piece of Buffer.isBuffer(source) ? [source] : source) {
      let buf = typeof piece === 'string' ? Buffer.from(piece) : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      this.count(buf);
      while (pendingBytes + buf.length >= this.chunkBytes) {
        const take = this.chunkBytes - pendingBytes;
        yield Buffer.concat([...pending, buf.subarray(0, take)]);
        buf = buf.subarray(take);
        pending = [];
        pendingBytes = 0;
      }
      if (buf.length > 0) {
        // Copied: a stream may reuse the memory behind what it handed out.
        pending.push(Buffer.from(buf));
        pendingBytes += buf.length;
      }
    }
    if (pendingBytes > 0) yield Buffer.concat(pending);
  }

  digest(): Digest {
    return { size: this.size, md5: this.md5.digest('hex'), sha256: this.sha256.digest('hex') };
  }

  private count(buf: Buffer): void {
    this.size += buf.length;
    if (this.size > this.limitBytes) throw new AcsError('ACS_ERR_BODY_TOO_LARGE', `file is larger than the limit of ${this.limitBytes} bytes`);
    this.md5.update(buf);
    this.sha256.update(buf);
  }
}
