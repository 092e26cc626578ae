#!/usr/bin/env node
'use strict';
// The command-line front door. Runs the compiled code in dist/ (built by `npm install`/`npm run build`).
require('../dist/bin/acs.js');
