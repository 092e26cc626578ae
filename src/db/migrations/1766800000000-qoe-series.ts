/**
 * The QoE series store (src/qoe/series, issue 14 §2).
 *
 * - qoe_layouts: the column layout of packed rows, stored once and keyed by
 *   the hash of its JSON (the concrete paths, each with its kind and alias).
 * - qoe_streams: one row per device + collection profile: its id (what the
 *   series tables are keyed by, 4 bytes instead of a device key), the time,
 *   uptime and raw counter values of its last frame (rates continue across
 *   a restart), in `layout`'s column order.
 * - qoe_raw: one row per frame, its values packed in `data` (codec.ts).
 * - qoe_5m, qoe_1h, qoe_1d: one row per stream and bucket, min/max/avg/count
 *   of each column packed the same way.
 *   All four partitioned by day on MySQL/MariaDB (retention drops whole
 *   partitions; `pmax` takes what has no day partition yet, and is split
 *   ahead of time: src/qoe/series/partitions.ts).
 * - qoe_rollup_marks: per profile and resolution, the time up to which
 *   buckets are rolled up.
 *
 * Column types come from ./dialect, frozen (see 1765800000000-api-tokens.ts).
 */
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropTables, isSqlite, noPadKeyTypes, runAll, type ColumnTypes } from './dialect';

const SERIES_TABLES = ['qoe_raw', 'qoe_5m', 'qoe_1h', 'qoe_1d'];

function seriesTable(t: ColumnTypes, name: string, partitioned: boolean): string {
  const partitions = partitioned ? ' PARTITION BY RANGE (time) (PARTITION pmax VALUES LESS THAN MAXVALUE)' : '';
  return `CREATE TABLE ${name} (
    stream ${t.int} NOT NULL,
    time ${t.bigint} NOT NULL,
    layout ${t.int} NOT NULL,
    data ${t.blob} NOT NULL,
    PRIMARY KEY (stream, time)
  )${t.tableSuffix}${partitions}`;
}

function tables(t: ColumnTypes, sqlite: boolean): string[] {
  return [
    `CREATE TABLE qoe_layouts (
    id ${t.id},
    hash ${t.key(64)} NOT NULL,
    columns_json ${t.bigtext} NOT NULL
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX ux_qoe_layouts_hash ON qoe_layouts (hash)',
    `CREATE TABLE qoe_streams (
    id ${t.id},
    device_key ${t.key(255)} NOT NULL,
    profile ${t.key(64)} NOT NULL,
    last_time ${t.bigint},
    uptime_s ${t.bigint},
    layout ${t.int},
    prev ${t.text}
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX ux_qoe_streams_device_profile ON qoe_streams (device_key, profile)',
    'CREATE INDEX ix_qoe_streams_profile_device ON qoe_streams (profile, device_key)',
    ...SERIES_TABLES.map((name) => seriesTable(t, name, !sqlite)),
    `CREATE TABLE qoe_rollup_marks (
    profile ${t.key(64)} NOT NULL,
    resolution ${t.key(16)} NOT NULL,
    done_until ${t.bigint} NOT NULL,
    PRIMARY KEY (profile, resolution)
  )${t.tableSuffix}`,
  ];
}

export class QoeSeries1766800000000 implements MigrationInterface {
  name = 'QoeSeries1766800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await runAll(queryRunner, tables(await noPadKeyTypes(queryRunner), isSqlite(queryRunner)));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropTables(queryRunner, ['qoe_rollup_marks', ...SERIES_TABLES, 'qoe_streams', 'qoe_layouts']);
  }
}
