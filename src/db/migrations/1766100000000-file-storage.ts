/**
 * File contents move out of the database by default:
 * - file_contents.storage: where a content's bytes are ("database": the
 *   file_chunks rows, as every content before this migration; "disk": a file
 *   under FILES_DIR). Kept per content, so changing FILES_STORAGE leaves the
 *   files stored before it readable.
 * - acs_secrets: keys every ACS process of a deployment must share and no
 *   operator has to set (the key that signs file URLs given to CPEs).
 *
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { noPadKeyTypes } from './dialect';

export class FileStorage1766100000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'FileStorage1766100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const t = await noPadKeyTypes(queryRunner);
    await queryRunner.query(`ALTER TABLE file_contents ADD COLUMN storage ${t.str(16)} NOT NULL DEFAULT 'database'`);
    await queryRunner.query(`CREATE TABLE acs_secrets (
    name ${t.key(64)} NOT NULL PRIMARY KEY,
    secret ${t.str(128)} NOT NULL,
    created_at ${t.bigint} NOT NULL
  )${t.tableSuffix}`);
  }

  /** Contents stored on disk become unreadable; signed file URLs already given out stop working. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE acs_secrets');
    await queryRunner.query('ALTER TABLE file_contents DROP COLUMN storage');
  }
}
