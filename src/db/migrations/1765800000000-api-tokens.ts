/**
 * api_tokens and audit_log: who may use the REST API, and what they wrote.
 * - api_tokens: one row per token, by name. Only the SHA-256 of the token is
 *   kept (a token is 32 random bytes, so a plain hash suffices); `prefix`, its
 *   first characters, lets an operator tell tokens apart. A revoked token
 *   keeps its row (revoked_at), so the audit log's names stay meaningful.
 * - audit_log: every write through the REST API (and every refused request
 *   with a token), with the token's name, route, target, outcome and time.
 *
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

function tables(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE api_tokens (
    id ${t.id},
    name ${t.key(128)} NOT NULL,
    scope ${t.str(16)} NOT NULL,
    token_hash ${t.key(64)} NOT NULL,
    prefix ${t.str(16)} NOT NULL,
    created_at ${t.bigint} NOT NULL,
    created_by ${t.str(128)} NOT NULL,
    last_used_at ${t.bigint} NULL,
    revoked_at ${t.bigint} NULL
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX ux_api_tokens_name ON api_tokens (name)',
    'CREATE UNIQUE INDEX ux_api_tokens_hash ON api_tokens (token_hash)',
    `CREATE TABLE audit_log (
    id ${t.id},
    time ${t.bigint} NOT NULL,
    token_name ${t.key(128)} NULL,
    method ${t.str(8)} NOT NULL,
    route ${t.str(255)} NOT NULL,
    target ${t.str(1024)} NOT NULL,
    status ${t.int} NOT NULL,
    message ${t.str(1024)} NULL
  )${t.tableSuffix}`,
    'CREATE INDEX ix_audit_log_time ON audit_log (time)',
    'CREATE INDEX ix_audit_log_token ON audit_log (token_name, time)',
  ];
}

export class ApiTokens1765800000000 extends CreateTablesMigration {
  name = 'ApiTokens1765800000000';
  protected statements = tables;
  protected dropOrder = ['audit_log', 'api_tokens'];
}
