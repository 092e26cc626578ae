import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluate } from '../../../src/presets/expression';
import { loadPresetsDir, parsePreset } from '../../../src/presets/load';
import type { ParseOptions } from '../../../src/presets/load';
import { lookupFrom } from '../../../src/presets/lookup';
import { formatPresetError } from '../../../src/presets/types';
import type { Preset, PresetError } from '../../../src/presets/types';

const FIXTURES = path.resolve(__dirname, '../../fixtures/presets/dir');

function ok(text: string, options?: ParseOptions): Preset {
  const r = parsePreset('presets/p.yaml', text, options);
  if (!r.ok) assert.fail(r.errors.map(formatPresetError).join('\n'));
  return r.preset;
}

function errors(text: string, options?: ParseOptions): PresetError[] {
  const r = parsePreset('presets/p.yaml', text, options);
  if (r.ok) assert.fail('parsed');
  return r.errors;
}

/** The one error of `text`: its line, column and message. */
function oneError(text: string, options?: ParseOptions): { line: number; column?: number; message: string } {
  const es = errors(text, options);
  assert.equal(es.length, 1, es.map(formatPresetError).join('\n'));
  assert.equal(es[0].file, 'presets/p.yaml');
  return { line: es[0].line, column: es[0].column, message: es[0].message };
}

/** 1-based column of `needle` on line `line` of `text`. */
function colOf(text: string, line: number, needle: string): number {
  const idx = text.split('\n')[line - 1].indexOf(needle);
  assert.ok(idx >= 0, `${needle} not on line ${line}`);
  return idx + 1;
}

