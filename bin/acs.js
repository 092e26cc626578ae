#!/usr/bin/env node
'use strict';
// The command-line front door. Runs the compiled code in dist/ (built by `npm install`/`npm run build`).

// V8 flags some commands need at startup, where they can only be given on the command line; such a
// command is re-run with them (signals passed on, exit code passed back):
// - commands that run provision scripts load isolated-vm, which on Node 20+ needs V8 started without
//   Node's startup snapshot;
// - the simulator (and the benchmark, which runs it) makes short-lived garbage for thousands of HTTP
//   exchanges: a larger young generation cut its CPU per device by ~23% (measured, test/sim/profile-fan-out.ts).
const FLAGS = {
  lint: ['--no-node-snapshot'],
  start: ['--no-node-snapshot'],
  provision: ['--no-node-snapshot'],
  sim: ['--max-semi-space-size=64'],
  bench: ['--max-semi-space-size=64'],
};
const helpOnly = process.argv.includes('--help') || process.argv.includes('-h');
const missing = (FLAGS[process.argv[2]] ?? []).filter((flag) => !process.execArgv.includes(flag));
if (missing.length > 0 && !helpOnly) {
  const args = [...missing, ...process.execArgv, __filename, ...process.argv.slice(2)];
  const child = require('node:child_process').spawn(process.execPath, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} else {
  require('../dist/bin/acs.js');
}
