import { strict as assert } from 'node:assert';
import { scriptFromText } from '../../../src/sandbox/load';
import type { RunResult } from '../../../src/sandbox/types';
import { sandboxSuite } from '../../helpers/sandbox-suite';

describe('sandbox: traced runs and returned values', function () {
  this.timeout(10_000);
  const { script, run } = sandboxSuite('t');
  const where = (r: RunResult): string[] => r.declarations.map((d) => `${d.path}@${d.line}:${d.column}`);

  describe('RunInput.trace', function () {
    const source = [
      "const now = Date.now();",
      "declare('Device.A', null, { value: 1 });",
      "function set(p) {",
      "  return declare(p, { value: now });",
      "}",
      "  set('Device.B');",
      "['Device.C', 'Device.D'].forEach((p) => declare(p));",
      "declare('DeviceID.SerialNumber', { value: 1 });",
    ].join('\n');

    it('gives each declaration the line and column of its declare() call', async function () {
      const r = await run(source, { trace: true });
      assert.equal(r.fault, undefined);
      assert.deepEqual(where(r), ['Device.A@2:1', 'Device.B@4:10', 'Device.C@7:41', 'Device.D@7:41']);
    });

    it('is off by default: declarations carry no line', async function () {
      const r = await run(source);
      assert.deepEqual(r.declarations.map((d) => Object.keys(d).sort()), Array(4).fill(['path', 'timestamps', 'values']));
    });

    it('maps TypeScript lines back to the .ts file', async function () {
      const ts = scriptFromText('typed.ts', [
        'interface Wifi {',
        '  ssid: string;',
        '}',
        'const w: Wifi = { ssid: args[0] as string };',
        '',
        '',
        "    declare('Device.WiFi.SSID.1.SSID', null, { value: w.ssid } as const);",
        'type Unused = number;',
        "declare('Device.WiFi.SSID.2.SSID', null, { value: 'b' });",
      ].join('\n'));
      assert.equal(ts.fault, undefined);
      const r = await run(ts, { trace: true, args: ['a'] });
      assert.deepEqual(where(r), ['Device.WiFi.SSID.1.SSID@7:5', 'Device.WiFi.SSID.2.SSID@9:1']);
    });

    it('keeps the lines of what was declared before a stop or a fault', async function () {
      const stopped = await run("declare('Device.A');\next('f');\ndeclare('Device.B');", { trace: true });
      assert.equal(stopped.stop, 'ext');
      assert.deepEqual(where(stopped), ['Device.A@1:1']);
      const faulted = await run("declare('Device.A');\n\nnull.x;", { trace: true });
      assert.equal(faulted.fault?.line, 3);
      assert.deepEqual(where(faulted), ['Device.A@1:1']);
    });
  });

  describe('RunResult.returned', function () {
    it('is a copy of the JSON data the script returns', async function () {
      const r = await run("declare('Device.A');\nreturn { value: ['x', 'xsd:string'], writable: false, skipped: undefined, n: null };");
      assert.equal(r.fault, undefined);
      assert.deepEqual(r.returned, { value: ['x', 'xsd:string'], writable: false, n: null });
      assert.equal(r.declarations.length, 1);
      for (const [body, value] of [['return 5', 5], ["return 'a'", 'a'], ['return null', null], ['return [true, 1.5]', [true, 1.5]], ['return Object.create(null)', {}]] as const) {
        assert.deepEqual((await run(body)).returned, value, body);
      }
    });

    it('is undefined when the script returns nothing, stops early or faults', async function () {
      for (const body of ['declare("Device.A")', 'return', 'return undefined', 'ext("f"); return 1', "throw new Error('x')"]) {
        const r = await run(body);
        assert.equal(r.returned, undefined, body);
        assert.ok(!('returned' in r), body);
      }
    });

    it('anything that is not JSON data is a script.error naming where it is', async function () {
      const cases: [string, RegExp][] = [
        ['return () => 1', /returned is a function/],
        ['return [1, undefined]', /returned\[1\] is undefined/],
        ['return { value: [NaN] }', /returned\.value\[0\] is NaN/],
        ['return { at: new Date() }', /returned\.at is an object that is not a plain object/],
        ['const a = { b: {} }; a.b.a = a; return a', /returned\.b\.a is a cycle/],
        ['return 1n', /returned is a bigint/],
        ['return Symbol()', /returned is a symbol/],
        ['return new Map()', /not a plain object/],
      ];
      for (const [body, message] of cases) {
        const r = await run(body);
        assert.equal(r.fault?.code, 'script.error', body);
        assert.match(r.fault.message, /not JSON data/, body);
        assert.match(r.fault.message, message, body);
        assert.equal(r.returned, undefined, body);
      }
    });

    it('a "__proto__" key is returned as a key', async function () {
      const r = await run('return JSON.parse(\'{"__proto__": {"a": 1}, "b": 2}\');');
      assert.equal(r.fault, undefined);
      assert.equal(JSON.stringify(r.returned), '{"__proto__":{"a":1},"b":2}');
    });

    it('a shared (not cyclic) object is fine, and getters run once', async function () {
      const r = await run("const s = { a: 1 }; let n = 0; return { x: s, y: s, get z() { return ++n; } };");
      assert.deepEqual(r.returned, { x: { a: 1 }, y: { a: 1 }, z: 1 });
    });
  });
});
