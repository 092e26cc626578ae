/**
 * orders: zero-touch provisioning requests from an order system. The order
 * system's own id is the key (the same id twice is one order); `body_hash`
 * tells a repeat from a different order under a taken id. The device is named
 * by serial number (and OUI) until it is known; `device` is its key once it
 * is. An order is carried out by a workflow run (`run_id`).
 *
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

function tables(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE orders (
    id ${t.key(128)} NOT NULL PRIMARY KEY,
    body_hash ${t.str(64)} NOT NULL,
    body ${t.text} NOT NULL,
    serial ${t.key(64)} NULL,
    oui ${t.key(64)} NULL,
    device ${t.key(255)} NULL,
    status ${t.str(16)} NOT NULL,
    reason ${t.str(1024)} NULL,
    run_id ${t.str(36)} NULL,
    created_at ${t.bigint} NOT NULL,
    updated_at ${t.bigint} NOT NULL,
    applied_at ${t.bigint} NULL
  )${t.tableSuffix}`,
    'CREATE INDEX ix_orders_waiting ON orders (status, serial)',
    'CREATE INDEX ix_orders_run ON orders (run_id)',
  ];
}

export class Orders1765950000000 extends CreateTablesMigration {
  name = 'Orders1765950000000';
  protected statements = tables;
  protected dropOrder = ['orders'];
}
