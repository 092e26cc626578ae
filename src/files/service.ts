/**
 * The file service one process holds: the store, its options, who may
 * download, and how URLs given to CPEs are made.
 */
import { hostname } from 'node:os';
import path from 'node:path';
import type { Config } from '../config/load';
import { isTlsOn } from '../infra/tls';
import type { SqlAccess } from '../db/types';
import { FileAccess, type FileAccessMode } from './access';
import { databaseStorage } from './database-storage';
import { diskStorage } from './disk-storage';
import type { StorageKind } from './storage';
import { createFileStore, type FileStore } from './store';
import { DEFAULT_FILE_OPTIONS, FS_DEFAULT_PORT, type FileServiceOptions } from './types';
import { createUploadTarget, type UploadRequest, type UploadTarget } from './uploads';

export interface FileService {
  readonly sql: SqlAccess;
  readonly options: Readonly<FileServiceOptions>;
  readonly store: FileStore;
  /** Signs download URLs for devices and checks what CPEs present (init() before use). */
  readonly access: FileAccess;
  /** The URL of `name` on the file server (a Download RPC's URL before access.grant signs it for a device). */
  fileUrl(name: string): string;
  /** A single-use URL for a CPE's Upload RPC; the file is stored as `request.name`. */
  uploadTarget(request: UploadRequest): Promise<UploadTarget>;
}

/** The URL of `name` under `urlBase` (the name as one percent-encoded path segment). */
export function fileUrl(urlBase: string, name: string): string {
  return `${urlBase.replace(/\/+$/, '')}/${encodeURIComponent(name)}`;
}

/** FS_URL's default: this machine's name and the file server's port, https when the file server has a certificate. */
export function defaultUrlBase(port = FS_DEFAULT_PORT, secure = false): string {
  return `${secure ? 'https' : 'http'}://${hostname()}:${port}`;
}

/** The file service's options from the settings (FS_*, FILES_*). */
export function fileOptionsOf(config: Readonly<Config>): FileServiceOptions {
  return {
    ...DEFAULT_FILE_OPTIONS,
    urlBase: config.fsUrl || defaultUrlBase(config.fsPort, isTlsOn(config, 'fs')),
    storage: config.filesStorage as StorageKind,
    dir: config.filesDir || path.join(config.dataDir, 'files'),
    access: config.fsAccess as FileAccessMode,
    urlTtlMs: config.fsUrlTtlMs,
    urlSecret: config.fsUrlSecret,
    maxBytes: config.fsMaxBytes,
    uploadTtlMs: config.fsUploadTtlMs,
  };
}

export function createFileService(sql: SqlAccess, options: Partial<FileServiceOptions> = {}): FileService {
  const resolved: FileServiceOptions = {
    ...DEFAULT_FILE_OPTIONS,
    ...definedOnly(options),
    urlBase: (options.urlBase || defaultUrlBase()).replace(/\/+$/, ''),
  };
  const byKind = { disk: diskStorage(resolved.dir), database: databaseStorage(sql) };
  return {
    sql,
    options: Object.freeze(resolved),
    store: createFileStore(sql, resolved, { byKind, writeTo: resolved.storage }),
    access: new FileAccess(sql, { mode: resolved.access, urlBase: resolved.urlBase, urlTtlMs: resolved.urlTtlMs, secret: resolved.urlSecret }),
    fileUrl: (name) => fileUrl(resolved.urlBase, name),
    uploadTarget: (request) => createUploadTarget(sql, resolved.urlBase, resolved.uploadTtlMs, request),
  };
}

/** `{ maxBytes: undefined }` keeps the default rather than erasing it. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
