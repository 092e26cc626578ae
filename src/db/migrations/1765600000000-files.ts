/**
 * The ACS's file server: files (firmware images, configuration backups) kept
 * in the database so that every ACS process serves every file, whichever one
 * stored it.
 *
 * - files: one row per name, pointing at the content it serves now.
 * - file_contents: one row per upload; `released` is set when no name serves
 *   it any more, and the content is deleted a grace period later so readers
 *   streaming it finish (see src/files/gc.ts).
 * - file_chunks: the bytes, one row per MiB, so no statement comes near
 *   MariaDB's max_allowed_packet.
 * - upload_tokens: single-use upload URLs handed to CPEs (TR-069 Upload),
 *   kept by the SHA-256 of the token so a copy of the database opens nothing.
 *
 * Self-contained on purpose (its own small type map): a migration must keep
 * meaning what it meant when it first ran, whatever later ones need.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

interface TypeMap {
  int: string;
  bigint: string;
  key: (n: number) => string;
  text: (n: number) => string;
  blob: string;
  tableSuffix: string;
}

/** Keys compare every byte, trailing spaces included: the NO PAD binary collation (see 1765000000000). */
const mysql = (noPad: string): TypeMap => ({
  int: 'INT',
  bigint: 'BIGINT',
  key: (n) => `VARCHAR(${n}) CHARACTER SET utf8mb4 COLLATE ${noPad}`,
  text: (n) => `VARCHAR(${n})`,
  // Up to 16 MiB a row; chunks are 1 MiB.
  blob: 'MEDIUMBLOB',
  tableSuffix: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
});

/** MariaDB's name for it, or MySQL's (the identity-collation migration made sure one exists). */
async function noPadCollation(queryRunner: QueryRunner): Promise<string> {
  const rows = (await queryRunner.query(`SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME = 'utf8mb4_nopad_bin'`)) as unknown[];
  return rows.length > 0 ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

const SQLITE: TypeMap = {
  int: 'INTEGER',
  bigint: 'BIGINT',
  key: (n) => `VARCHAR(${n})`,
  text: (n) => `VARCHAR(${n})`,
  blob: 'BLOB',
  tableSuffix: '',
};

function tables(t: TypeMap): string[] {
  return [
    `CREATE TABLE file_contents (
    id ${t.key(36)} NOT NULL PRIMARY KEY,
    touched ${t.bigint} NOT NULL,
    released ${t.bigint} NULL
  )${t.tableSuffix}`,
    'CREATE INDEX ix_file_contents_released ON file_contents (released)',
    `CREATE TABLE file_chunks (
    content_id ${t.key(36)} NOT NULL,
    seq ${t.int} NOT NULL,
    data ${t.blob} NOT NULL,
    PRIMARY KEY (content_id, seq)
  )${t.tableSuffix}`,
    `CREATE TABLE files (
    name ${t.key(255)} NOT NULL PRIMARY KEY,
    content_id ${t.key(36)} NOT NULL,
    size ${t.bigint} NOT NULL,
    chunk_size ${t.int} NOT NULL,
    md5 ${t.text(32)} NOT NULL,
    sha256 ${t.text(64)} NOT NULL,
    file_type ${t.key(64)} NULL,
    oui ${t.key(64)} NULL,
    product_class ${t.key(64)} NULL,
    version ${t.key(64)} NULL,
    content_type ${t.text(255)} NULL,
    device_key ${t.key(255)} NULL,
    uploaded ${t.bigint} NOT NULL
  )${t.tableSuffix}`,
    'CREATE INDEX ix_files_content ON files (content_id)',
    'CREATE INDEX ix_files_file_type ON files (file_type)',
    'CREATE INDEX ix_files_device_key ON files (device_key)',
    `CREATE TABLE upload_tokens (
    token_hash ${t.key(64)} NOT NULL PRIMARY KEY,
    name ${t.key(255)} NOT NULL,
    device_key ${t.key(255)} NULL,
    file_type ${t.key(64)} NULL,
    oui ${t.key(64)} NULL,
    product_class ${t.key(64)} NULL,
    version ${t.key(64)} NULL,
    created ${t.bigint} NOT NULL,
    expires ${t.bigint} NOT NULL,
    used ${t.bigint} NULL
  )${t.tableSuffix}`,
    'CREATE INDEX ix_upload_tokens_expires ON upload_tokens (expires)',
  ];
}

export class Files1765600000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'Files1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const types = queryRunner.connection.driver.options.type === 'better-sqlite3' ? SQLITE : mysql(await noPadCollation(queryRunner));
    for (const sql of tables(types)) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['upload_tokens', 'files', 'file_chunks', 'file_contents']) await queryRunner.query(`DROP TABLE ${table}`);
  }
}
