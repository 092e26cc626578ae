/**
 * Web UI users (table users): a name, a role (the API token scopes: read <
 * write < admin) and a scrypt hash of the password (passwords.ts). Made by
 * `acs user create` or POST /users (admin); checked at sign-in.
 */
import { AcsError } from '../../errors';
import type { Row } from '../../db/sql';
import { isDuplicateKey } from '../../db/tasks';
import type { SqlAccess } from '../../db/types';
import { DECOY_HASH, hashPassword, PASSWORD_MAX, PASSWORD_MIN, verifyPassword } from './passwords';
import { checkName, checkScope, type Scope } from './tokens';

export interface User {
  name: string;
  role: Scope;
  createdAt: number;
  /** Who made it: "cli", or the principal of the request (user:NAME or a token's name). */
  createdBy: string;
}

function userOf(row: Row): User {
  return { name: String(row.name), role: String(row.role) as Scope, createdAt: Number(row.created_at), createdBy: String(row.created_by) };
}

export function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new AcsError('ACS_ERR_BAD_REQUEST', `password must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters`);
  }
  return password;
}

export class UserStore {
  constructor(private readonly sql: SqlAccess) {}

  /** 409 when the name is taken. */
  async create(name: unknown, role: unknown, password: unknown, createdBy: string, now = Date.now()): Promise<User> {
    const user: User = { name: checkName(name), role: checkScope(role), createdAt: now, createdBy };
    const hash = await hashPassword(checkPassword(password));
    const sql = 'INSERT INTO users (name, role, password_hash, created_at, created_by) VALUES (?, ?, ?, ?, ?)';
    try {
      await this.sql.autocommit((db) => db.run(sql, [user.name, user.role, hash, now, createdBy]));
    } catch (err) {
      if (isDuplicateKey(err)) throw new AcsError('ACS_ERR_CONFLICT', `a user named ${user.name} exists already`);
      throw err;
    }
    return user;
  }

  list(): Promise<User[]> {
    return this.sql.autocommit(async (db) => (await db.select('SELECT * FROM users ORDER BY name')).map(userOf));
  }

  async find(name: string): Promise<User | null> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT * FROM users WHERE name = ?', [name]));
    return row ? userOf(row) : null;
  }

  /** The user whose password this is, or null; an unknown name costs a hash as a known one does. */
  async verify(name: string, password: string): Promise<User | null> {
    const [row] = await this.sql.autocommit((db) => db.select('SELECT * FROM users WHERE name = ?', [name]));
    const ok = await verifyPassword(password.slice(0, PASSWORD_MAX), row ? String(row.password_hash) : DECOY_HASH);
    return row && ok ? userOf(row) : null;
  }

  async setPassword(name: string, password: unknown): Promise<void> {
    const hash = await hashPassword(checkPassword(password));
    const { affected } = await this.sql.autocommit((db) => db.run('UPDATE users SET password_hash = ? WHERE name = ?', [hash, name]));
    if (affected === 0) throw new AcsError('ACS_ERR_NOT_FOUND', `no user named ${name}`);
  }

  /** Deletes the user and its sessions; 404 when there is no such user. */
  async remove(name: string): Promise<void> {
    const { affected } = await this.sql.autocommit(async (db) => {
      await db.run("DELETE FROM ui_sessions WHERE kind = 'user' AND principal = ?", [name]);
      return db.run('DELETE FROM users WHERE name = ?', [name]);
    });
    if (affected === 0) throw new AcsError('ACS_ERR_NOT_FOUND', `no user named ${name}`);
  }
}
