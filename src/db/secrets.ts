/** Keys every ACS process of a deployment shares (table acs_secrets), each made by the first process that needs it. */
import { randomBytes } from 'node:crypto';
import type { SqlAccess } from './types';

/** The deployment's key named `name`: made once, read by every other process. `what` names it in the error. */
export async function deploymentSecret(sql: SqlAccess, name: string, what: string): Promise<Buffer> {
  const read = () => sql.autocommit((db) => db.select('SELECT secret FROM acs_secrets WHERE name = ?', [name]));
  let rows = await read();
  if (rows.length === 0) {
    const fresh = randomBytes(32).toString('base64url');
    // Two processes starting together: one insert wins, both read the winner's.
    await sql.transaction((db) => db.run('INSERT INTO acs_secrets (name, secret, created_at) VALUES (?, ?, ?)', [name, fresh, Date.now()])).catch(() => undefined);
    rows = await read();
  }
  if (rows.length === 0) throw new Error(`could not store the ${what} (acs_secrets)`);
  return Buffer.from(String(rows[0].secret));
}
