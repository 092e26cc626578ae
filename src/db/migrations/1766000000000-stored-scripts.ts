/**
 * scripts and script_versions: presets, provisions and virtual parameters
 * written through the REST API (the folders stay a read-only source beside
 * them; a file wins over a row of the same name).
 * - scripts: the current version of each live script, by kind and name.
 *   A deleted script has no row here.
 * - script_versions: every version ever written, deletions included (a row
 *   with `deleted` set and no source), with the API token that wrote it. Its
 *   id only grows: the largest id is the generation every process polls to
 *   learn that something changed.
 *
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

function tables(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE scripts (
    kind ${t.key(32)} NOT NULL,
    name ${t.key(128)} NOT NULL,
    version ${t.int} NOT NULL,
    source ${t.bigtext} NOT NULL,
    updated_at ${t.bigint} NOT NULL,
    updated_by ${t.str(128)} NOT NULL,
    PRIMARY KEY (kind, name)
  )${t.tableSuffix}`,
    `CREATE TABLE script_versions (
    id ${t.id},
    kind ${t.key(32)} NOT NULL,
    name ${t.key(128)} NOT NULL,
    version ${t.int} NOT NULL,
    source ${t.bigtext} NULL,
    deleted ${t.tinyint} NOT NULL,
    created_at ${t.bigint} NOT NULL,
    created_by ${t.str(128)} NOT NULL
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX ux_script_versions ON script_versions (kind, name, version)',
  ];
}

export class StoredScripts1766000000000 extends CreateTablesMigration {
  name = 'StoredScripts1766000000000';
  protected statements = tables;
  protected dropOrder = ['script_versions', 'scripts'];
}
