/**
 * The text a regular expression's matches need (what a search asks the
 * database for before its evaluator runs): read exactly where it can be, and
 * "nothing known" where it cannot, never a text a match may lack. The last
 * test checks that on generated patterns and values against the regex itself.
 */
import assert from 'node:assert/strict';
import { compileRegex } from '../../../src/presets/regex';
import { requiredText, type RequiredText } from '../../../src/presets/regex-text';

const needs = (prefix: string, inner: string[] = [], fold = false): RequiredText => ({ prefix, inner, fold });

describe('requiredText', () => {
  it('reads a leading ^ as the value\'s start, and literal runs between gaps', () => {
    assert.deepEqual(requiredText('^SN[0-9]*7$'), needs('SN', ['7']));
    assert.deepEqual(requiredText('abc'), needs('', ['abc']));
    assert.deepEqual(requiredText('^9\\.[0-9]+\\.x'), needs('9.', ['.x']));
    assert.deepEqual(requiredText('^a.b.c'), needs('a', ['b', 'c']));
    assert.deepEqual(requiredText('^(?:home)-(guest)'), needs('home-guest'));
    assert.deepEqual(requiredText('^(?<site>lab)_[a-z]+'), needs('lab_'));
  });

  it('repeats what a quantifier must repeat, and no more', () => {
    assert.deepEqual(requiredText('^ab+c'), needs('ab', ['c']));
    assert.deepEqual(requiredText('^ab{3}c'), needs('abbbc'));
    assert.deepEqual(requiredText('^ab{2,}c'), needs('abb', ['c']));
    assert.deepEqual(requiredText('^ab?c'), needs('a', ['c']));
    assert.deepEqual(requiredText('^ab*?c'), needs('a', ['c']));
    assert.deepEqual(requiredText('^(ab){2}c'), needs('ab', ['c']));
    assert.deepEqual(requiredText('^(ab)?c'), needs('', ['c']));
  });

  it('knows nothing of alternations, classes and assertions, and says so', () => {
    assert.equal(requiredText('^abc|def'), null);
    assert.deepEqual(requiredText('^(a|b)cd'), needs('', ['cd']));
    assert.equal(requiredText('[abc]+\\d\\w\\s.'), null);
    assert.deepEqual(requiredText('^x[|)]y'), needs('x', ['y']));
    assert.deepEqual(requiredText('^9[.]9[\\-]x[^.]'), needs('9.9-x'), 'a class of one character is that character');
    assert.deepEqual(requiredText('^a[]b'), needs('a', ['b']), 'an empty class');
    assert.deepEqual(requiredText('a\\bb'), needs('', ['a', 'b']));
    assert.deepEqual(requiredText('(?m)^abc$'), needs('', ['abc']));
    assert.deepEqual(requiredText('x^abc'), needs('', ['x', 'abc']));
  });

  it('anchors nothing at the end: a value is matched on its first 4,096 characters', () => {
    assert.deepEqual(requiredText('^abc$'), needs('abc'));
    const long = `${'x'.repeat(4093)}abc and more`;
    const r = compileRegex('abc$');
    assert.ok(r.ok && r.test(long), 'abc$ matches where the 4,096 characters end, not the value');
  });

  it('takes escapes it is sure of, and gives up on the rest', () => {
    assert.deepEqual(requiredText('^a\\-b\\/c\\.d'), needs('a-b/c.d'));
    assert.deepEqual(requiredText('^\\x41\\u0042'), needs('AB'));
    assert.deepEqual(requiredText('^a\\tb'), needs('a', ['b']), 'a control character is any text');
    assert.equal(requiredText('^(a)\\1'), null, 'a back-reference');
    assert.equal(requiredText('^\\cJ'), null);
    assert.equal(requiredText('^a{x}'), null, 'a brace that is no quantifier');
    assert.equal(requiredText('^\\q'), null, 'a letter escape');
  });

  it('keeps the case of (?i) patterns lower, with only ASCII letters among the texts', () => {
    assert.deepEqual(requiredText('(?i)^GUEST-5G'), needs('guest-5g', [], true));
    assert.deepEqual(requiredText('(?i)^caf\u00e9s'), needs('caf', ['s'], true), 'é keeps its case under (?i): any text');
    assert.deepEqual(requiredText('^caf\u00e9'), needs('caf\u00e9'));
    assert.deepEqual(requiredText('(?x) ^ a b # comment'), needs('ab'));
  });

  it('answers null for a pattern regex.ts refuses, and for an unreadable one', () => {
    assert.equal(requiredText('(?q)abc'), null);
    assert.equal(requiredText('^abc('), null);
    assert.equal(requiredText('^abc)'), null);
    assert.equal(requiredText('^[abc'), null);
    assert.equal(requiredText(''), null);
  });

  it('never asks for a text a matching value lacks (generated patterns and values)', () => {
    // A small alphabet makes matches common, so the property is tested on many.
    const pieces = ['a', 'b', 'A', '.', '-', '_', '%', '!', '[ab]', '[.]', '[\\-]', '[^a]', '[]]', '\\d', '\\.', '(ab)', '(a|b)', '(?:b-)', '\\b', '$', '^', 'é', '\\x41'];
    const quantifiers = ['', '', '', '*', '+', '?', '{2}', '{1,2}', '{2,}', '+?'];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const values = Array.from({ length: 300 }, () => Array.from({ length: rnd(10) }, () => 'abAB.-_%!1é'[rnd(11)]).join(''));
    let checked = 0;
    for (let n = 0; n < 3000; n++) {
      const body = Array.from({ length: 1 + rnd(4) }, () => pieces[rnd(pieces.length)] + quantifiers[rnd(quantifiers.length)]).join('');
      const source = `${['', '^', '(?i)', '(?i)^', '(?m)^'][rnd(5)]}${body}`;
      const regex = compileRegex(source);
      if (!regex.ok) continue;
      const needed = requiredText(source);
      if (needed === null) continue;
      for (const v of values) {
        if (!regex.test(v)) continue;
        checked++;
        const subject = needed.fold ? v.replace(/[A-Z]/g, (c) => c.toLowerCase()) : v;
        assert.ok(subject.startsWith(needed.prefix), `${source} matches ${JSON.stringify(v)}, which does not begin ${JSON.stringify(needed.prefix)}`);
        let at = needed.prefix.length;
        for (const text of needed.inner) {
          const found = subject.indexOf(text, at);
          assert.ok(found >= 0, `${source} matches ${JSON.stringify(v)}, which lacks ${JSON.stringify(text)} after ${at}`);
          at = found + text.length;
        }
      }
    }
    assert.ok(checked > 1000, `only ${checked} matches checked`);
  });
});
