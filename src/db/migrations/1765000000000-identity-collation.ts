/**
 * Identity columns compare every byte, trailing spaces included. The initial
 * schema gave device keys, paths, tags and channels utf8mb4_bin, which is a
 * PAD SPACE collation on MySQL and MariaDB: there "SN" and "SN " are one key,
 * so an id with a trailing space found another device, and a tag or a path
 * with one collided with its neighbour. This moves them to the server's NO PAD
 * binary collation (same byte order, so prefix-range scans are unchanged).
 * Existing rows stay valid: NO PAD only tells apart strings PAD SPACE equated.
 * SQLite's BINARY collation is exact already: nothing to do there.
 *
 * Self-contained but for ./dialect (frozen): a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isSqlite, PAD_SPACE_BINARY } from './dialect';

/** The identity columns as the initial and channel-faults migrations made them (length, all NOT NULL). */
const COLUMNS: readonly { table: string; column: string; length: number }[] = [
  { table: 'devices', column: 'device_key', length: 255 },
  { table: 'device_parameters', column: 'path', length: 512 },
  { table: 'device_tags', column: 'tag', length: 255 },
  { table: 'pending_requests', column: 'device_key', length: 255 },
  { table: 'device_faults', column: 'device_key', length: 255 },
  { table: 'channel_faults', column: 'channel', length: 255 },
];

/** MariaDB >= 10.2 names it utf8mb4_nopad_bin, MySQL >= 8.0.17 utf8mb4_0900_bin. */
const NO_PAD_BINARY = ['utf8mb4_nopad_bin', 'utf8mb4_0900_bin'];

async function noPadCollation(queryRunner: QueryRunner): Promise<string> {
  const rows = (await queryRunner.query(
    `SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME IN (${NO_PAD_BINARY.map(() => '?').join(', ')})`,
    NO_PAD_BINARY,
  )) as { name: string }[];
  const found = NO_PAD_BINARY.find((name) => rows.some((r) => r.name === name));
  if (!found) throw new Error(`The database server has no NO PAD binary collation (${NO_PAD_BINARY.join(' or ')}): use MariaDB >= 10.2 or MySQL >= 8.0.17`);
  return found;
}

async function setCollation(queryRunner: QueryRunner, collation: string): Promise<void> {
  for (const { table, column, length } of COLUMNS) {
    await queryRunner.query(`ALTER TABLE ${table} MODIFY ${column} VARCHAR(${length}) CHARACTER SET utf8mb4 COLLATE ${collation} NOT NULL`);
  }
}

export class IdentityCollation1765000000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'IdentityCollation1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (!isSqlite(queryRunner)) await setCollation(queryRunner, await noPadCollation(queryRunner));
  }

  /** Fails (duplicate key) once the store holds two keys that differ only by trailing spaces: they cannot be one again. */
  async down(queryRunner: QueryRunner): Promise<void> {
    if (!isSqlite(queryRunner)) await setCollation(queryRunner, PAD_SPACE_BINARY);
  }
}
