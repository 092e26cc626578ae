/**
 * Where a file's bytes live, behind one interface: the store (store.ts)
 * keeps names, metadata and which content a name serves in the database,
 * and hands the bytes to a ContentStorage. Local disk is the default
 * (disk-storage.ts); the database (database-storage.ts) serves every
 * process of a cluster without a shared folder. An S3-compatible store is
 * one more implementation of this interface.
 */
import type { ByteRange } from './types';

export type StorageKind = 'disk' | 'database';

/** What a storage needs to find a content again (files.chunk_size matters to the database storage only). */
export interface ContentRef {
  id: string;
  size: number;
  chunkSize: number;
}

export interface ContentStorage {
  readonly kind: StorageKind;
  /** The size of the pieces write() takes (the last may be shorter). */
  readonly pieceBytes: number;
  /**
   * Stores the pieces as content `id`, in order. The content becomes
   * readable only once write() resolved; a failed write may leave parts,
   * which remove() deletes.
   */
  write(id: string, pieces: AsyncIterable<Buffer>): Promise<void>;
  /** The bytes of `range` (inclusive), a bounded piece at a time. */
  read(content: ContentRef, range: ByteRange): AsyncIterable<Buffer>;
  /** Deletes the content and any part of a failed write; nothing to delete is fine. */
  remove(id: string): Promise<void>;
}
