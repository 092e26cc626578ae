#!/usr/bin/env node
'use strict';
// The command-line front door. Runs the compiled code in dist/ (built by `npm install`/`npm run build`).

// Commands that run provision scripts load isolated-vm, which on Node 20+ needs V8 started without
// Node's startup snapshot; re-run them with that flag (signals passed on, exit code passed back).
const needsSandbox = ['lint', 'start', 'provision'];
const helpOnly = process.argv.includes('--help') || process.argv.includes('-h');
if (needsSandbox.includes(process.argv[2]) && !helpOnly && !process.execArgv.includes('--no-node-snapshot')) {
  const args = ['--no-node-snapshot', ...process.execArgv, __filename, ...process.argv.slice(2)];
  const child = require('node:child_process').spawn(process.execPath, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
} else {
  require('../dist/bin/acs.js');
}
