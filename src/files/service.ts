/**
 * The file service one process holds: the store, its options, and how URLs
 * given to CPEs are made.
 */
import { hostname } from 'node:os';
import type { SqlAccess } from '../db/types';
import { createFileStore, type FileStore } from './store';
import { DEFAULT_FILE_OPTIONS, FS_DEFAULT_PORT, type FileServiceOptions } from './types';
import { createUploadTarget, type UploadRequest, type UploadTarget } from './uploads';

export interface FileService {
  readonly sql: SqlAccess;
  readonly options: Readonly<FileServiceOptions>;
  readonly store: FileStore;
  /** The URL a CPE downloads `name` from (a Download RPC's URL). */
  fileUrl(name: string): string;
  /** A single-use URL for a CPE's Upload RPC; the file is stored as `request.name`. */
  uploadTarget(request: UploadRequest): Promise<UploadTarget>;
}

/** The URL of `name` under `urlBase` (the name as one percent-encoded path segment). */
export function fileUrl(urlBase: string, name: string): string {
  return `${urlBase.replace(/\/+$/, '')}/${encodeURIComponent(name)}`;
}

/** FS_URL's default: this machine's name and the file server's default port. */
export function defaultUrlBase(port = FS_DEFAULT_PORT): string {
  return `http://${hostname()}:${port}`;
}

export function createFileService(sql: SqlAccess, options: Partial<FileServiceOptions> = {}): FileService {
  const resolved: FileServiceOptions = {
    ...DEFAULT_FILE_OPTIONS,
    ...definedOnly(options),
    urlBase: (options.urlBase || defaultUrlBase()).replace(/\/+$/, ''),
  };
  return {
    sql,
    options: Object.freeze(resolved),
    store: createFileStore(sql, resolved),
    fileUrl: (name) => fileUrl(resolved.urlBase, name),
    uploadTarget: (request) => createUploadTarget(sql, resolved.urlBase, resolved.uploadTtlMs, request),
  };
}

/** `{ maxBytes: undefined }` keeps the default rather than erasing it. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
