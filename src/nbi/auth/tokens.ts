/**
 * API tokens of the REST API (table api_tokens): created with a scope, shown
 * once, kept only as a SHA-256 hash, revoked by name. A token is 32 random
 * bytes (base64url, after an "acs_" prefix that tells it apart in logs and
 * secret scanners): a plain hash is enough, no salt or slow hash needed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { AcsError } from '../../errors';
import type { Row } from '../../db/sql';
import { isDuplicateKey } from '../../db/tasks';
import type { SqlAccess } from '../../db/types';

/** What a token may do: each scope includes the ones before it. */
export const SCOPES = ['read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export interface ApiToken {
  name: string;
  scope: Scope;
  /** The token's first characters: enough to tell tokens apart, useless to an attacker. */
  prefix: string;
  createdAt: number;
  /** Who created it: a token's name, or "cli" for `acs token create`. */
  createdBy: string;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;
const PREFIX_LENGTH = 10;
/** last_used_at is written at most this often per token (it is for operators, not for security). */
const TOUCH_EVERY_MS = 60_000;

export function allows(scope: Scope, needed: Scope): boolean {
  return SCOPES.indexOf(scope) >= SCOPES.indexOf(needed);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function checkScope(scope: unknown): Scope {
  if (typeof scope !== 'string' || !(SCOPES as readonly string[]).includes(scope)) {
    throw new AcsError('ACS_ERR_BAD_REQUEST', `scope must be one of ${SCOPES.join(', ')}`);
  }
  return scope as Scope;
}

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new AcsError('ACS_ERR_BAD_REQUEST', 'name must be 1 to 128 characters: letters, digits, . _ @ - (not first)');
  }
  return name;
}

function tokenOf(row: Row): ApiToken {
  const time = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
  return {
    name: String(row.name),
    scope: String(row.scope) as Scope,
    prefix: String(row.prefix),
    createdAt: Number(row.created_at),
    createdBy: String(row.created_by),
    lastUsedAt: time(row.last_used_at),
    revokedAt: time(row.revoked_at),
  };
}

export class TokenStore {
  private readonly touched = new Map<string, number>();

  constructor(private readonly sql: SqlAccess) {}

  /** A new token; the secret is in the answer and nowhere else. 409 when the name is taken (revoked tokens keep theirs). */
  async create(name: unknown, scope: unknown, createdBy: string, now = Date.now()): Promise<{ token: string; info: ApiToken }> {
    const info: ApiToken = { name: checkName(name), scope: checkScope(scope), prefix: '', createdAt: now, createdBy, lastUsedAt: null, revokedAt: null };
    const token = `acs_${randomBytes(32).toString('base64url')}`;
    info.prefix = token.slice(0, PREFIX_LENGTH);
    const sql = 'INSERT INTO api_tokens (name, scope, token_hash, prefix, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)';
    try {
      await this.sql.autocommit((db) => db.run(sql, [info.name, info.scope, hashToken(token), info.prefix, now, createdBy]));
    } catch (err) {
      if (isDuplicateKey(err)) throw new AcsError('ACS_ERR_CONFLICT', `a token named ${info.name} exists already (names are never reused, even revoked)`);
      throw err;
    }
    return { token, info };
  }

  list(): Promise<ApiToken[]> {
    return this.sql.autocommit(async (db) => (await db.select('SELECT * FROM api_tokens ORDER BY name')).map(tokenOf));
  }

  /** The live token with this secret, or null (unknown or revoked). */
  async find(token: string): Promise<ApiToken | null> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL', [hashToken(token)]));
    return row ? tokenOf(row) : null;
  }

  /** Revokes by name; 404 when there is no such token, 409 when it is revoked already. */
  async revoke(name: string, now = Date.now()): Promise<ApiToken> {
    const { affected } = await this.sql.autocommit((db) => db.run('UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL', [now, name]));
    const [row] = await this.sql.autocommit((db) => db.select('SELECT * FROM api_tokens WHERE name = ?', [name]));
    if (!row) throw new AcsError('ACS_ERR_NOT_FOUND', `no token named ${name}`);
    if (affected === 0) throw new AcsError('ACS_ERR_CONFLICT', `token ${name} was revoked already`);
    return tokenOf(row);
  }

  /** Notes a use, at most once a minute per token and process; failures are the caller's to log. */
  async touch(name: string, now = Date.now()): Promise<void> {
    if (now - (this.touched.get(name) ?? 0) < TOUCH_EVERY_MS) return;
    this.touched.set(name, now);
    await this.sql.autocommit((db) => db.run('UPDATE api_tokens SET last_used_at = ? WHERE name = ?', [now, name]));
  }
}