describe('presets: load', function () {
  it('reads the example: presets/wifi.yaml runs provisions/wifi.js with ["HomeNet", "s3cret"]', function () {
    const { presets, errors: errs } = loadPresetsDir(FIXTURES);
    const wifi = presets.find((p) => p.name === 'wifi');
    assert.ok(wifi, errs.map(formatPresetError).join('\n'));
    assert.equal(wifi.file, path.join(FIXTURES, 'wifi.yaml'));
    assert.deepEqual(wifi.events, { all: ['0 BOOTSTRAP', '1 BOOT'], none: [] });
    assert.equal(wifi.weight, 10);
    assert.equal(wifi.channel, 'wifi');
    assert.equal(wifi.schedule, undefined);
    assert.deepEqual(wifi.provisions, [{ name: 'wifi', args: ['HomeNet', 's3cret'] }]);
    assert.equal(wifi.preconditionSource, 'DeviceID.ProductClass = "XX230v"');
    assert.ok(wifi.precondition);
    const id = { Manufacturer: 'ACME', OUI: '00AABB', ProductClass: 'XX230v', SerialNumber: '1' };
    assert.equal(evaluate(wifi.precondition, lookupFrom({ deviceId: id })), true);
    assert.equal(evaluate(wifi.precondition, lookupFrom({ deviceId: { ...id, ProductClass: 'YY' } })), false);
  });

  it('loads a directory: *.yaml and *.yml, sorted by weight then name, with the failures reported by file and line', function () {
    const { presets, errors: errs } = loadPresetsDir(FIXTURES);
    assert.deepEqual(
      presets.map((p) => [p.name, p.weight]),
      [
        ['defaults', -5],
        ['tagged', 0],
        ['wifi', 10],
        ['firmware', 20],
      ],
    );
    const firmware = presets.find((p) => p.name === 'firmware');
    assert.deepEqual(firmware?.events, { all: [], none: ['2 PERIODIC'] });
    assert.deepEqual(firmware?.schedule, { cron: '0 2 * * *', durationS: 7200 });
    assert.deepEqual(firmware?.provisions, [{ name: 'firmware', args: ['XX230v-1.2.0.bin', 300, true] }]);
    const defaults = presets.find((p) => p.name === 'defaults');
    assert.equal(defaults?.channel, 'default');
    assert.deepEqual(defaults?.provisions, [
      { name: 'refresh', args: [] },
      { name: 'inform-interval', args: [3600] },
    ]);
    assert.equal(errs.length, 1);
    assert.equal(errs[0].file, path.join(FIXTURES, 'broken.yaml'));
    assert.equal(errs[0].line, 4);
    assert.equal(errs[0].column, 43, 'just after the "<>" left without a right side');
    assert.match(errs[0].message, /^precondition: expected a parameter path or a value, found end of expression/);
    assert.match(formatPresetError(errs[0]), /broken\.yaml:4:43: precondition: /);
  });

  it('rejects an unknown provision when the known ones are given', function () {
    const known = new Set(['wifi', 'firmware', 'refresh', 'inform-interval']);
    const { presets, errors: errs } = loadPresetsDir(FIXTURES, known);
    assert.deepEqual(presets.map((p) => p.name).sort(), ['defaults', 'firmware', 'wifi']);
    const tagged = errs.find((e) => e.file.endsWith('tagged.yaml'));
    assert.deepEqual(tagged && { line: tagged.line, column: tagged.column, message: tagged.message }, {
      line: 3,
      column: 6,
      message: "unknown provision 'nope' (no provisions/nope.js)",
    });
  });

  it('reports a missing directory instead of throwing', function () {
    const r = loadPresetsDir(path.join(FIXTURES, 'no-such-dir'));
    assert.deepEqual(r.presets, []);
    assert.equal(r.errors.length, 1);
    assert.equal(r.errors[0].line, 0);
    assert.match(r.errors[0].message, /cannot read the presets directory: ENOENT/);
  });

  it('reports two files with the same base name (the first in name order wins)', function () {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'presets-dup-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.yaml'), 'weight: 1\n');
      fs.writeFileSync(path.join(dir, 'a.yml'), 'weight: 2\n');
      const r = loadPresetsDir(dir);
      assert.deepEqual(r.presets.map((p) => [p.name, p.weight]), [['a', 1]]);
      assert.deepEqual(r.errors.map(formatPresetError), [`${path.join(dir, 'a.yml')}: preset 'a' is already defined by ${path.join(dir, 'a.yaml')}`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('defaults and accepted forms', function () {
    it('every key is optional', function () {
      const p = ok('{}');
      assert.equal(p.name, 'p');
      assert.deepEqual(p.events, { all: [], none: [] });
      assert.equal(p.precondition, null);
      assert.equal(p.weight, 0);
      assert.equal(p.channel, 'default');
      assert.deepEqual(p.provisions, []);
    });

    it('negated events, vendor and method events', function () {
      const p = ok('events: ["1 BOOT", "-2 PERIODIC", "M Reboot", "M X_ACME_Reset", "X 00AABB Tamper", "-4 VALUE CHANGE"]\n');
      assert.deepEqual(p.events, { all: ['1 BOOT', 'M Reboot', 'M X_ACME_Reset', 'X 00AABB Tamper'], none: ['2 PERIODIC', '4 VALUE CHANGE'] });
    });

    it('block-style lists, plain-string provisions, durations in units', function () {
      const p = ok(
        [
          'events:',
          '  - 1 BOOT',
          '  - -2 PERIODIC',
          'schedule: { cron: "*/30 1-5 * * MON-FRI", duration: 1h30m }',
          'provisions:',
          '  - refresh',
          '  - - wifi',
          '    - HomeNet',
          '    - 42',
          '    - false',
        ].join('\n'),
      );
      assert.deepEqual(p.events, { all: ['1 BOOT'], none: ['2 PERIODIC'] });
      assert.deepEqual(p.schedule, { cron: '*/30 1-5 * * MON-FRI', durationS: 5400 });
      assert.deepEqual(p.provisions, [
        { name: 'refresh', args: [] },
        { name: 'wifi', args: ['HomeNet', 42, false] },
      ]);
      assert.equal(ok('schedule: { cron: "@daily", duration: 600 }').schedule?.durationS, 600);
      assert.equal(ok('schedule: { cron: "@daily", duration: 1d }').schedule?.durationS, 86400);
    });

    it('an empty or null precondition means none', function () {
      assert.equal(ok('precondition:').precondition, null);
      assert.equal(ok('precondition: ""').precondition, null);
      assert.ok(ok('precondition: true').precondition);
    });

    it('single-quoted YAML keeps double-quoted expression strings readable', function () {
      const p = ok(`precondition: 'DeviceID.ProductClass = "XX230v" AND Tags.lab'\n`);
      assert.equal(p.preconditionSource, 'DeviceID.ProductClass = "XX230v" AND Tags.lab');
    });
  });

  describe('errors name the file, line and column', function () {
    it('YAML syntax', function () {
      const e = oneError('events: ["1 BOOT"\nweight: 1\n');
      assert.equal(e.line, 2);
      assert.match(e.message, /^YAML: /);
      assert.equal(oneError('weight: 1\nweight: 2\n').line, 2, 'duplicate key');
      assert.match(oneError('weight: 1\n---\nweight: 2\n').message, /multiple documents/);
      const tag = oneError('events:\n  - !2 PERIODIC\n');
      assert.equal(tag.line, 2);
      assert.match(tag.message, /-2 PERIODIC/);
    });

    it('not a mapping / empty', function () {
      assert.deepEqual(oneError(''), { line: 1, column: undefined, message: 'empty preset: expected a mapping (events, precondition, provisions, ...)' });
      assert.match(oneError('# nothing\n').message, /empty preset/);
      assert.match(oneError('- wifi\n').message, /must be a mapping.*found a list/);
    });

    it('unknown keys, with hints', function () {
      const text = 'weight: 1\nwieght: 2\nname: x\nprovision: []\n';
      const es = errors(text);
      assert.deepEqual(
        es.map((e) => [e.line, e.column, e.message]),
        [
          [2, 1, "unknown key 'wieght' (expected events, precondition, schedule, weight, channel, provisions)"],
          [3, 1, "unknown key 'name' (a preset's name is its file's base name)"],
          [4, 1, "unknown key 'provision': did you mean 'provisions'?"],
        ],
      );
    });

    it('wrong types', function () {
      assert.deepEqual(oneError('weight: heavy\n'), { line: 1, column: 9, message: 'weight must be a number, found the string "heavy"' });
      assert.deepEqual(oneError('\nchannel: [a]\n'), { line: 2, column: 10, message: 'channel must be a non-empty string, found a list' });
      assert.match(oneError(`channel: ${'c'.repeat(256)}\n`).message, /channel must be at most 255 characters, found 256/);
      assert.match(oneError('events: "1 BOOT"\n').message, /events must be a list/);
      assert.match(oneError('precondition: [a]\n').message, /precondition must be an expression string, found a list/);
      assert.match(oneError('precondition: 42\n').message, /precondition must be an expression string, found number 42/);
      assert.match(oneError('schedule: "0 2 * * *"\n').message, /schedule must be a mapping/);
      assert.match(oneError('provisions: wifi\n').message, /provisions must be a list/);
    });

    it('bad event codes', function () {
      const text = 'events:\n  - 1 BOOT\n  - 2 periodic\n  - "!2 PERIODIC"\n  - M Reboots\n  - X 00aabb Foo\n  - -1 BOOT\n  - 99 LATER\n';
      assert.deepEqual(
        errors(text).map((e) => [e.line, e.column, e.message]),
        [
          [3, 5, "unknown event code '2 periodic': did you mean '2 PERIODIC'?"],
          [4, 5, 'write "-2 PERIODIC" to exclude an event ("!" is not used: unquoted, it starts a YAML tag)'],
          [5, 5, "unknown method event 'M Reboots' (expected M Reboot, M ScheduleInform, M Download, M ScheduleDownload, M Upload, M ChangeDUState or M X_<vendor method>)"],
          [6, 5, "vendor event 'X 00aabb Foo' must be 'X <OUI> <event>' with a 6-hex-digit upper-case OUI"],
          [7, 5, "event '1 BOOT' is both required and excluded"],
          [8, 5, "unknown event code '99 LATER' (expected e.g. '0 BOOTSTRAP', '1 BOOT', '2 PERIODIC', 'M Reboot', 'X <OUI> <event>')"],
        ],
      );
    });

    it('bad precondition: the expression column mapped to the file', function () {
      const plain = 'events: ["1 BOOT"]\nprecondition: DeviceID.ProductClass = "XX230v" AND Device.X >< 3\n';
      assert.deepEqual(oneError(plain), {
        line: 2,
        column: colOf(plain, 2, '< 3'),
        message: "precondition: expected a parameter path or a value, found '<'",
      });

      const literal = 'precondition: |\n  DeviceID.ProductClass = "XX230v"\n  AND Devce.DeviceInfo.SoftwareVersion < "1.2"\n';
      const e1 = oneError(literal);
      assert.deepEqual([e1.line, e1.column], [3, colOf(literal, 3, 'Devce')]);
      assert.match(e1.message, /unknown path root 'Devce'/);

      const folded = 'precondition: >-\n  DeviceID.ProductClass = "XX230v"\n  AND\n  Device.A.B == 1\n';
      const e2 = oneError(folded);
      assert.deepEqual([e2.line, e2.column], [4, colOf(folded, 4, '==')]);

      const plainMultiline = 'precondition: DeviceID.ProductClass = "XX"\n  AND Device.A.B IS 3\nweight: 1\n';
      const e3 = oneError(plainMultiline);
      assert.deepEqual([e3.line, e3.column], [2, colOf(plainMultiline, 2, '3')]);

      const single = `precondition: 'DeviceID.ProductClass = "it''s" AND Device.A = = 1'\n`;
      const e4 = oneError(single);
      assert.deepEqual([e4.line, e4.column], [1, colOf(single, 1, '= 1')]);

      const dq = 'precondition: "DeviceID.ProductClass = \\"XX\\" AND\\n Device.A !=\n  1"\n';
      const e5 = oneError(dq);
      assert.deepEqual([e5.line, e5.column], [1, colOf(dq, 1, '!=')]);
      assert.match(e5.message, /use '<>'/);
    });

    it('hints at quoting when YAML itself trips on an unquoted precondition', function () {
      const colon = oneError('precondition: Device.A = "a: b"\n');
      assert.equal(colon.line, 1);
      assert.match(colon.message, /^YAML: .*wrap the precondition in single quotes/);
      assert.match(oneError('precondition: "Device.A" = "a"\n').message, /^YAML: .*wrap the precondition in single quotes/);
      const hash = oneError('precondition: Device.A = "a #b"\n');
      assert.match(hash.message, /unterminated string.*" #" starts a YAML comment/);
      assert.equal(ok(`precondition: 'Device.A = "a: #b"'\n`).preconditionSource, 'Device.A = "a: #b"');
    });

    it('bad cron, and incomplete schedules', function () {
      const text = 'schedule:\n  cron: "0 25 * * *"\n  duration: 2h\n';
      assert.deepEqual(oneError(text), {
        line: 2,
        column: colOf(text, 2, '25'),
        message: "schedule.cron '0 25 * * *': hour: Constraint error, got value 25 expected range 0-23",
      });
      assert.match(oneError('schedule:\n  cron: "* * *"\n  duration: 60\n').message, /5 fields/);
      assert.deepEqual(oneError('schedule:\n  cron: "0 2 * * *"\n'), {
        line: 2,
        column: 3,
        message: 'schedule needs a duration (duration: 2h): how long the window stays open',
      });
      assert.match(oneError('schedule: { duration: 60 }').message, /schedule needs a cron expression/);
      assert.deepEqual(oneError('schedule:\n  cron: "@daily"\n  duration: soon\n').line, 3);
      assert.match(oneError('schedule:\n  cron: "@daily"\n  duration: -5\n').message, /positive number of seconds/);
      assert.match(oneError('schedule:\n  cron: "@daily"\n  duration: 60\n  timezone: UTC\n').message, /unknown key 'schedule.timezone'/);
    });

    it('provisions entries that are not a name or a list', function () {
      const text = [
        'provisions:',
        '  - [wifi, "HomeNet"]',
        '  - { wifi: HomeNet }',
        '  - [wifi, null]',
        '  - [wifi, [1, 2]]',
        '  - []',
        '  - [42, a]',
        '  - wifi.js',
        '  - ../etc/passwd',
        '  - 7',
      ].join('\n');
      assert.deepEqual(
        errors(text).map((e) => [e.line, e.column, e.message]),
        [
          [3, 5, 'a provisions entry must be a name or a list [name, arg, ...], found a mapping'],
          [4, 12, 'a provision argument must be a string, number or boolean, found null (quote it to pass the text "null")'],
          [5, 12, 'a provision argument must be a string, number or boolean, found a list'],
          [6, 5, 'an empty provisions entry: write [name, arg, ...]'],
          [7, 6, "a provision's name must be a string, found number 42"],
          [8, 5, "write the provision's name without '.js': 'wifi'"],
          [9, 5, "invalid provision name '../etc/passwd' (a script's base name: letters, digits, '_', '-', '.')"],
          [10, 5, "a provision's name must be a string, found number 7"],
        ],
      );
    });

    it('unknown provision names, when the known ones are given', function () {
      assert.deepEqual(oneError('provisions:\n  - [wifi]\n  - [wiif, 1]\n', { knownProvisions: new Set(['wifi']) }), {
        line: 3,
        column: 6,
        message: "unknown provision 'wiif' (no provisions/wiif.js)",
      });
    });

    it('never throws on mangled files (fuzz)', function () {
      const base = fs.readFileSync(path.join(FIXTURES, 'firmware.yaml'), 'utf8') + '  - refresh\n  - [x, 1, true, "s"]\n';
      const noise = ['"', "'", '[', ']', '{', '}', ':', '-', ' ', '\n', '#', '!', '&a', '*a', '|', '>', '\\', '%', '?', ',', '\t'];
      let seed = 7;
      const rand = (n: number): number => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      let good = 0;
      for (let i = 0; i < 600; i++) {
        let text = base;
        for (let k = 0; k < 1 + rand(4); k++) {
          const at = rand(text.length);
          text = rand(2) ? text.slice(0, at) + noise[rand(noise.length)] + text.slice(at) : text.slice(0, at) + text.slice(at + 1 + rand(3));
        }
        const r = parsePreset('f.yaml', text);
        if (r.ok) {
          good++;
          continue;
        }
        for (const e of r.errors) {
          assert.doesNotMatch(e.message, /^cannot load/, `${text}\n→ ${e.message}`);
          assert.ok(e.line >= 1 && e.line <= text.split('\n').length + 1, `${text}\n→ line ${e.line}: ${e.message}`);
        }
      }
      assert.ok(good > 0);
    });

    it('collects every error of a file, in order', function () {
      const es = errors('weight: x\nchannel: ""\nevents: ["1 BOOT", "2"]\n');
      assert.deepEqual(
        es.map((e) => e.line),
        [1, 2, 3],
      );
    });
  });
});
