/**
 * `acs user`: web UI users from the command line (the first admin can only
 * come from here, or from an admin API token's POST /users): create, list,
 * password, delete. The password is read from stdin with --password-stdin,
 * else asked twice on the terminal without echo.
 */
import { createInterface } from 'node:readline';
import type { DeviceStore } from '../../db/types';
import { option, withStore } from './cli';
import { SCOPES } from './tokens';
import { UserStore } from './users';

export const userUsage = `usage: acs user <create|list|password|delete> [options]

  acs user create --name NAME [--role read|write|admin] [--password-stdin]
                                 a web UI user (default role: read); the password is asked, or read from stdin
  acs user list                  every user: name, role, created, created by
  acs user password NAME [--password-stdin]
                                 sets a new password
  acs user delete NAME           deletes the user and ends its sessions
Roles are the API token scopes: ${SCOPES.join(' < ')} (each includes the ones before).`;

/** Where a command's password comes from: stdin's whole text, or the terminal. */
export type PasswordSource = () => Promise<string>;

async function stdinPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  // Echo the question only, not what is typed.
  const out = rl as unknown as { _writeToOutput(s: string): void };
  out._writeToOutput = (s: string) => void (s.startsWith(question) && process.stdout.write(question));
  return new Promise((resolve) => rl.question(question, (answer) => {
    rl.close();
    process.stdout.write('\n');
    resolve(answer);
  }));
}

async function terminalPassword(): Promise<string> {
  if (!process.stdin.isTTY) throw new Error('acs user: no terminal to ask the password on: give it with --password-stdin');
  const first = await ask('Password: ');
  if ((await ask('Again: ')) !== first) throw new Error('acs user: the passwords differ');
  return first;
}

export function passwordSourceOf(args: string[]): PasswordSource {
  return args.includes('--password-stdin') ? stdinPassword : terminalPassword;
}

/** Runs one `acs user` command on `store`; what it prints goes to `out`. */
export async function runUserCommand(args: string[], store: DeviceStore, password: PasswordSource, out: (line: string) => void): Promise<void> {
  const users = new UserStore(store.sql);
  const [command, ...rest] = args;
  if (command === 'create') {
    const name = option(rest, '--name', 'acs user');
    if (name === undefined) throw new Error('acs user create: --name is missing');
    const user = await users.create(name, option(rest, '--role', 'acs user') ?? 'read', await password(), 'cli');
    out(`user ${user.name} created, role ${user.role}`);
  } else if (command === 'list') {
    for (const u of await users.list()) out([u.name, u.role, new Date(u.createdAt).toISOString(), u.createdBy].join('\t'));
  } else if (command === 'password' || command === 'delete') {
    const name = rest[0];
    if (name === undefined || name.startsWith('--')) throw new Error(`acs user ${command}: the user name is missing`);
    if (command === 'password') await users.setPassword(name, await password());
    else await users.remove(name);
    out(`user ${name} ${command === 'password' ? 'has a new password' : 'deleted'}`);
  } else {
    throw new Error(command === undefined ? 'acs user: create, list, password or delete?' : `acs user: unknown command ${command} (create, list, password, delete)`);
  }
}

export function runUser(args: string[]): Promise<void> {
  return withStore((store) => runUserCommand(args, store, passwordSourceOf(args), (line) => console.log(line)));
}
