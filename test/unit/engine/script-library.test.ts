import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ScriptLibrary } from '../../../src/engine/script-library';

describe('engine: provision scripts reloaded without a restart', function () {
  let dir: string;
  let errors: string[];
  let lib: ScriptLibrary;
  // A file's mtime moves with each write here; touch it forward so a same-millisecond rewrite is seen too.
  let tick = Date.now() / 1000;
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    tick += 5;
    utimesSync(file, tick, tick);
  };

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'acs-lib-'));
    errors = [];
    lib = new ScriptLibrary(dir, { pollMs: 0, onError: (m) => errors.push(m) });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('picks up a new and a changed script', async () => {
    assert.equal(await lib.get('wifi'), undefined);
    write('wifi.js', "log('v1');\n");
    assert.match((await lib.get('wifi'))?.source ?? '', /v1/);
    write('wifi.js', "log('v2');\n");
    assert.match((await lib.get('wifi'))?.source ?? '', /v2/);
  });

  it('keeps the last good version of a script whose new version does not compile, and says so once with file and line', async () => {
    write('wifi.js', "log('good');\n");
    assert.match((await lib.get('wifi'))?.source ?? '', /good/);
    write('wifi.js', "log('bad';\n\n");
    const kept = await lib.get('wifi');
    assert.match(kept?.source ?? '', /good/);
    assert.equal(kept?.fault, undefined);
    await lib.refresh(true);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /wifi\.js:1:\d+: script\.syntax/);
  });

  it('a script that never compiled runs as its fault; a deleted script is gone', async () => {
    write('broken.ts', 'const x: = 1;\n');
    assert.equal((await lib.get('broken'))?.fault?.code, 'script.syntax');
    rmSync(path.join(dir, 'broken.ts'));
    assert.equal(await lib.get('broken'), undefined);
  });
});
