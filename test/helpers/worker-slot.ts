/**
 * The test process's slot: a small number no other live test process on this
 * machine holds, claimed once per process and kept until it exits. Mocha's
 * parallel mode runs test files in several worker processes at once, and a
 * developer may run a single file beside the full suite: each process names
 * its MariaDB databases with its slot (see mysqlUrl, databaseUrlFor), so two
 * files that use the same name never share a database, while the names stay
 * few and are reused run after run (a process id would leave new databases
 * behind at every run).
 *
 * A slot is a file `<n>.pid` holding the owner's process id, created with
 * O_EXCL in one folder shared by every test process (under the temporary
 * folder the first test process of a run saw, passed down through
 * ACS_TEST_SLOT_DIR: test/hooks.ts points TMPDIR at a folder of its own). A
 * slot whose owner is gone (killed, crashed) is taken over.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const dir = (process.env.ACS_TEST_SLOT_DIR ??= path.join(tmpdir(), 'acs-test-slots'));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The owner of a slot file; null while its creator has not written it yet (taken, then). */
function ownerOf(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function claim(): number {
  mkdirSync(dir, { recursive: true });
  for (let slot = 1; slot < 1000; slot++) {
    const file = path.join(dir, `${slot}.pid`);
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      process.once('exit', () => {
        if (ownerOf(file) === process.pid) unlinkSync(file);
      });
      return slot;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = ownerOf(file);
      if (owner !== null && !alive(owner)) {
        // Left by a process that died without its exit handler: free it, then try this slot again.
        try {
          unlinkSync(file);
        } catch {
          // Another process freed it first.
        }
        slot -= 1;
      }
    }
  }
  throw new Error(`no free test slot in ${dir}: 999 live test processes?`);
}

/** This process's slot (1, 2, ...). */
export const WORKER_SLOT = claim();

/** A MariaDB database name made this process's own: `<name>_w<slot>`. */
export function slotted(name: string): string {
  return `${name}_w${WORKER_SLOT}`;
}
