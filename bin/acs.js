#!/usr/bin/env node
'use strict';
// The command-line front door. Runs the compiled code in dist/ (built by `npm install`/`npm run build`).

// Commands that run provision scripts load isolated-vm, which on Node 20+ needs V8 started without
// Node's startup snapshot; re-run them with that flag.
const needsSandbox = ['lint'];
if (needsSandbox.includes(process.argv[2]) && !process.execArgv.includes('--no-node-snapshot')) {
  const args = ['--no-node-snapshot', ...process.execArgv, __filename, ...process.argv.slice(2)];
  const run = require('node:child_process').spawnSync(process.execPath, args, { stdio: 'inherit' });
  process.exit(run.status ?? 1);
}
require('../dist/bin/acs.js');
