/**
 * connection_requests: what the ACS keeps per device for asking it to open a
 * session (TR-069 §3.2.2, Annex G): the device's ConnectionRequestUsername and
 * ConnectionRequestPassword as the operator stored them (a CPE answers an
 * empty string when the ACS reads the password, so these win over the cached
 * parameters), and the last attempt's time, outcome and message, which the
 * NBI shows. A row may exist before the device's first Inform, so it is keyed
 * by the device key, not the devices row. See src/connreq/credentials.ts.
 *
 * Column types come from ./dialect, frozen: a migration must keep meaning
 * what it meant when it first ran, whatever later ones need.
 */
import { CreateTablesMigration, type ColumnTypes } from './dialect';

// The username is compared byte for byte too: the STUN server finds a device by its USERNAME attribute (not unique: CPEs may share one).
function table(t: ColumnTypes): string[] {
  return [
    `CREATE TABLE connection_requests (
    device_key ${t.key(255)} NOT NULL PRIMARY KEY,
    username ${t.key(256)} NULL,
    password ${t.str(256)} NULL,
    last_attempt ${t.bigint} NULL,
    outcome ${t.str(32)} NULL,
    via ${t.str(8)} NULL,
    message ${t.str(1024)} NULL
  )${t.tableSuffix}`,
    'CREATE INDEX ix_connection_requests_username ON connection_requests (username)',
  ];
}

export class ConnectionRequests1765300000000 extends CreateTablesMigration {
  name = 'ConnectionRequests1765300000000';
  protected statements = table;
  protected dropOrder = ['connection_requests'];
}
