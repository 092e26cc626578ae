/**
 * connection_requests: what the ACS keeps per device for asking it to open a
 * session (TR-069 §3.2.2, Annex G): the device's ConnectionRequestUsername and
 * ConnectionRequestPassword as the operator stored them (a CPE answers an
 * empty string when the ACS reads the password, so these win over the cached
 * parameters), and the last attempt's time, outcome and message, which the
 * NBI shows. A row may exist before the device's first Inform, so it is keyed
 * by the device key, not the devices row. See src/connreq/credentials.ts.
 *
 * Self-contained on purpose (its own small type map): a migration must keep
 * meaning what it meant when it first ran, whatever later ones need.
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';

interface TypeMap {
  bigint: string;
  key: (n: number) => string;
  text: (n: number) => string;
  tableSuffix: string;
}

/** Keys compare every byte, trailing spaces included: the NO PAD binary collation (see 1765000000000). */
const mysql = (noPad: string): TypeMap => ({
  bigint: 'BIGINT',
  key: (n) => `VARCHAR(${n}) CHARACTER SET utf8mb4 COLLATE ${noPad}`,
  text: (n) => `VARCHAR(${n})`,
  tableSuffix: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
});

/** MariaDB's name for it, or MySQL's (the identity-collation migration made sure one exists). */
async function noPadCollation(queryRunner: QueryRunner): Promise<string> {
  const rows = (await queryRunner.query(`SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS WHERE COLLATION_NAME = 'utf8mb4_nopad_bin'`)) as unknown[];
  return rows.length > 0 ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

const SQLITE: TypeMap = {
  bigint: 'BIGINT',
  key: (n) => `VARCHAR(${n})`,
  text: (n) => `VARCHAR(${n})`,
  tableSuffix: '',
};

// The username is compared byte for byte too: the STUN server finds a device by its USERNAME attribute (not unique: CPEs may share one).
function table(t: TypeMap): string[] {
  return [
    `CREATE TABLE connection_requests (
    device_key ${t.key(255)} NOT NULL PRIMARY KEY,
    username ${t.key(256)} NULL,
    password ${t.text(256)} NULL,
    last_attempt ${t.bigint} NULL,
    outcome ${t.text(32)} NULL,
    via ${t.text(8)} NULL,
    message ${t.text(1024)} NULL
  )${t.tableSuffix}`,
    'CREATE INDEX ix_connection_requests_username ON connection_requests (username)',
  ];
}

export class ConnectionRequests1765300000000 implements MigrationInterface {
  /** Explicit: bundlers may rename classes, and TypeORM keys migrations by name. */
  name = 'ConnectionRequests1765300000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const types = queryRunner.connection.driver.options.type === 'better-sqlite3' ? SQLITE : mysql(await noPadCollation(queryRunner));
    for (const sql of table(types)) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE connection_requests');
  }
}
