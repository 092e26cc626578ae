/**
 * device_events: the events of answered Informs (and the CPE's own requests)
 * whose provisioning is not done yet, one row per (device, event code,
 * CommandKey). Written before the InformResponse goes out, deleted by the
 * commit of the session that carried their provisioning out (see
 * src/db/events.ts). Only creates a table: existing rows are kept.
 *
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

// Reads are "one device's events"; (device, code, command key) is unique so a repeated event updates its row.
function table(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE device_events (
    id ${t.id},
    device_id ${t.int} NOT NULL,
    code ${t.key(64)} NOT NULL,
    command_key ${t.key(255)} NOT NULL,
    detail ${t.bigtext} NULL,
    time ${t.bigint} NOT NULL,
    session_id ${t.key(64)} NOT NULL,
    CONSTRAINT fk_device_events_device FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
  )${t.tableSuffix}`,
    'CREATE UNIQUE INDEX uq_device_events ON device_events (device_id, code, command_key)',
  ];
}

export class DeviceEvents1765100000000 extends CreateTablesMigration {
  name = 'DeviceEvents1765100000000';
  protected statements = table;
  protected dropOrder = ['device_events'];
}
