/**
 * Upload URLs for CPEs (TR-069 Upload RPC, A.4.1.5): the ACS gives the CPE
 * `<urlBase>/uploads/<token>`, the CPE PUTs (or POSTs) the file there. The
 * token is 192 random bits, single use and expiring; the database keeps only
 * its SHA-256, so a copy of the database opens no upload.
 *
 * A token is claimed when an upload starts (a second upload with it is
 * refused), released again if that upload fails (the CPE may retry the same
 * URL), and spent when the file is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { parseDeviceKey } from '../db/device-row';
import type { DeviceKey, EpochMs, SqlAccess } from '../db/types';
import type { FileMeta } from './types';
import { checkMeta, checkName } from './validate';

export interface UploadRequest {
  /** The device that will upload. Its OUI and ProductClass become the file's, unless given here. */
  device: DeviceKey;
  /** The Upload RPC's FileType, e.g. "1 Vendor Configuration File"; kept as the file's fileType. */
  fileType: string;
  /** The name the file is stored under, e.g. `config-<deviceKey>-<time>.cfg` (replaces a file of that name). */
  name: string;
  oui?: string;
  productClass?: string;
  version?: string;
}

export interface UploadTarget {
  /** The URL to give the CPE in the Upload RPC. */
  url: string;
  token: string;
  name: string;
  expires: EpochMs;
}

/** A claimed token: the file to store. */
export interface UploadClaim {
  tokenHash: string;
  name: string;
  meta: FileMeta;
}

/** Why a token cannot be used: 404 never existed (or long gone), 410 expired or already used. */
export type ClaimOutcome = { ok: true; claim: UploadClaim } | { ok: false; status: 404 | 410; reason: string };

/** Spent and expired tokens are kept this long after expiry, so late CPEs get 410 rather than 404. */
const KEEP_EXPIRED_MS = 24 * 60 * 60 * 1000;

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{32}$/;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createUploadTarget(sql: SqlAccess, urlBase: string, ttlMs: number, request: UploadRequest): Promise<UploadTarget> {
  const meta = metaOf(request);
  checkName(request.name);
  checkMeta(meta);
  const token = randomBytes(24).toString('base64url');
  const now = Date.now();
  const expires = now + ttlMs;
  await sql.transaction(async (db) => {
    await db.run('DELETE FROM upload_tokens WHERE expires < ?', [now - KEEP_EXPIRED_MS]);
    await db.run(
      `INSERT INTO upload_tokens (token_hash, name, device_key, file_type, oui, product_class, version, created, expires, used)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
      [hashToken(token), request.name, meta.deviceKey, meta.fileType, meta.oui ?? null, meta.productClass ?? null, meta.version ?? null, now, expires],
    );
  });
  return { url: `${urlBase}/uploads/${token}`, token, name: request.name, expires };
}

function metaOf(request: UploadRequest): FileMeta & { deviceKey: string; fileType: string } {
  const fromKey = identityOf(request.device);
  return {
    deviceKey: request.device,
    fileType: request.fileType,
    oui: request.oui ?? fromKey?.oui,
    productClass: request.productClass ?? (fromKey?.productClass || undefined),
    version: request.version,
  };
}

function identityOf(device: DeviceKey): { oui: string; productClass: string } | null {
  try {
    return parseDeviceKey(device);
  } catch {
    return null;
  }
}

/** Marks the token in use, if it is unused and unexpired. */
export async function claimUpload(sql: SqlAccess, token: string): Promise<ClaimOutcome> {
  if (!TOKEN_SHAPE.test(token)) return { ok: false, status: 404, reason: 'no such upload' };
  const tokenHash = hashToken(token);
  const now = Date.now();
  return sql.transaction(async (db) => {
    const { affected } = await db.run('UPDATE upload_tokens SET used = ? WHERE token_hash = ? AND used IS NULL AND expires > ?', [now, tokenHash, now]);
    const rows = await db.select('SELECT name, device_key, file_type, oui, product_class, version, expires, used FROM upload_tokens WHERE token_hash = ?', [tokenHash]);
    if (rows.length === 0) return { ok: false, status: 404, reason: 'no such upload' } as const;
    if (affected !== 1) return { ok: false, status: 410, reason: Number(rows[0].expires) <= now ? 'upload URL expired' : 'upload URL already used' } as const;
    return { ok: true, claim: claimOf(tokenHash, rows[0]) } as const;
  });
}

function claimOf(tokenHash: string, row: Record<string, unknown>): UploadClaim {
  const text = (v: unknown) => (v === null || v === undefined ? undefined : String(v));
  const meta: FileMeta = {
    deviceKey: text(row.device_key),
    fileType: text(row.file_type),
    oui: text(row.oui),
    productClass: text(row.product_class),
    version: text(row.version),
  };
  for (const key of Object.keys(meta) as (keyof FileMeta)[]) if (meta[key] === undefined) delete meta[key];
  return { tokenHash, name: String(row.name), meta };
}

/** The upload failed: the CPE may try the same URL again. */
export async function releaseUpload(sql: SqlAccess, claim: UploadClaim): Promise<void> {
  await sql.transaction((db) => db.run('UPDATE upload_tokens SET used = NULL WHERE token_hash = ?', [claim.tokenHash]));
}
