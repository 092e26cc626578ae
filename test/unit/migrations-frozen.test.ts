import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { QueryRunner } from 'typeorm';
import { MIGRATIONS } from '../../src/db/migrations';

/**
 * A migration must keep meaning what it meant when it first ran: the SQL each
 * one sends (up and down, on SQLite, MariaDB and MySQL 8) is recorded once, as
 * a hash in test/fixtures/migration-sql.json, and must never change, whatever
 * later edits do to the shared, frozen `migrations/dialect.ts`. A new
 * migration's hashes are added to the file when it is written.
 */
const RECORDED = path.resolve(__dirname, '../fixtures/migration-sql.json');

interface Server {
  label: string;
  type: 'mysql' | 'better-sqlite3';
  collations: string[];
}
const SERVERS: Server[] = [
  { label: 'sqlite', type: 'better-sqlite3', collations: [] },
  { label: 'mariadb', type: 'mysql', collations: ['utf8mb4_bin', 'utf8mb4_nopad_bin'] },
  { label: 'mysql8', type: 'mysql', collations: ['utf8mb4_bin', 'utf8mb4_0900_bin'] },
];

/** A query runner that records what it is sent and answers the few reads migrations make. */
function recorder(server: Server, log: string[]): QueryRunner {
  const query = async (sql: string, params?: unknown[]): Promise<unknown> => {
    log.push(JSON.stringify({ sql, params }));
    if (sql.includes('information_schema.COLLATIONS')) {
      const text = sql + JSON.stringify(params ?? []);
      return server.collations.filter((c) => text.includes(`'${c}'`) || text.includes(`"${c}"`)).map((name) => ({ name }));
    }
    // The tasks migration moves the old queue's rows: give it two, so its UPDATEs are part of what is recorded.
    if (sql.startsWith('SELECT id, request FROM tasks')) return [{ id: 1, request: '{"method":"GetParameterValues"}' }, { id: 2, request: '{"x":1}' }];
    return [];
  };
  return { connection: { driver: { options: { type: server.type } } }, query } as unknown as QueryRunner;
}

async function sqlHashes(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const server of SERVERS) {
    for (const Migration of MIGRATIONS) {
      const m = new Migration();
      for (const phase of ['up', 'down'] as const) {
        const log: string[] = [];
        await m[phase](recorder(server, log));
        out[`${m.name} ${phase} ${server.label}`] = createHash('sha256').update(log.join('\n')).digest('hex');
      }
    }
  }
  return out;
}

describe('migrations are frozen', () => {
  it('every migration sends, up and down, on each server, the SQL recorded when it was written', async () => {
    const recorded = JSON.parse(readFileSync(RECORDED, 'utf8')) as Record<string, string>;
    const now = await sqlHashes();
    const changed = Object.keys(recorded).filter((k) => now[k] !== recorded[k]);
    assert.deepEqual(changed, [], `the SQL of recorded migrations changed (or one was removed): ${changed.join('; ')}`);
    const unrecorded = Object.keys(now).filter((k) => !(k in recorded));
    assert.deepEqual(unrecorded, [], `new migrations: add to ${RECORDED}: ${JSON.stringify(Object.fromEntries(unrecorded.map((k) => [k, now[k]])))}`);
  });
});
