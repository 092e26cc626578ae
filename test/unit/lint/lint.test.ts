import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lint, provisionNames } from '../../../src/lint/cli';

describe('acs lint', function () {
  function dirs(presets: Record<string, string>, provisions: string[]): { presets: string; provisions: string } {
    const root = mkdtempSync(path.join(os.tmpdir(), 'acs-lint-'));
    const p = path.join(root, 'presets');
    const v = path.join(root, 'provisions');
    for (const d of [p, v]) mkdirSync(d);
    for (const [name, text] of Object.entries(presets)) writeFileSync(path.join(p, name), text);
    for (const name of provisions) writeFileSync(path.join(v, name), '');
    return { presets: p, provisions: v };
  }

  it('passes valid presets whose provisions exist and compile', async function () {
    const d = dirs({ 'wifi.yaml': 'events: ["0 BOOTSTRAP"]\nprovisions:\n  - [wifi, "HomeNet"]\n' }, ['wifi.js', 'index.d.ts']);
    const out = await lint(d.presets, d.provisions);
    assert.equal(out.ok, true, out.lines.join('\n'));
    assert.match(out.lines.at(-1) ?? '', /1 preset\(s\), 1 provision\(s\): 0 error\(s\), 0 warning\(s\)/);
  });

  it('names file and line of a provision that does not compile', async function () {
    const d = dirs({}, []);
    writeFileSync(path.join(d.provisions, 'broken.js'), 'const a = 1;\nlet = = 2;\n');
    writeFileSync(path.join(d.provisions, 'typed.ts'), 'const n: number = 1;\nconst s: string = ;\n');
    const out = await lint(d.presets, d.provisions);
    assert.equal(out.ok, false);
    assert.match(out.lines.join('\n'), /broken\.js:2:\d+: /);
    assert.match(out.lines.join('\n'), /typed\.ts:2:\d+: /);
  });

  it('names file and line of a bad precondition, a bad event and an unknown provision', async function () {
    const d = dirs({
      'bad.yaml': 'events: ["0 BOOTSTRAP", "99 NOPE"]\nprecondition: DeviceID.ProductClass = \nprovisions:\n  - [missing]\n',
    }, ['wifi.js']);
    const out = await lint(d.presets, d.provisions);
    assert.equal(out.ok, false);
    const text = out.lines.join('\n');
    assert.match(text, /bad\.yaml:1:\d+: .*99 NOPE/);
    assert.match(text, /bad\.yaml:2:\d+: /);
    assert.match(text, /bad\.yaml:4:\d+: .*missing/);
  });

  it('lists provisions by base name, .js and .ts, without type declarations', function () {
    const d = dirs({}, ['a.js', 'b.ts', 'index.d.ts', 'notes.md']);
    assert.deepEqual([...provisionNames(d.provisions)].sort(), ['a', 'b']);
  });
});
