/**
 * fleet_stats: the fleet's counts per minute, summed over every process of
 * the cluster (src/stats): sessions by outcome, Inform events by code, CPE
 * faults by code, channel faults by code. One row per (minute, series);
 * `minute` is epoch minutes (UTC), `series` a short name such as
 * "s:completed" or "f:9002" (src/stats/series.ts). Keyed by minute first:
 * a time range is one range scan, and retention deletes a prefix.
 *
 * Column types come from ./dialect, frozen (see 1765800000000-api-tokens.ts).
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

function tables(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE fleet_stats (
    minute ${t.int} NOT NULL,
    series ${t.key(80)} NOT NULL,
    n ${t.bigint} NOT NULL,
    PRIMARY KEY (minute, series)
  )${t.tableSuffix}`,
  ];
}

export class FleetStats1766700000000 extends CreateTablesMigration {
  name = 'FleetStats1766700000000';
  protected statements = tables;
  protected dropOrder = ['fleet_stats'];
}
