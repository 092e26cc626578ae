/**
 * `acs token`: API tokens from the command line, for operators on the box
 * (the first admin token can only come from here): create (prints the token
 * once), list, revoke. Works on the database of DATABASE_URL.
 */
import { userInfo } from 'node:os';
import { loadConfig } from '../../config/load';
import { openStore } from '../../db';
import type { DeviceStore } from '../../db/types';
import { AcsError } from '../../errors';
import { recordAudit } from './audit';
import { SCOPES, TokenStore } from './tokens';

export const tokenUsage = `usage: acs token <create|list|revoke> [options]

  acs token create --name NAME [--scope read|write|admin]   prints the new token once (default scope: read)
  acs token list                                           every token: name, scope, prefix, created, last used, revoked
  acs token revoke NAME                                    the token stops working within 5 s on every process
Clients send it as "Authorization: Bearer <token>". Scopes: ${SCOPES.join(' < ')} (each includes the ones before).`;

/**
 * A token made or revoked on the box, in the audit log as the API's writes
 * are: by `cli:<OS user>`, method CLI, route the command, target the token,
 * and its outcome (an HTTP status, as the API would have answered).
 */
async function audited(store: DeviceStore, command: string, name: string, write: () => Promise<void>): Promise<void> {
  const entry = { time: Date.now(), token: `cli:${osUser()}`, method: 'CLI', route: `acs token ${command}`, target: `/tokens/${name}` };
  try {
    await write();
    await recordAudit(store.sql, { ...entry, status: command === 'create' ? 201 : 200, message: null });
  } catch (err) {
    const status = err instanceof AcsError ? err.status : 500;
    await recordAudit(store.sql, { ...entry, status, message: (err as Error).message }).catch(() => undefined);
    throw err;
  }
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** Runs one `acs token` command on `store`; what it prints goes to `out`. Throws with a message naming the argument. */
export async function runTokenCommand(args: string[], store: DeviceStore, out: (line: string) => void): Promise<void> {
  const tokens = new TokenStore(store.sql);
  const [command, ...rest] = args;
  if (command === 'create') {
    const name = option(rest, '--name');
    if (name === undefined) throw new Error('acs token create: --name is missing');
    await audited(store, command, name, async () => {
      const { token, info } = await tokens.create(name, option(rest, '--scope') ?? 'read', 'cli');
      out(token);
      out(`# token ${info.name}, scope ${info.scope}: shown this once, keep it now`);
    });
  } else if (command === 'list') {
    for (const t of await tokens.list()) {
      const time = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
      out([t.name, t.scope, t.prefix, time(t.createdAt), time(t.lastUsedAt), t.revokedAt === null ? 'live' : `revoked ${time(t.revokedAt)}`].join('\t'));
    }
  } else if (command === 'revoke') {
    const name = rest[0];
    if (name === undefined) throw new Error('acs token revoke: the token name is missing');
    await audited(store, command, name, async () => {
      await tokens.revoke(name);
      out(`token ${name} revoked`);
    });
  } else {
    throw new Error(command === undefined ? 'acs token: create, list or revoke?' : `acs token: unknown command ${command} (create, list, revoke)`);
  }
}

/** The value after `--name` in `args` (undefined when absent); `command` names the command in the error. */
export function option(args: string[], name: string, command = 'acs token'): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  if (args[i + 1] === undefined || args[i + 1].startsWith('--')) throw new Error(`${command}: ${name} needs a value`);
  return args[i + 1];
}

/** Runs `fn` on the migrated database of DATABASE_URL, closed after. */
export async function withStore(fn: (store: DeviceStore) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const store = await openStore(config.databaseUrl);
  try {
    await store.migrate();
    await fn(store);
  } finally {
    await store.close();
  }
}

export function runToken(args: string[]): Promise<void> {
  return withStore((store) => runTokenCommand(args, store, (line) => console.log(line)));
}
