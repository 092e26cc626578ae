import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadProvisions, scriptFromText, type LoadedScript } from '../../../src/sandbox/load';
import { SandboxPool } from '../../../src/sandbox/pool';
import { SourceMapLines } from '../../../src/sandbox/source-map';
import { runInput } from './helpers';

const FILES: Record<string, string> = {
  'index.d.ts': 'declare function declare(path: string): unknown;\n',
  'notes.txt': 'not a script',
  'plain.js': `const now = Date.now();\ndeclare('Device.DeviceInfo.SoftwareVersion', { value: now });\nlog('plain', args[0]);\n`,
  'typed.ts': [
    '/// <reference path="./index.d.ts" />',
    'interface Wanted {',
    '  interval: number;',
    '}',
    'const wanted: Wanted = { interval: (args[0] as number) ?? 300 };',
    '',
    'declare("Device.ManagementServer.PeriodicInformInterval", null, { value: wanted.interval });',
    'if (wanted.interval < 0) {',
    '  const msg: string = "negative";',
    '  throw new Error(msg);',
    '}',
    'export {};',
  ].join('\n'),
  'bad-syntax.ts': 'const a: number = 1;\nconst b = ;\n',
  'imports.ts': 'type X = number;\nconst y: X = 1;\nimport { z } from "./other";\nlog(y, z);\n',
  'broken.js': 'log(1);\nlog(2);\nif (x {\n',
  'escape.js': 'log(1); }); (function () {\n',
};

describe('sandbox: loading provisions', function () {
  this.timeout(10_000);
  let dir: string;
  let scripts: Map<string, LoadedScript>;

  before(async function () {
    dir = await mkdtemp(path.join(tmpdir(), 'acs-provisions-'));
    for (const [name, text] of Object.entries(FILES)) await writeFile(path.join(dir, name), text);
    scripts = new Map((await loadProvisions(dir)).map((s) => [s.name, s]));
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it('loads every .js and .ts file (not .d.ts), named by file name without extension', function () {
    assert.deepEqual([...scripts.keys()].sort(), ['bad-syntax.ts', 'broken.js', 'escape.js', 'imports.ts', 'plain.js', 'typed.ts']);
    assert.equal(scripts.get('typed.ts')?.id, 'typed');
    assert.equal(scripts.get('plain.js')?.fault, undefined);
    assert.equal(scripts.get('typed.ts')?.fault, undefined);
  });

  it('reports syntax errors at the line of the operator file: esbuild for .ts, V8 for .js', function () {
    const ts = scripts.get('bad-syntax.ts')?.fault;
    assert.deepEqual([ts?.code, ts?.script, ts?.line, ts?.column], ['script.syntax', 'bad-syntax.ts', 2, 11]);
    const js = scripts.get('broken.js')?.fault;
    assert.deepEqual([js?.code, js?.script, js?.line], ['script.syntax', 'broken.js', 3]);
    assert.match(js?.message ?? '', /Unexpected token/);
  });

  it('an import left in TypeScript is a syntax fault mapped back to its .ts line', function () {
    const f = scripts.get('imports.ts')?.fault;
    assert.deepEqual([f?.code, f?.line], ['script.syntax', 3]);
    assert.match(f?.message ?? '', /import/);
  });

  it('a file that closes the wrapper is refused', function () {
    assert.equal(scripts.get('escape.js')?.fault?.code, 'script.syntax');
  });

  it('runs loaded scripts; runtime errors in TypeScript point at the .ts line', async function () {
    const pool = new SandboxPool({ size: 1 });
    try {
      const typed = scripts.get('typed.ts')!;
      const good = await pool.run(typed, runInput({ args: [60] }));
      assert.equal(good.fault, undefined);
      assert.deepEqual(good.declarations[0].values, { value: [60] });
      const bad = await pool.run(typed, runInput({ args: [-1] }));
      assert.deepEqual([bad.fault?.code, bad.fault?.script, bad.fault?.line, bad.fault?.message], ['script.error', 'typed.ts', 10, 'Error: negative']);
      const broken = await pool.run(scripts.get('broken.js')!, runInput());
      assert.equal(broken.fault?.code, 'script.syntax', 'a faulted script runs to its fault');
      const plain = await pool.run(scripts.get('plain.js')!, runInput({ args: ['x'] }));
      assert.deepEqual(plain.logs, ['plain x']);
    } finally {
      await pool.close();
    }
  });

  it('refuses files over the size limit', function () {
    const s = scriptFromText('big.js', 'x'.repeat(100), 'big.js', 10);
    assert.equal(s.fault?.code, 'script.limit');
  });

  it('refuses two files for one provision name', async function () {
    const twin = await mkdtemp(path.join(tmpdir(), 'acs-provisions-'));
    try {
      await writeFile(path.join(twin, 'wifi.js'), 'log(1)');
      await writeFile(path.join(twin, 'wifi.ts'), 'log(2)');
      const loaded = await loadProvisions(twin);
      assert.equal(loaded.filter((s) => s.fault).length, 1);
      assert.match(loaded.find((s) => s.fault)?.fault?.message ?? '', /both define provision "wifi"/);
    } finally {
      await rm(twin, { recursive: true, force: true });
    }
  });
});

describe('sandbox: source maps', function () {
  it('decodes VLQ mappings and maps generated positions to the original', function () {
    // Line 1: col 0 -> (0,0); line 2: col 0 -> (2,0), col 6 -> (2,4); line 3: nothing.
    const map = SourceMapLines.parse(JSON.stringify({ version: 3, sources: ['x.ts'], mappings: 'AAAA;AAEA,MAAI;' }));
    assert.deepEqual(map.original(1, 1), { line: 1, column: 1 });
    assert.deepEqual(map.original(2, 3), { line: 3, column: 1 });
    assert.deepEqual(map.original(2, 9), { line: 3, column: 5 });
    assert.equal(map.original(3, 1), null);
  });
});
