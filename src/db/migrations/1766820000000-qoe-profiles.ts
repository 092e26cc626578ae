/**
 * qoe_profiles: the collection profiles written through the REST API (issue
 * 14), each a JSON document (src/qoe/profiles/schema.ts) under its name; the
 * shipped ones are in code, and one stored under the same name replaces it.
 *
 * Column types come from ./dialect, frozen (see 1765800000000-api-tokens.ts).
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

function tables(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE qoe_profiles (
    name ${t.key(64)} NOT NULL PRIMARY KEY,
    definition ${t.text} NOT NULL,
    updated_at ${t.bigint} NOT NULL,
    updated_by ${t.str(128)} NOT NULL
  )${t.tableSuffix}`,
  ];
}

export class QoeProfiles1766820000000 extends CreateTablesMigration {
  name = 'QoeProfiles1766820000000';
  protected statements = tables;
  protected dropOrder = ['qoe_profiles'];
}
