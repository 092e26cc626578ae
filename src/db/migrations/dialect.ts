/**
 * The dialect words the migrations spell their tables with: MySQL/MariaDB
 * and SQLite column types, and the few steps every migration takes.
 * Not a migration itself: index.ts lists the migrations by hand.
 *
 * FROZEN. A migration must keep meaning what it meant when it first ran, and
 * every migration that ever ran reads this file: the SQL that any export here
 * produces must never change. A later migration that needs another word adds
 * a new field or function; it never edits an existing one.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

export interface ColumnTypes {
  readonly id: string;
  readonly int: string;
  readonly tinyint: string;
  readonly bigint: string;
  readonly real: string;
  /** Case-sensitive, byte-ordered varchar: keys, paths, tags, names. */
  readonly key: (n: number) => string;
  readonly str: (n: number) => string;
  readonly text: string;
  /** Values and JSON documents that may exceed 64 KB (MySQL TEXT's limit). */
  readonly bigtext: string;
  readonly blob: string;
  readonly tableSuffix: string;
}

/** PAD SPACE on MySQL and MariaDB ("SN" = "SN "): what the initial schema used, before 1765000000000. */
export const PAD_SPACE_BINARY = 'utf8mb4_bin';

export function mysqlTypes(keyCollation: string): ColumnTypes {
  return Object.freeze({
    id: 'INT NOT NULL AUTO_INCREMENT PRIMARY KEY',
    int: 'INT',
    tinyint: 'TINYINT',
    bigint: 'BIGINT',
    real: 'DOUBLE',
    key: (n: number) => `VARCHAR(${n}) CHARACTER SET utf8mb4 COLLATE ${keyCollation}`,
    str: (n: number) => `VARCHAR(${n})`,
    text: 'TEXT',
    bigtext: 'MEDIUMTEXT',
    // Up to 16 MiB a row.
    blob: 'MEDIUMBLOB',
    tableSuffix: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
  });
}

/** SQLite's BINARY collation compares every byte already: keys need no word of their own. */
export const SQLITE_TYPES: ColumnTypes = Object.freeze({
  // AUTOINCREMENT: ids are never reused, so a stale request id cannot hit a newer request.
  id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
  int: 'INTEGER',
  tinyint: 'SMALLINT',
  bigint: 'BIGINT',
  real: 'REAL',
  key: (n: number) => `VARCHAR(${n})`,
  str: (n: number) => `VARCHAR(${n})`,
  text: 'TEXT',
  bigtext: 'TEXT',
  blob: 'BLOB',
  tableSuffix: '',
});

export function isSqlite(queryRunner: QueryRunner): boolean {
  return queryRunner.connection.driver.options.type === 'better-sqlite3';
}

/** The types of the migrations before 1765000000000: keys in the PAD SPACE binary collation. */
export function padSpaceKeyTypes(queryRunner: QueryRunner): ColumnTypes {
  return isSqlite(queryRunner) ? SQLITE_TYPES : mysqlTypes(PAD_SPACE_BINARY);
}

/** The types of the migrations since 1765100000000: keys compare every byte, trailing spaces included. */
export async function noPadKeyTypes(queryRunner: QueryRunner): Promise<ColumnTypes> {
  return isSqlite(queryRunner) ? SQLITE_TYPES : mysqlTypes(await noPadCollation(queryRunner));
}

/** MariaDB's name for it, or MySQL's (the identity-collation migration made sure one exists). */
async function noPadCollation(queryRunner: QueryRunner): Promise<string> {
  const rows = (await queryRunner.query(`SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME = 'utf8mb4_nopad_bin'`)) as unknown[];
  return rows.length > 0 ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

/** In order: a statement may name a table an earlier one creates. */
export async function runAll(queryRunner: QueryRunner, statements: readonly string[]): Promise<void> {
  for (const sql of statements) await queryRunner.query(sql);
}

/** Children before parents, as the caller lists them, so foreign keys never block a drop. */
export async function dropTables(queryRunner: QueryRunner, tables: readonly string[]): Promise<void> {
  await runAll(queryRunner, tables.map((table) => `DROP TABLE ${table}`));
}

/**
 * A migration that only creates tables (with NO PAD keys) and their indexes,
 * and drops them on revert: existing tables and rows are never touched.
 */
export abstract class CreateTablesMigration implements MigrationInterface {
  /** Explicit in each subclass: bundlers may rename classes, and TypeORM keys migrations by name. */
  abstract readonly name: string;
  /** CREATE TABLE and CREATE INDEX statements, in order. */
  protected abstract readonly statements: (t: ColumnTypes) => string[];
  /** The tables it creates, children before parents. */
  protected abstract readonly dropOrder: readonly string[];

  async up(queryRunner: QueryRunner): Promise<void> {
    await runAll(queryRunner, this.statements(await noPadKeyTypes(queryRunner)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropTables(queryRunner, this.dropOrder);
  }
}
