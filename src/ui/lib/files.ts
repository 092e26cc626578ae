/**
 * The file store as the Files page uses it: GET /files answers the list;
 * an upload is PUT /files/:name with the file as the raw body and its
 * metadata in headers (src/files/routes.ts), so it goes through fetch here
 * rather than api()'s JSON, with the session's CSRF token, and the SHA-256
 * the browser computed for the server to check (where the browser can).
 */
import type { StoredFile } from '../../files/types';
import { ApiError } from './api';

export type { StoredFile };

/** TR-069 FileType values an operator uploads (A.3.2.8 Download); any other text is allowed too. */
export const FILE_TYPES = ['1 Firmware Upgrade Image', '2 Web Content', '3 Vendor Configuration File', '4 Tone File', '5 Ringer File'];

export interface UploadMeta {
  fileType: string;
  oui: string;
  productClass: string;
  version: string;
}

/** Files larger than this are sent without a digest (hashing reads the whole file into memory first). */
const HASH_MAX_BYTES = 64 * 1024 * 1024;

async function sha256Hex(file: Blob): Promise<string | null> {
  // crypto.subtle exists only in secure contexts (https, localhost).
  if (!globalThis.crypto?.subtle || file.size > HASH_MAX_BYTES) return null;
  const digest = await crypto.subtle.digest('SHA-256', await file.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

export async function uploadFile(name: string, file: Blob, meta: UploadMeta, csrf: string | null): Promise<StoredFile> {
  const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/octet-stream' };
  for (const [k, v] of Object.entries(meta)) if (v.trim() !== '') headers[k] = v.trim();
  const digest = await sha256Hex(file);
  if (digest) headers.sha256 = digest;
  if (csrf) headers['X-ACS-CSRF'] = csrf;
  const res = await fetch(`/files/${encodeURIComponent(name)}`, { method: 'PUT', headers, body: file, credentials: 'same-origin' });
  const text = await res.text();
  const data = (text === '' ? {} : JSON.parse(text)) as StoredFile & { error?: string; code?: string };
  if (!res.ok) throw new ApiError(res.status, data.code, data.error ?? `${res.status} ${res.statusText}`);
  return data;
}

export function sizeOf(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
