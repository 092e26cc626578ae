/**
 * The file server's data: what is known of a stored file, the metadata an
 * operator or an upload token gives it, and the module's options.
 */
import type { DeviceKey, EpochMs } from '../db/types';
import type { FileAccessMode } from './access';
import type { StorageKind } from './storage';

/**
 * Metadata of a file, as GenieACS names it. TR-069 FileType strings
 * ("1 Firmware Upgrade Image", "3 Vendor Configuration File" ...) are the
 * usual fileType; oui/productClass say which devices the file is for.
 */
export interface FileMeta {
  fileType?: string;
  oui?: string;
  productClass?: string;
  version?: string;
  /** The Content-Type the file is served with (application/octet-stream when absent). */
  contentType?: string;
  /** The device a CPE upload came from (set from the upload token, not by operators). */
  deviceKey?: DeviceKey;
}

/** A stored file: its metadata and what the store measured while storing it. */
export interface StoredFile extends FileMeta {
  name: string;
  size: number;
  md5: string;
  sha256: string;
  uploaded: EpochMs;
}

/** A stored file with its content, read a bounded piece at a time from its storage. */
export interface FileReader {
  file: StoredFile;
  /** The bytes from `start` to `end` inclusive (the whole file by default). */
  chunks(range?: ByteRange): AsyncIterable<Buffer>;
}

/** Inclusive byte positions, as in an HTTP Range header. */
export interface ByteRange {
  start: number;
  end: number;
}

/** listFiles filter: every given field must match exactly. */
export interface FileFilter {
  fileType?: string;
  oui?: string;
  productClass?: string;
  version?: string;
  deviceKey?: DeviceKey;
}

/** What putFile reads: a whole buffer, or a stream (an HTTP request body). */
export type FileSource = Buffer | AsyncIterable<Buffer | Uint8Array | string>;

export interface FileServiceOptions {
  /** Base of the URLs given to CPEs (Download URL, Upload URL), without a trailing "/": FS_URL. */
  urlBase: string;
  /** Where new contents go (FILES_STORAGE); contents stored before stay where they are. */
  storage: StorageKind;
  /** The folder of the disk storage (FILES_DIR). */
  dir: string;
  /** Who may download (FS_ACCESS): see access.ts. */
  access: FileAccessMode;
  /** How long a signed download URL given to a CPE stays valid (FS_URL_TTL_MS). */
  urlTtlMs: number;
  /** The key signing download URLs (FS_URL_SECRET); empty: one generated per deployment and kept in the database. */
  urlSecret: string;
  /** Largest file accepted, by the NBI and from CPEs (413 beyond): FILES_MAX_BYTES. */
  maxBytes: number;
  /** How long an upload URL stays valid after uploadTarget made it: FS_UPLOAD_TTL_MS. */
  uploadTtlMs: number;
  /** How long replaced or deleted content stays readable, for downloads already streaming it. */
  releasedGraceMs: number;
  /** An upload that wrote nothing for this long is taken as dead (its process crashed) and its chunks deleted. */
  staleUploadMs: number;
}

export const FS_DEFAULT_PORT = 7567;

export const DEFAULT_FILE_OPTIONS: Omit<FileServiceOptions, 'urlBase'> = {
  storage: 'disk',
  dir: './data/files',
  access: 'device',
  urlTtlMs: 7 * 24 * 60 * 60 * 1000,
  urlSecret: '',
  maxBytes: 256 * 1024 * 1024,
  uploadTtlMs: 24 * 60 * 60 * 1000,
  releasedGraceMs: 60 * 60 * 1000,
  staleUploadMs: 60 * 60 * 1000,
};
