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
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

function tables(t: ColumnTypes): string[] {
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
    md5 ${t.str(32)} NOT NULL,
    sha256 ${t.str(64)} NOT NULL,
    file_type ${t.key(64)} NULL,
    oui ${t.key(64)} NULL,
    product_class ${t.key(64)} NULL,
    version ${t.key(64)} NULL,
    content_type ${t.str(255)} NULL,
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

export class Files1765600000000 extends CreateTablesMigration {
  name = 'Files1765600000000';
  protected statements = tables;
  protected dropOrder = ['upload_tokens', 'files', 'file_chunks', 'file_contents'];
}
