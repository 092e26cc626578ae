import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Root hooks: an unhandled rejection anywhere fails the run instead of scrolling past.
process.on('unhandledRejection', (reason) => {
  throw reason instanceof Error ? reason : new Error(`unhandledRejection: ${String(reason)}`);
});

// Test slots (test/helpers/worker-slot.ts) are shared by every test process of the machine: their folder is
// chosen before TMPDIR moves, and handed down to mocha's parallel workers.
process.env.ACS_TEST_SLOT_DIR ??= path.join(tmpdir(), 'acs-test-slots');

// Every temporary folder the tests (and the processes they start) make goes under one folder of this run,
// removed when the run ends: os.tmpdir() follows TMPDIR.
const runDir = mkdtempSync(path.join(tmpdir(), 'acs-test-run-'));
process.env.TMPDIR = runDir;
process.once('exit', () => rmSync(runDir, { recursive: true, force: true }));
