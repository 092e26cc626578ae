/**
 * Issue 8, sections 4 and 7: declared paths are checked before any RPC (the
 * fault names the declare() line), `args` is read-only, and a provision that
 * does not compile is reported at its own line, by the engine (channel fault)
 * and by `acs lint` alike.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runProvisions } from '../../../src/engine/run-provisions';
import { ScriptLibrary } from '../../../src/engine/script-library';
import type { ExtensionHost } from '../../../src/engine/ext';
import { lint } from '../../../src/lint/cli';
import type { Preset } from '../../../src/presets/types';
import { scriptFromText, checkSyntax } from '../../../src/sandbox/load';
import type { RunResult } from '../../../src/sandbox/types';
import { sandboxSuite } from '../../helpers/sandbox-suite';
import { runInput, sampleView } from './helpers';

describe('issue 8: declared paths, read-only args, compile error lines', function () {
  this.timeout(20_000);
  const sandbox = sandboxSuite('i8-');
  const { script } = sandbox;

  describe('declared paths are checked in the sandbox (before any RPC)', function () {
    const declaring = (pathExpr: string, how = 'declare') => `log('first');\nconst p = ${pathExpr};\n${how}(p, { value: 1 });\n`;
    const cases: Record<string, string> = {
      'a NUL byte': `'Device.DeviceInfo.X\\u0000Name'`,
      'a newline': `'Device.DeviceInfo.\\nName'`,
      'DEL': `'Device.DeviceInfo.Na\\u007fme'`,
      'a 10 KB name': `'Device.' + 'A'.repeat(10240)`,
      'a 257-character path': `'Device.' + 'B'.repeat(250)`,
      'an empty segment': `'Device..DeviceInfo'`,
      'an empty first segment': `'.Device.DeviceInfo'`,
    };
    for (const [what, expr] of Object.entries(cases)) {
      it(`${what}: a script.error at the declare() line, nothing declared`, async function () {
        const r = await sandbox.pool.run(script(declaring(expr)), runInput());
        assert.equal(r.fault?.code, 'script.error', JSON.stringify(r.fault));
        assert.equal(r.fault?.line, 3, JSON.stringify(r.fault));
        assert.match(r.fault?.message ?? '', /^TypeError: declare\(\): /);
        assert.deepEqual(r.declarations, []);
      });
    }

    it('the message names the control character and stays short for a 10 KB path', async function () {
      const nul = await sandbox.pool.run(script(declaring(cases['a NUL byte'])), runInput());
      assert.match(nul.fault?.message ?? '', /control character U\+0000 at index 19/);
      const long = await sandbox.pool.run(script(declaring(cases['a 10 KB name'])), runInput());
      assert.match(long.fault?.message ?? '', /path of 10247 characters, more than 256/);
      assert.ok((long.fault?.message.length ?? 0) < 200, long.fault?.message);
    });

    it('clear() is checked the same way', async function () {
      const r = await sandbox.pool.run(script(`log(1);\n\nclear('Device.X\\u0001', Date.now());\n`), runInput());
      assert.deepEqual([r.fault?.code, r.fault?.line], ['script.error', 3]);
    });

    it('exactly 256 characters, and alias filters counted as one instance number, are accepted', async function () {
      const source = `declare('Device.' + 'C'.repeat(249), null, { value: 1 });\ndeclare('Device.IP.Interface.[Name:${'w'.repeat(300)}].Enable', { value: 1 });\n`;
      const r = await sandbox.pool.run(script(source), runInput());
      assert.equal(r.fault, undefined, JSON.stringify(r.fault));
      assert.equal(r.declarations[0].path.length, 256);
      assert.equal(r.declarations.length, 2);
    });

    it('the engine turns it into a channel fault with the script line', async function () {
      const dir = mkdtempSync(path.join(tmpdir(), 'acs-i8-'));
      try {
        writeFileSync(path.join(dir, 'nul.js'), `declare('Device.DeviceInfo.UpTime', { value: 1 });\ndeclare('Device.X\\u0000', null, { value: 'x' });\n`);
        const out = await runProvisions(deps(dir), [preset('p', 'nul')], base(), sampleView(), {});
        const f = out.faults.get('ch');
        assert.deepEqual([f?.code, f?.script, f?.line], ['script.error', 'nul.js', 2], JSON.stringify(f));
        assert.deepEqual(out.declarations, [], 'nothing of the faulted channel is planned');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('args is read-only', function () {
    const args = ['a', { nested: { deep: 1 } }, [1, 2]];
    const cases: Record<string, string> = {
      'assigning an element': 'args[0] = "changed";',
      'pushing': 'args.push(4);',
      'a nested object': 'args[1].nested.deep = 2;',
      'a nested array': 'args[2][0] = 9;',
      'adding a property': 'args[1].extra = true;',
    };
    for (const [what, statement] of Object.entries(cases)) {
      it(`${what}: a TypeError at its line (scripts are strict)`, async function () {
        const r = await sandbox.pool.run(script(`log(args[0]);\n${statement}\n`), runInput({ args }));
        assert.equal(r.fault?.code, 'script.error', JSON.stringify(r));
        assert.match(r.fault?.message ?? '', /^TypeError: /);
        assert.equal(r.fault?.line, 2);
      });
    }

    it('a change caught by the script does not reach the next run, nor the host\'s args', async function () {
      const s = script(`try { args[1].nested.deep = 2; } catch (e) {}\nlog(JSON.stringify(args));\n`);
      const first: RunResult = await sandbox.pool.run(s, runInput({ args }));
      const second: RunResult = await sandbox.pool.run(s, runInput({ args }));
      assert.deepEqual(first.logs, ['["a",{"nested":{"deep":1}},[1,2]]']);
      assert.deepEqual(second.logs, first.logs);
      assert.deepEqual(args, ['a', { nested: { deep: 1 } }, [1, 2]]);
      assert.equal(Object.isFrozen(args), false, 'the host\'s array is not frozen');
    });

    it('without args, args is an empty frozen array', async function () {
      const r = await sandbox.pool.run(script('args.push(1);\n'), runInput());
      assert.match(r.fault?.message ?? '', /^TypeError: /);
    });
  });

  describe('a provision that does not compile is reported at its own line', function () {
    // 5-line files, the error on line 3.
    const FILES: Record<string, { text: string; line: number; column?: number; message: RegExp }> = {
      'open-brace.js': { text: 'log(1);\nlog(2);\nif (x) {\nlog(4);\nlog(5);\n', line: 3, column: 8, message: /"\{" is never closed/ },
      'open-brace.ts': { text: 'const a: number = 1;\nlog(a);\nif (a) {\nlog(4);\nlog(5);\n', line: 3, column: 8, message: /"\{" is never closed/ },
      'open-paren.js': { text: 'log(1);\nlog(2);\nlog((3);\nlog(4);\nlog(5);', line: 3, message: /./ },
      'template.js': { text: 'log(1);\nlog(2);\nconst t = `x${1}\nlog(4);\nlog(5);\n', line: 3, column: 11, message: /template literal is never closed/ },
      'comment.js': { text: 'log(1);\nlog(2);\n/* open\nlog(4);\nlog(5);\n', line: 3, message: /./ },
      'extra-brace.js': { text: 'log(1);\nlog(2);\nreturn; }\nlog(4);\nlog(5);\n', line: 3, column: 9, message: /"\}" closes nothing/ },
      'extra-brace.ts': { text: 'const a: number = 1;\nlog(a);\nreturn; }\nlog(4);\nlog(5);\n', line: 3, column: 9, message: /closes nothing|Unexpected "\}"/ },
      'escape.js': { text: 'log(1);\nlog(2);\nlog(3) }); (function () {\nlog(4);\nlog(5);\n', line: 3, column: 8, message: /"\}" closes nothing/ },
      'strict.js': { text: 'log(1);\nlog(2);\nwith (x) {}\nlog(4);\nlog(5);\n', line: 3, column: 1, message: /with statement/ },
      'strict.ts': { text: 'const a: number = 1;\nlog(a);\nwith (x) {}\nlog(4);\nlog(5);\n', line: 3, column: 1, message: /with statement/ },
      'regex-brace.js': { text: 'const r = /[{(]/;\nlog(r);\nif (r) {\nlog("}");\nlog(5);\n', line: 3, column: 8, message: /"\{" is never closed/ },
    };

    for (const [name, want] of Object.entries(FILES)) {
      it(`${name}: line ${want.line}`, async function () {
        const s = scriptFromText(name, want.text);
        if (!s.fault) await checkSyntax([s]);
        assert.equal(s.fault?.code, 'script.syntax', JSON.stringify(s));
        assert.equal(s.fault?.line, want.line, JSON.stringify(s.fault));
        if (want.column !== undefined) assert.equal(s.fault?.column, want.column, JSON.stringify(s.fault));
        assert.match(s.fault?.message ?? '', want.message);
      });
    }

    it('the engine\'s channel fault and acs lint name the same line', async function () {
      const dir = mkdtempSync(path.join(tmpdir(), 'acs-i8-'));
      const presets = mkdtempSync(path.join(tmpdir(), 'acs-i8-presets-'));
      try {
        writeFileSync(path.join(dir, 'broken.js'), FILES['open-brace.js'].text);
        writeFileSync(path.join(dir, 'typed.ts'), FILES['open-brace.ts'].text);
        writeFileSync(path.join(presets, 'p.yaml'), 'channel: ch\nprovisions:\n  - broken\n  - typed\n');
        for (const id of ['broken', 'typed']) {
          const out = await runProvisions(deps(dir), [preset('p', id)], base(), sampleView(), {});
          const f = out.faults.get('ch');
          assert.deepEqual([f?.code, f?.line, f?.column], ['script.syntax', 3, 8], JSON.stringify(f));
        }
        const report = await lint(presets, dir, { dataModelDirs: [] });
        const lines = report.lines.filter((l) => l.includes('never closed'));
        assert.equal(lines.length, 2, report.lines.join('\n'));
        assert.ok(lines.some((l) => l.endsWith(`${path.join(path.relative(process.cwd(), dir), 'broken.js')}:3:8: "{" is never closed`)), lines.join('\n'));
        assert.ok(lines.some((l) => /typed\.ts:3:8: "\{" is never closed$/.test(l)), lines.join('\n'));
      } finally {
        rmSync(dir, { recursive: true, force: true });
        rmSync(presets, { recursive: true, force: true });
      }
    });
  });

  describe('RunGate: the engine bounds faulting runs', function () {
    it('a refused run does not execute: a script.budget fault, no logs', async function () {
      const r = await sandbox.pool.run(script('log("ran");\n'), runInput(), { admit: () => false, faulted: () => assert.fail('charged') });
      assert.equal(r.fault?.code, 'script.budget');
      assert.deepEqual(r.logs, []);
    });

    it('a faulting run is charged its time, a good run nothing', async function () {
      const charged: number[] = [];
      const gate = { admit: () => true, faulted: (ms: number) => charged.push(ms) };
      assert.equal((await sandbox.pool.run(script('log(1);\n'), runInput(), gate)).fault, undefined);
      assert.deepEqual(charged, []);
      const r = await sandbox.pool.run(script('while (true) {}\n'), runInput(), gate);
      assert.equal(r.fault?.code, 'script.timeout');
      assert.equal(charged.length, 1);
      assert.ok(charged[0] >= 45, `charged ${charged[0]} ms for a run cut at 50 ms`);
    });

    it('admit is asked when the run starts, after the isolate is ready, not when it is queued', async function () {
      let open = false;
      const s = script('log("ran");\n');
      // A fresh script on a busy pool: compiling comes first, and the gate opens meanwhile.
      const pending = sandbox.pool.run(s, runInput(), { admit: () => open, faulted: () => undefined });
      open = true;
      assert.deepEqual((await pending).logs, ['ran']);
    });
  });

  function deps(dir: string) {
    // No script here calls ext(): the stand-in fails the test if one does.
    const ext = { call: async () => assert.fail('ext() called') } as unknown as ExtensionHost;
    return { pool: sandbox.pool, scripts: new ScriptLibrary(dir), ext };
  }
});

function preset(name: string, provision: string): Preset {
  return {
    name, file: `${name}.yaml`, events: { all: [], none: [] }, precondition: null, preconditionSource: null, weight: 0, channel: 'ch',
    provisions: [{ name: provision, args: [] }],
  };
}

function base() {
  const { deviceKey, deviceId, events, now } = runInput();
  return { deviceKey, deviceId, events, now };
}
