/**
 * saved_searches: the device list's named searches (issue 13), each the
 * search text, the columns shown and the sort. `owner` is the principal that
 * saved it ("user:NAME" or a token's name), or '' for a search shared with
 * everyone; a name is unique per owner, so a personal and a shared search may
 * have the same name. `column_keys` is a JSON array of the UI's column keys.
 *
 * Column types come from ./dialect, frozen (see 1765800000000-api-tokens.ts).
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

function tables(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE saved_searches (
    id ${t.id},
    owner ${t.key(128)} NOT NULL,
    name ${t.key(128)} NOT NULL,
    q ${t.text} NOT NULL,
    column_keys ${t.text} NOT NULL,
    sort ${t.str(1024)} NOT NULL,
    created_at ${t.bigint} NOT NULL,
    updated_at ${t.bigint} NOT NULL,
    updated_by ${t.str(128)} NOT NULL
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX ux_saved_searches_owner_name ON saved_searches (owner, name)',
  ];
}

export class SavedSearches1766650000000 extends CreateTablesMigration {
  name = 'SavedSearches1766650000000';
  protected statements = tables;
  protected dropOrder = ['saved_searches'];
}
