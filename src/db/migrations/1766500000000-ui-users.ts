/**
 * users and ui_sessions: who may sign in to the web UI, and who is signed in.
 * - users: one row per operator, by name, with a role (read, write, admin: the
 *   API token scopes) and an scrypt hash of the password (salt and cost in it).
 * - ui_sessions: one row per signed-in browser. Only the SHA-256 of the
 *   session's cookie is kept; the session names either a user or an API token
 *   (signed in with a token), whose role or scope is read again on use, so a
 *   deleted user or revoked token ends its sessions. csrf is the token the UI
 *   echoes in a header on writes.
 *
 * Column types come from ./dialect, frozen (see 1765800000000-api-tokens.ts).
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

function tables(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE users (
    id ${t.id},
    name ${t.key(128)} NOT NULL,
    role ${t.str(16)} NOT NULL,
    password_hash ${t.str(255)} NOT NULL,
    created_at ${t.bigint} NOT NULL,
    created_by ${t.str(128)} NOT NULL
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX ux_users_name ON users (name)',
    `CREATE TABLE ui_sessions (
    id ${t.id},
    session_hash ${t.key(64)} NOT NULL,
    kind ${t.str(8)} NOT NULL,
    principal ${t.key(128)} NOT NULL,
    csrf ${t.str(64)} NOT NULL,
    created_at ${t.bigint} NOT NULL,
    expires_at ${t.bigint} NOT NULL
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX ux_ui_sessions_hash ON ui_sessions (session_hash)',
    'CREATE INDEX ix_ui_sessions_expires ON ui_sessions (expires_at)',
  ];
}

export class UiUsers1766500000000 extends CreateTablesMigration {
  name = 'UiUsers1766500000000';
  protected statements = tables;
  protected dropOrder = ['ui_sessions', 'users'];
}
