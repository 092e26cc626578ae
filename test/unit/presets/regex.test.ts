/**
 * Regular expressions from outside (src/presets/regex.ts): V8's linear-time
 * engine, the leading flag group, ASCII case folding, the subject bound.
 */
import { strict as assert } from 'node:assert';
import { compileMongoRegex, compileRegex, MAX_SUBJECT, mongoPattern } from '../../../src/presets/regex';

function test(pattern: string, s: string): boolean {
  const r = compileRegex(pattern);
  if (!r.ok) assert.fail(`${pattern}: ${r.message}`);
  return r.test(s);
}

function refusal(pattern: string): string {
  const r = compileRegex(pattern);
  if (r.ok) assert.fail(`${pattern} compiled`);
  return r.message;
}

describe('presets: regular expressions in linear time', () => {
  it('refuses what the linear engine cannot run, saying what: backreferences, lookaround, counts over 16', () => {
    for (const p of ['(a)\\1', 'a(?=b)', '(?<!a)b', 'a{17}', '[0-9a-f]{32}', '(?:a{4}){5}', '(a{1000}){1000}']) {
      assert.match(refusal(p), /backreferences, lookaround and counted repetitions over 16 .* are not supported/, p);
    }
    assert.equal(test('^[0-9a-f]{12}$', '00d09e000001'), true, 'a MAC address: 12 is fine');
    assert.equal(test('^[0-9a-f]{16}$', '00d09e0000010203'), true);
  });

  it('(?i) folds ASCII letters on both sides: as themselves, as \\x and \\u escapes, in same-case ranges', () => {
    assert.equal(test('(?i)^abc$', 'ABC'), true);
    assert.equal(test('(?i)^ABC$', 'abc'), true);
    assert.equal(test('(?i)^\\x41\\u0042c$', 'abc'), true, 'escaped capitals');
    assert.equal(test('(?i)^[A-F0-9]+$', 'deadBEEF09'), true);
    assert.equal(test('(?i)^[a-f]+$', 'DEAD'), true);
    assert.equal(test('(?i)^\\D\\W$', 'x!'), true, '\\D and \\W keep their meaning');
    assert.equal(test('(?i)^\\D$', '5'), false);
    assert.equal(test('(?i)^é$', 'É'), false, 'only ASCII letters are folded');
    assert.match(refusal('(?i)[0-Z]'), /\(\?i\): the range 0-Z mixes letters with other characters or cases/);
    assert.match(refusal('(?i)[A-z]'), /the range A-z mixes/);
    assert.equal(test('^[0-Z]$', '['), false, 'without (?i), ranges are as written');
  });

  it('matches a value on its first MAX_SUBJECT characters', () => {
    const long = `${'a'.repeat(MAX_SUBJECT)}needle`;
    assert.equal(test('needle', long), false);
    assert.equal(test('needle', long.slice(6)), true);
    assert.equal(test('^a+$', long), true);
  });

  it('merges MongoDB $options into the pattern\'s own flag group', () => {
    assert.equal(mongoPattern('abc', 'i'), '(?i)abc');
    assert.equal(mongoPattern('(?i)abc', 'ms'), '(?ims)abc');
    assert.equal(mongoPattern('(?m)abc', ''), '(?m)abc');
    const r = compileMongoRegex('(?m)^b$', 'i');
    assert.ok(r.ok);
    assert.equal(r.test('a\nB'), true);
    assert.deepEqual(compileMongoRegex('a', 'g'), { ok: false, message: '$options "g": the options are i, m, s and x' });
    assert.deepEqual(compileMongoRegex(5), { ok: false, message: '$regex and $options must be strings' });
  });
});
