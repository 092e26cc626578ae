/**
 * The audit log (table audit_log): every write through the REST API, and
 * every request refused for its token, with who (the token's name), what
 * (method, route, target), when and how it ended (status, message). Entries
 * of concurrent requests go in one multi-row INSERT (db/coalesce.ts).
 */
import { coalescerOf } from '../../db/coalesce';
import { placeholders, type Row } from '../../db/sql';
import type { SqlAccess } from '../../db/types';

export interface AuditEntry {
  time: number;
  /** Null when the request had no valid token. */
  token: string | null;
  method: string;
  /** The route's pattern, e.g. /devices/:id/tasks (or the path when no route matched). */
  route: string;
  /** The path as requested, with its query. */
  target: string;
  status: number;
  /** The error's message for a refused or failed request. */
  message: string | null;
}

export interface AuditFilter {
  token?: string;
  /** Entries older than this id (the previous page's last). */
  before?: number;
  limit: number;
}

const COLUMNS = ['time', 'token_name', 'method', 'route', 'target', 'status', 'message'];
const TEXT_MAX = 1024;
/** Entries wait this long for others to share their INSERT: no request waits for its entry. */
const GATHER_MS = 20;

const cut = (s: string, n: number): string => (s.length > n ? s.slice(0, n - 1) + '…' : s);

export function recordAudit(sql: SqlAccess, entry: AuditEntry): Promise<void> {
  return coalescerOf<AuditEntry>(sql, 'audit-log', (entries) => insertEntries(sql, entries), { delayMs: GATHER_MS }).add([entry]);
}

async function insertEntries(sql: SqlAccess, entries: AuditEntry[]): Promise<void> {
  const values = entries.flatMap((e) => [
    e.time, e.token, e.method, cut(e.route, 255), cut(e.target, TEXT_MAX), e.status, e.message === null ? null : cut(e.message, TEXT_MAX),
  ]);
  const rows = entries.map(() => placeholders(COLUMNS.length)).join(', ');
  await sql.autocommit((db) => db.run(`INSERT INTO audit_log (${COLUMNS.join(', ')}) VALUES ${rows}`, values));
}

/** Newest first, with the id to page on. */
export async function listAudit(sql: SqlAccess, filter: AuditFilter): Promise<(AuditEntry & { id: number })[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.token !== undefined) {
    where.push('token_name = ?');
    params.push(filter.token);
  }
  if (filter.before !== undefined) {
    where.push('id < ?');
    params.push(filter.before);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const rows = await sql.autocommit((db) => db.select(`SELECT * FROM audit_log ${clause} ORDER BY id DESC LIMIT ${Math.floor(filter.limit)}`, params));
  return rows.map(entryOf);
}

function entryOf(row: Row): AuditEntry & { id: number } {
  return {
    id: Number(row.id),
    time: Number(row.time),
    token: row.token_name === null ? null : String(row.token_name),
    method: String(row.method),
    route: String(row.route),
    target: String(row.target),
    status: Number(row.status),
    message: row.message === null ? null : String(row.message),
  };
}
