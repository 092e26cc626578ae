/**
 * Web UI sessions (table ui_sessions): a browser signed in with a user's
 * password or an API token holds a random secret in an HttpOnly, SameSite=
 * Strict cookie; only its SHA-256 is stored. Each use reads the user's role
 * (or the token's scope) again, so deleting the user or revoking the token
 * ends its sessions at once. Writes must also carry the session's CSRF token
 * in X-ACS-CSRF (session-guard.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Row } from '../../db/sql';
import type { SqlAccess } from '../../db/types';
import { hashToken, type Scope } from './tokens';

export const SESSION_COOKIE = 'acs_session';
export const CSRF_HEADER = 'X-ACS-CSRF';
/** A session ends this long after sign-in, used or not: an operator signs in once a working day. */
export const SESSION_TTL_MS = 12 * 3600_000;

/** What signed in: a user (password) or an API token (its name). */
export type PrincipalKind = 'user' | 'token';

/** Who a request acts as, whatever way it authenticated: the audit log's name and the scope it may use. */
export interface Principal {
  /** "user:NAME" for a user, the token's name for a token (token names cannot hold ":"). */
  name: string;
  scope: Scope;
}

export interface UiSession extends Principal {
  kind: PrincipalKind;
  csrf: string;
  expiresAt: number;
}

export function principalName(kind: PrincipalKind, name: string): string {
  return kind === 'user' ? `user:${name}` : name;
}

// Each row joins only the table of its kind; a revoked token or deleted user leaves no scope.
const FIND = `SELECT s.kind, s.principal, s.csrf, s.expires_at, u.role, t.scope FROM ui_sessions s
  LEFT JOIN users u ON s.kind = 'user' AND u.name = s.principal
  LEFT JOIN api_tokens t ON s.kind = 'token' AND t.name = s.principal AND t.revoked_at IS NULL
  WHERE s.session_hash = ? AND s.expires_at > ?`;

function sessionOf(row: Row): UiSession | null {
  const scope = row.role ?? row.scope;
  if (scope === null || scope === undefined) return null;
  const kind = String(row.kind) as PrincipalKind;
  return { kind, name: principalName(kind, String(row.principal)), scope: String(scope) as Scope, csrf: String(row.csrf), expiresAt: Number(row.expires_at) };
}

export class UiSessionStore {
  constructor(private readonly sql: SqlAccess) {}

  /** A new session of `principal` (a user's or token's own name); the secret goes in the cookie and nowhere else. */
  async open(kind: PrincipalKind, principal: string, now = Date.now()): Promise<{ secret: string; csrf: string; expiresAt: number }> {
    const secret = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    const expiresAt = now + SESSION_TTL_MS;
    await this.sql.autocommit(async (db) => {
      // Expired rows go when someone signs in: the table stays the size of the signed-in browsers.
      await db.run('DELETE FROM ui_sessions WHERE expires_at <= ?', [now]);
      await db.run('INSERT INTO ui_sessions (session_hash, kind, principal, csrf, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)', [hashToken(secret), kind, principal, csrf, now, expiresAt]);
    });
    return { secret, csrf, expiresAt };
  }

  /** The live session of this cookie secret, or null (unknown, expired, signed out, user deleted, token revoked). */
  async find(secret: string, now = Date.now()): Promise<UiSession | null> {
    const [row] = await this.sql.autocommit((db) => db.select(FIND, [hashToken(secret), now]));
    return row ? sessionOf(row) : null;
  }

  async close(secret: string): Promise<void> {
    await this.sql.autocommit((db) => db.run('DELETE FROM ui_sessions WHERE session_hash = ?', [hashToken(secret)]));
  }
}
