import { strict as assert } from 'node:assert';
import { compareStrings, compile, evaluate, pathsOf } from '../../../src/presets/expression';
import type { Expression, Lookup, LookupValue } from '../../../src/presets/expression';
import { lookupFrom, pathMatches } from '../../../src/presets/lookup';

/** A lookup over a plain table; "*" handled by pathMatches. */
function table(values: Record<string, LookupValue['value'] | LookupValue>): Lookup {
  return (path) =>
    Object.entries(values)
      .filter(([p]) => pathMatches(path, p))
      .map(([, v]) => (v !== null && typeof v === 'object' ? v : { value: v }));
}

function expr(text: string): Expression {
  const r = compile(text);
  if (!r.ok) assert.fail(`${text}: ${r.message} at ${r.column}`);
  return r.expr;
}

function check(text: string, values: Record<string, LookupValue['value'] | LookupValue> = {}): boolean {
  return evaluate(expr(text), table(values));
}

function compileError(text: string): { message: string; column: number } {
  const r = compile(text);
  if (r.ok) assert.fail(`${text} compiled`);
  return { message: r.message, column: r.column };
}

describe('presets: expression', function () {
  describe('literals and comparisons', function () {
    it('compares strings, numbers and booleans', function () {
      const dev = { 'DeviceID.ProductClass': 'XX230v', 'Device.X.Count': { value: '12', type: 'xsd:unsignedInt' } };
      assert.equal(check('DeviceID.ProductClass = "XX230v"', dev), true);
      assert.equal(check('DeviceID.ProductClass <> "XX230v"', dev), false);
      assert.equal(check('Device.X.Count > 9', dev), true, 'typed numbers compare numerically');
      assert.equal(check('Device.X.Count >= 12 AND Device.X.Count <= 12 AND Device.X.Count < 13', dev), true);
      assert.equal(check('-1 < 0.5 AND 1e3 = 1000'), true);
      assert.equal(check('TRUE = true AND false < TRUE'), true);
    });

    it('decodes string escapes', function () {
      assert.equal(check('Device.A = "say \\"hi\\"\\n\\u00e9\\\\"', { 'Device.A': 'say "hi"\né\\' }), true);
    });

    it('compares an untyped numeric string with a number numerically, and booleans with xsd:boolean', function () {
      assert.equal(check('Device.Up > 100', { 'Device.Up': '350' }), true);
      assert.equal(check('Device.Up > 100', { 'Device.Up': 'abc' }), false);
      assert.equal(check('Device.Up = 100', { 'Device.Up': 'abc' }), false, 'incomparable: = is false');
      assert.equal(check('Device.Up <> 100', { 'Device.Up': 'abc' }), true, 'incomparable: <> is true');
      assert.equal(check('Device.En = true', { 'Device.En': { value: '1', type: 'xsd:boolean' } }), true);
      assert.equal(check('Device.En = false', { 'Device.En': '0' }), true, 'a boolean-looking string compared with a boolean');
      assert.equal(check('Device.En', { 'Device.En': { value: 'true', type: 'xsd:boolean' } }), true, 'a bare path is true when true');
      assert.equal(check('Device.En', { 'Device.En': { value: '0', type: 'xsd:boolean' } }), false);
    });

    it('orders dotted versions part by part ("1.10" > "1.9")', function () {
      const v = (s: string): Record<string, string> => ({ 'Device.DeviceInfo.SoftwareVersion': s });
      assert.equal(check('Device.DeviceInfo.SoftwareVersion < "1.2"', v('1.1.9')), true);
      assert.equal(check('Device.DeviceInfo.SoftwareVersion < "1.2"', v('1.10')), false);
      assert.equal(check('Device.DeviceInfo.SoftwareVersion > "1.9"', v('1.10')), true);
      assert.equal(check('Device.DeviceInfo.SoftwareVersion >= "2.0.3"', v('V2.0.10')), true, 'leading v');
      assert.equal(check('Device.DeviceInfo.SoftwareVersion < "10"', v('9')), true, 'digit strings');
      assert.equal(check('Device.DeviceInfo.SoftwareVersion = "1.2"', v('1.2.0')), false, '= is exact');
      assert.equal(check('Device.DeviceInfo.SoftwareVersion < 1.2', v('1.10')), true, 'a number literal compares numerically');
      assert.ok(compareStrings('1.2', '1.2.0') < 0);
      assert.ok(compareStrings('1.2.3', '1.2.3-rc2') < 0);
      assert.ok(compareStrings('1.2.3-rc2', '1.2.3-rc10') < 0, 'suffix digit runs numerically');
      assert.ok(compareStrings('1.2.3-rc10', '1.2.4') < 0);
      assert.ok(compareStrings('12345678901234567890.1', '12345678901234567890.02') < 0, 'no float overflow');
      assert.ok(compareStrings('abc', 'abd') < 0);
      assert.ok(compareStrings('b', 'a10') > 0, 'non-versions: code-unit order');
      assert.ok(compareStrings('Zeta', 'alpha') < 0, 'case-sensitive');
      assert.equal(compareStrings('1.02', '1.2') === 0, false, 'only equal strings compare equal');
    });

    it('LIKE with % and _, case-sensitive, with \\ escapes, and NOT LIKE', function () {
      const d = { 'DeviceID.ProductClass': 'XX230v', 'Device.P': '50%' };
      assert.equal(check('DeviceID.ProductClass LIKE "XX%"', d), true);
      assert.equal(check('DeviceID.ProductClass LIKE "XX___v"', d), true);
      assert.equal(check('DeviceID.ProductClass LIKE "XX__v"', d), false);
      assert.equal(check('DeviceID.ProductClass LIKE "xx%"', d), false);
      assert.equal(check('DeviceID.ProductClass NOT LIKE "YY%"', d), true);
      assert.equal(check('Device.P LIKE "50\\\\%"', d), true, 'escaped %');
      assert.equal(check('Device.P LIKE "5\\\\%"', d), false);
      assert.equal(check('DeviceID.ProductClass LIKE "X.*"', d), false, 'regex characters are literal');
      assert.equal(check('Device.Missing LIKE "%"', d), false, 'NULL LIKE anything is unknown');
      for (const c of '!"#$&\'()*+,-./:;<=>?@[]^`{|}~ é😀') {
        const text = `Device.S LIKE "x${c === '"' ? '\\"' : c}%"`;
        assert.equal(check(text, { 'Device.S': `x${c}yz` }), true, text);
        assert.equal(check(text, { 'Device.S': 'xAyz' }), false, text);
      }
    });
  });

  describe('MATCHES', function () {
    it('finds a regular expression anywhere in the value, anchored with ^ and $, (?i) ignoring case, and NOT MATCHES', function () {
      const d = { 'DeviceID.ProductClass': 'XX230v', 'Device.S': 'home-12', 'Device.N': { value: '300', type: 'xsd:unsignedInt' } };
      assert.equal(check('DeviceID.ProductClass MATCHES "230"', d), true);
      assert.equal(check('DeviceID.ProductClass MATCHES "^X{2}\\\\d+v$"', d), true);
      assert.equal(check('DeviceID.ProductClass MATCHES "^xx"', d), false, 'case-sensitive');
      assert.equal(check('DeviceID.ProductClass MATCHES "(?i)^xx"', d), true);
      assert.equal(check('DeviceID.ProductClass MATCHES "(?i)^XX\\\\D"', d), false, '\\D keeps its meaning under (?i)');
      assert.equal(check('Device.S MATCHES "^home-(1|2)[0-9]$"', d), true);
      assert.equal(check('Device.S NOT MATCHES "^guest"', d), true);
      assert.equal(check('Device.N MATCHES "^30"', d), true, 'a number is matched as its text');
      assert.equal(check('Device.Missing MATCHES ".*"', d), false, 'NULL MATCHES anything is unknown');
      assert.equal(check('NOT (Device.Missing MATCHES ".*")', d), false, 'and so is its negation');
      assert.equal(check('Device.S MATCHES "(?x) ^home  # a comment\\n -12$"', d), true, '(?x) drops whitespace and comments');
      assert.equal(check('Device.M MATCHES "^b$"', { 'Device.M': 'a\nb' }), false, '^ and $ are the ends of the value');
      assert.equal(check('Device.M MATCHES "(?m)^b$"', { 'Device.M': 'a\nb' }), true, '(?m): ends of lines');
      assert.equal(check('Device.M MATCHES "a.b"', { 'Device.M': 'a\nb' }), false);
      assert.equal(check('Device.M MATCHES "(?s)a.b"', { 'Device.M': 'a\nb' }), true, '(?s): . matches a line break');
    });

    it('runs in linear time: a pattern that would backtrack for ever answers at once', function () {
      const long = `${'a'.repeat(4000)}!`;
      assert.equal(check('Device.S MATCHES "^(a|aa)*$"', { 'Device.S': long }), false);
      assert.equal(check('Device.S MATCHES "^(a+)+$"', { 'Device.S': long }), false);
      assert.equal(check('Device.S MATCHES "^(a|aa)*!$"', { 'Device.S': long }), true);
    });

    it('refuses what the linear-time engine cannot run, and bad patterns, naming them', function () {
      assert.match(compileError('Device.S MATCHES "(a)\\\\1"').message, /MATCHES: backreferences, lookaround and counted repetitions over 16/);
      assert.match(compileError('Device.S MATCHES "a(?=b)"').message, /MATCHES: backreferences, lookaround and counted repetitions over 16/);
      assert.match(compileError('Device.S MATCHES "(?q)a"').message, /the flags are i, m, s and x, not q/);
      assert.match(compileError('Device.S MATCHES "a("').message, /MATCHES: .*Unterminated group/);
      assert.match(compileError(`Device.S MATCHES "${'a'.repeat(1001)}"`).message, /longer than 1000 characters/);
      assert.match(compileError('Device.S MATCHES abc').message, /MATCHES needs a string pattern/);
      assert.match(compileError('Device.S NOT = "a"').message, /expected LIKE or MATCHES after NOT/);
      const at = compileError('Device.S = "x" AND Device.T MATCHES "[z-a]"');
      assert.equal(at.column, 37, 'the column of the pattern');
    });
  });

  describe('NULL semantics', function () {
    it('a missing parameter is NULL; comparisons with NULL are unknown, and NOT unknown is unknown', function () {
      assert.equal(check('Device.Missing = "x"'), false);
      assert.equal(check('Device.Missing <> "x"'), false);
      assert.equal(check('NOT (Device.Missing = "x")'), false);
      assert.equal(check('Device.Missing IS NULL'), true);
      assert.equal(check('Device.Missing IS NOT NULL'), false);
      assert.equal(check('Device.A IS NOT NULL', { 'Device.A': '' }), true, 'the empty string is not NULL');
      assert.equal(check('Device.A IS NULL', { 'Device.A': null }), true, 'a known parameter without a value');
    });

    it('AND/OR follow Kleene logic', function () {
      assert.equal(check('Device.Missing = "x" OR TRUE'), true);
      assert.equal(check('NOT (Device.Missing = "x" AND FALSE)'), true, 'unknown AND false is false');
      assert.equal(check('NOT (Device.Missing = "x" OR FALSE)'), false, 'unknown OR false is unknown');
      assert.equal(check('NOT (Device.Missing = "x" AND TRUE)'), false);
    });

    it('refuses comparisons with the NULL literal', function () {
      assert.match(compileError('Device.A = NULL').message, /use IS NULL/);
      assert.match(compileError('NULL <> Device.A').message, /use IS NOT NULL/);
      assert.equal(compileError('Device.A = NULL').column, 12);
    });
  });

  describe('precedence', function () {
    it('NOT binds tighter than AND, AND tighter than OR', function () {
      // TRUE OR (TRUE AND FALSE) = TRUE; (TRUE OR TRUE) AND FALSE would be FALSE
      assert.equal(check('TRUE OR TRUE AND FALSE'), true);
      assert.equal(check('(TRUE OR TRUE) AND FALSE'), false);
      // (NOT FALSE) AND FALSE = FALSE; NOT (FALSE AND FALSE) would be TRUE
      assert.equal(check('NOT FALSE AND FALSE'), false);
      // FALSE AND FALSE OR TRUE = (FALSE AND FALSE) OR TRUE
      assert.equal(check('FALSE AND FALSE OR TRUE'), true);
      assert.equal(check('NOT NOT TRUE'), true);
      assert.equal(check('not false and TRUE or false'), true, 'keywords are case-insensitive');
      assert.deepEqual(expr('Tags.a OR Tags.b AND NOT Tags.c'), {
        kind: 'or',
        left: { kind: 'truthy', operand: { kind: 'path', path: 'Tags.a' } },
        right: {
          kind: 'and',
          left: { kind: 'truthy', operand: { kind: 'path', path: 'Tags.b' } },
          right: { kind: 'not', operand: { kind: 'truthy', operand: { kind: 'path', path: 'Tags.c' } } },
        },
      });
    });
  });

  describe('wildcards and tags', function () {
    const ssids = {
      'Device.WiFi.SSID.1.SSID': 'home',
      'Device.WiFi.SSID.2.SSID': 'guest',
      'Device.WiFi.SSID.1.Enable': { value: 'false', type: 'xsd:boolean' },
      'Device.WiFi.SSID.2.Enable': { value: 'true', type: 'xsd:boolean' },
    };

    it('a wildcard path holds when any instance does', function () {
      assert.equal(check('Device.WiFi.SSID.*.SSID = "guest"', ssids), true);
      assert.equal(check('Device.WiFi.SSID.*.SSID = "office"', ssids), false);
      assert.equal(check('NOT (Device.WiFi.SSID.*.SSID = "office")', ssids), true, 'none is');
      assert.equal(check('NOT (Device.WiFi.SSID.*.SSID = "guest")', ssids), false);
      assert.equal(check('Device.WiFi.SSID.*.SSID <> "home"', ssids), true, 'some instance differs');
      assert.equal(check('Device.WiFi.SSID.*.SSID LIKE "gu%"', ssids), true);
      assert.equal(check('Device.WiFi.SSID.*.Enable', ssids), true);
      assert.equal(check('Device.WiFi.Radio.*.Enable IS NULL', ssids), true, 'no instance: NULL');
      assert.equal(check('Device.WiFi.Radio.*.Channel = 1', ssids), false);
    });

    it('Tags.<name> is true when the device has the tag', function () {
      const lookup = lookupFrom({ tags: ['vip', 'lab-2'] });
      assert.equal(evaluate(expr('Tags.vip'), lookup), true);
      assert.equal(evaluate(expr('Tags.lab-2 AND Tags.vip = true'), lookup), true);
      assert.equal(evaluate(expr('Tags.other'), lookup), false);
      assert.equal(evaluate(expr('NOT Tags.other'), lookup), true, 'a missing tag is simply false');
      assert.equal(evaluate(expr('Tags.other IS NULL'), lookup), true);
    });

    it('lookupFrom reads cached parameters, DeviceID and virtual parameters', function () {
      const lookup = lookupFrom({
        parameters: [
          { path: 'Device.DeviceInfo.', kind: 'object', value: null, type: null },
          { path: 'Device.DeviceInfo.SoftwareVersion', kind: 'leaf', value: '1.10', type: 'xsd:string' },
          { path: 'Device.IP.Interface.1.Enable', kind: 'leaf', value: '1', type: 'xsd:boolean' },
          { path: 'Device.IP.Interface.2.Enable', kind: 'leaf', value: '0', type: 'xsd:boolean' },
          { path: 'Device.DeviceInfo.UpTime', kind: 'leaf', value: '86400', type: 'xsd:unsignedInt' },
        ],
        deviceId: { Manufacturer: 'ACME', OUI: '00AABB', ProductClass: 'XX230v', SerialNumber: 'S-1' },
        virtualParameters: { pppUser: 'bob' },
      });
      const t = (s: string): boolean => evaluate(expr(s), lookup);
      assert.equal(t('Device.DeviceInfo.SoftwareVersion > "1.9" AND Device.DeviceInfo.UpTime >= 86400'), true);
      assert.equal(t('DeviceID.ID = "00AABB-XX230v-S%2D1" AND DeviceID.OUI = "00AABB"'), true);
      assert.equal(t('Device.IP.Interface.*.Enable = false'), true);
      assert.equal(t('VirtualParameters.pppUser = "bob" AND VirtualParameters.other IS NULL'), true);
      assert.deepEqual(lookup('Device.IP.Interface.*.Enable').length, 2);
      assert.deepEqual(lookup('Device.DeviceInfo.'), [], 'objects are not values');
    });
  });

  describe('LastInform and NOW()', function () {
    const HOUR = 3_600_000;
    const seen = (agoMs: number): Lookup => lookupFrom({ lastInform: Date.now() - agoMs });

    it('compares the last Inform with NOW() give or take a duration, in every spelling', function () {
      const text = 'LastInform < NOW() - 1d';
      assert.equal(evaluate(expr(text), seen(25 * HOUR)), true);
      assert.equal(evaluate(expr(text), seen(23 * HOUR)), false);
      for (const same of ['LastInform < NOW()-1d', 'LastInform < now() - 24h', 'LastInform < NOW() - 1440m', 'NOW() - 86400s > LastInform']) {
        assert.equal(evaluate(expr(same), seen(25 * HOUR)), true, same);
        assert.equal(evaluate(expr(same), seen(23 * HOUR)), false, same);
      }
      assert.equal(evaluate(expr('LastInform >= NOW() - 2w AND LastInform <= NOW() + 500ms'), seen(13 * 24 * HOUR)), true);
    });

    it('is NULL for a device never seen, and compares with dates', function () {
      assert.equal(evaluate(expr('LastInform IS NULL'), lookupFrom({})), true);
      assert.equal(evaluate(expr('LastInform < NOW()'), lookupFrom({})), false, 'unknown, not true');
      assert.equal(evaluate(expr('NOT (LastInform < NOW())'), lookupFrom({})), false, 'unknown, not true');
      const at = lookupFrom({ lastInform: Date.parse('2026-12-01T08:00:00Z') });
      assert.equal(evaluate(expr('LastInform > "2026-12-01" AND LastInform < "2026-12-01T09:00:00Z"'), at), true);
      assert.equal(evaluate(expr(`LastInform = ${Date.parse('2026-12-01T08:00:00Z')}`), at), true, 'epoch ms');
    });

    it('refuses what is not a time or a duration, naming it', function () {
      assert.match(compileError('LastInform < "yesterday"').message, /LastInform is a time: .* not "yesterday"/);
      assert.match(compileError('LastInform < NOW() - ').message, /expected a duration after '-'/);
      assert.match(compileError('LastInform < NOW() - 1y').message, /'1y' is not a number/);
      assert.match(compileError('LastInform < 1d').message, /a duration \(1d\) is added to or taken from NOW\(\)/);
      assert.match(compileError('LastInform < NOW').message, /expected '\(' after NOW/);
      assert.equal(compileError('Device.A = - 1').column, 12);
    });
  });

  describe('Registered, LastBoot and LastBootstrap', function () {
    const t0 = Date.parse('2026-11-01T00:00:00Z');
    const device = lookupFrom({ lastInform: t0 + 5000, registered: t0, lastBoot: t0 + 3000, lastBootstrap: null });

    it('compare as times with dates, epoch ms, NOW() and each other; NULL when there is none', function () {
      assert.equal(evaluate(expr('Registered = "2026-11-01T00:00:00Z"'), device), true);
      assert.equal(evaluate(expr(`LastBoot > ${t0 + 2999} AND LastBoot < LastInform`), device), true);
      assert.equal(evaluate(expr('Registered < NOW() - 1d'), device), true);
      assert.equal(evaluate(expr('LastBootstrap IS NULL'), device), true);
      assert.equal(evaluate(expr('LastBootstrap < NOW()'), device), false, 'unknown, not true');
      assert.match(compileError('LastBoot > "after the storm"').message, /LastBoot is a time/);
    });
  });

  describe('pathsOf', function () {
    it('lists each path read, once, in order', function () {
      assert.deepEqual(
        pathsOf(
          expr(
            'DeviceID.ProductClass = "XX" AND (Device.A.*.B > 1 OR NOT Tags.x) AND Device.A.*.B < 9 AND Device.C LIKE "a%" AND Device.D IS NULL AND "x" = Device.E',
          ),
        ),
        ['DeviceID.ProductClass', 'Device.A.*.B', 'Tags.x', 'Device.C', 'Device.D', 'Device.E'],
      );
      assert.deepEqual(pathsOf(expr('TRUE')), []);
    });
  });

  describe('compile errors', function () {
    const cases: [string, RegExp, number][] = [
      ['', /empty expression/, 1],
      ['Device.A = ', /expected a parameter path or a value, found end of expression/, 12],
      ['Device.A = "x', /unterminated string/, 12],
      ['Device.A = "\\q"', /unknown escape/, 13],
      ["Device.A = 'x'", /double quotes/, 12],
      ['Device.A == 1', /use '='/, 10],
      ['Device.A != 1', /use '<>'/, 10],
      ['Device.A = 1.2.3', /quote text and versions/, 12],
      ['Devce.A = 1', /unknown path root 'Devce'/, 1],
      ['device.A = 1', /did you mean 'Device'/, 1],
      ['DeviceID.Serial = "x"', /unknown DeviceID field 'Serial'/, 10],
      ['Device.A..B = 1', /empty segment/, 10],
      ['Device.A. = 1', /names an object/, 1],
      ['Device.A.* = 1', /ends with '\*'/, 10],
      ['Tags.a.b', /no sub-objects/, 8],
      ['Device', /incomplete path/, 1],
      ['(Device.A = 1', /expected '\)' to close the '\(' at column 1/, 14],
      ['Device.A = 1)', /unbalanced parenthesis/, 13],
      ['Device.A = 1 Device.B = 2', /expected AND, OR/, 14],
      ['Device.A LIKE Device.B', /LIKE needs a string pattern/, 15],
      ['Device.A IS 3', /expected \[NOT\] NULL after IS/, 13],
      ['Device.A NOT 3', /expected LIKE or MATCHES after NOT/, 14],
      ['"x"', /expected a comparison operator/, 4],
      ['Device.A Device.B', /expected an operator/, 10],
      ['Device.A = AND', /found keyword AND/, 12],
      ['Device.A = 1 AND', /found end of expression/, 17],
      ['Device.A = 1 ; DROP', /unexpected character ';'/, 14],
      ['Device.A = 1 AND !Device.B', /use NOT/, 18],
      ['(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((TRUE)))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))))', /nested more than 64/, 65],
    ];
    for (const [text, message, column] of cases) {
      it(`${text === '' ? '(empty)' : text.length > 40 ? `${text.slice(0, 20)}…` : text} → ${message.source} at column ${column}`, function () {
        const e = compileError(text);
        assert.match(e.message, message);
        assert.equal(e.column, column);
      });
    }

    it('caps the length of an expression (evaluation stays far from the stack limit)', function () {
      const long = Array.from({ length: 2000 }, (_, i) => `Device.A = ${i}`).join(' OR ');
      assert.match(compileError(long).message, /longer than 4096 tokens/);
      const fine = Array.from({ length: 1000 }, (_, i) => `Device.A = ${i}`).join(' OR ');
      assert.equal(check(fine, { 'Device.A': '999' }), true);
    });

    it('never throws, whatever the input (fuzz)', function () {
      const atoms = ['Device.A', 'Device.*.B', 'Tags.t', 'DeviceID.OUI', '"s"', '"1.2"', '"\\', '1', '-2.5', 'TRUE', 'NULL', 'AND', 'OR', 'NOT', 'LIKE', 'IS', '=', '<>', '<', '>=', '(', ')', '"%_"', '.', '*', "'", '!', '==', ' ', '\n'];
      let seed = 42;
      const rand = (n: number): number => {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        return seed % n;
      };
      const lookup = table({ 'Device.A': '1.10', 'Device.1.B': { value: '3', type: 'xsd:int' }, 'Tags.t': true, 'DeviceID.OUI': 'ABC' });
      let compiled = 0;
      for (let i = 0; i < 3000; i++) {
        const text = Array.from({ length: 1 + rand(8) }, () => atoms[rand(atoms.length)]).join(rand(2) ? ' ' : '');
        const r = compile(text);
        if (r.ok) {
          compiled++;
          evaluate(r.expr, lookup);
          pathsOf(r.expr);
        } else {
          assert.ok(r.column >= 1 && r.column <= text.length + 1, `${text}: column ${r.column}`);
          assert.doesNotMatch(r.message, /^cannot compile/, text);
        }
      }
      assert.ok(compiled > 50, `only ${compiled} compiled`);
    });

    it('never runs code: an injection attempt is just a syntax error', function () {
      assert.equal(compile('Device.A = "x" + process.exit(1)').ok, false);
      assert.equal(compile('constructor.constructor("return 1")()').ok, false);
    });
  });
});
