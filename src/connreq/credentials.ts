/**
 * The connection_requests table (migration 1765300000000): per-device
 * connection-request credentials the operator stored, and the last attempt.
 * Raw SQL through the store's SqlAccess, `?` placeholders in both dialects.
 *
 * Passwords are kept in clear, like the CPE credentials on `devices`: Digest
 * and the Annex G HMAC both need the password itself, not a hash of it.
 */
import { AcsError } from '../errors';
import { coalescerOf } from '../db/coalesce';
import type { Db } from '../db/sql';
import type { DeviceKey, SqlAccess } from '../db/types';
import type { ConnectionRequestCredentials, ConnectionRequestOutcome, ConnectionRequestResult, LastConnectionRequest } from './types';

/** TR-181 ConnectionRequestUsername/Password and STUNUsername/Password are string(256). */
export const CREDENTIAL_MAX = 256;
const MESSAGE_MAX = 1024;

/** Throws ACS_ERR_BAD_REQUEST (a clear message for the NBI) unless the credentials can be stored. */
export function validateCredentials(deviceKey: DeviceKey, credentials: ConnectionRequestCredentials | null): void {
  if (typeof deviceKey !== 'string' || deviceKey.length === 0 || deviceKey.length > 255) {
    throw new AcsError('ACS_ERR_BAD_REQUEST', 'device key must be 1 to 255 characters');
  }
  if (credentials === null) return;
  for (const field of ['username', 'password'] as const) {
    const value: unknown = credentials[field];
    if (typeof value !== 'string') throw new AcsError('ACS_ERR_BAD_REQUEST', `connection request ${field} must be a string`);
    if (value.length > CREDENTIAL_MAX) throw new AcsError('ACS_ERR_BAD_REQUEST', `connection request ${field} is longer than ${CREDENTIAL_MAX} characters`);
  }
  if (credentials.username === '') throw new AcsError('ACS_ERR_BAD_REQUEST', 'connection request username must not be empty');
}

/** INSERT of `rows` rows, or an update of the row a device already has (only the columns given). */
function upsert(db: Db, columns: string[], rows = 1): string {
  const update = columns.filter((c) => c !== 'device_key');
  const tail = db.driver === 'mysql'
    ? `ON DUPLICATE KEY UPDATE ${update.map((c) => `${c} = VALUES(${c})`).join(', ')}`
    : `ON CONFLICT (device_key) DO UPDATE SET ${update.map((c) => `${c} = excluded.${c}`).join(', ')}`;
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return `INSERT INTO connection_requests (${columns.join(', ')}) VALUES ${new Array<string>(rows).fill(tuple).join(', ')} ${tail}`;
}

/** Stores (or with null, forgets) the device's connection-request credentials; its last attempt is kept. */
export async function setConnectionRequestCredentials(
  sql: SqlAccess,
  deviceKey: DeviceKey,
  credentials: ConnectionRequestCredentials | null,
): Promise<void> {
  validateCredentials(deviceKey, credentials);
  await sql.transaction((db) =>
    db.run(upsert(db, ['device_key', 'username', 'password']), [deviceKey, credentials?.username ?? null, credentials?.password ?? null]),
  );
}

export async function getConnectionRequestCredentials(sql: SqlAccess, deviceKey: DeviceKey): Promise<ConnectionRequestCredentials | null> {
  const rows = await sql.autocommit((db) => db.select('SELECT username, password FROM connection_requests WHERE device_key = ?', [deviceKey]));
  const row = rows[0];
  if (!row || row.username === null || row.username === undefined) return null;
  return { username: String(row.username), password: String(row.password ?? '') };
}

/** Devices whose stored username is `username` (CPEs may share one: the STUN server tells them apart by MESSAGE-INTEGRITY). */
export async function devicesWithUsername(sql: SqlAccess, username: string, limit = 16): Promise<{ deviceKey: DeviceKey; password: string }[]> {
  const rows = await sql.autocommit((db) =>
    db.select(`SELECT device_key, password FROM connection_requests WHERE username = ? ORDER BY device_key LIMIT ${Math.floor(limit)}`, [username]),
  );
  return rows.map((r) => ({ deviceKey: String(r.device_key), password: String(r.password ?? '') }));
}

/**
 * Records the outcome of an attempt; the credentials are left as they are.
 * Coalesced with other attempts': under load, one autocommit statement for many devices.
 */
export async function recordAttempt(sql: SqlAccess, outcome: ConnectionRequestOutcome): Promise<void> {
  await coalescerOf<ConnectionRequestOutcome>(sql, 'connection-request-attempts', (o) => recordAttempts(sql, o)).add([outcome]);
}

const ATTEMPT_COLUMNS = ['device_key', 'last_attempt', 'outcome', 'via', 'message'];

async function recordAttempts(sql: SqlAccess, outcomes: ConnectionRequestOutcome[]): Promise<void> {
  // A device asked twice in one batch: its latest attempt (one row per device in one statement).
  const latest = [...new Map(outcomes.map((o) => [o.deviceKey, o])).values()];
  const values = latest.flatMap((o) => [o.deviceKey, o.time, o.outcome, o.via, o.message.length > MESSAGE_MAX ? o.message.slice(0, MESSAGE_MAX - 1) + '…' : o.message]);
  await sql.autocommit((db) => db.run(upsert(db, ATTEMPT_COLUMNS, latest.length), values));
}

/** The last recorded attempt for `GET /devices/:id`, or null when the ACS never asked. */
export async function lastConnectionRequest(sql: SqlAccess, deviceKey: DeviceKey): Promise<LastConnectionRequest | null> {
  const rows = await sql.autocommit((db) =>
    db.select('SELECT last_attempt, outcome, via, message FROM connection_requests WHERE device_key = ?', [deviceKey]),
  );
  const row = rows[0];
  if (!row || row.last_attempt === null || row.last_attempt === undefined) return null;
  return {
    time: Number(row.last_attempt),
    outcome: String(row.outcome) as ConnectionRequestResult,
    via: row.via === null || row.via === undefined ? null : (String(row.via) as LastConnectionRequest['via']),
    message: String(row.message ?? ''),
  };
}
