/**
 * The alert rules' expression language (src/qoe/alerts/expression.ts): the
 * forms of issue 14 §3 parse into what they say, and each mistake is refused
 * with the column and what was expected there.
 */
import { strict as assert } from 'node:assert';
import { formatExpression, parseExpression } from '../../src/qoe/alerts/expression';
import type { AlertExpression } from '../../src/qoe/alerts/types';
import { REBOOTS_PATH } from '../../src/qoe/types';

function parsed(text: string): AlertExpression {
  const r = parseExpression(text);
  if (!r.ok) assert.fail(`${text}: ${r.message}`);
  return r.expression;
}

function refused(text: string): { message: string; column: number } {
  const r = parseExpression(text);
  if (r.ok) assert.fail(`${text} parsed: ${JSON.stringify(r.expression)}`);
  return r;
}

const MIN = 60_000;
const DAY = 86_400_000;

describe('qoe alerts: the expression language', () => {
  describe('valid forms', () => {
    it('rate(WANErrors) > 10/min for 15 min: a rate per minute held over 15 minutes', () => {
      assert.deepEqual(parsed('rate(WANErrors) > 10/min for 15 min'), {
        fn: 'rate', series: 'WANErrors', op: '>', threshold: 10, unit: 'min', window: { mode: 'for', ms: 15 * MIN },
      });
    });

    it('reboots > 3 in 1 day: the reboots series counted over a day', () => {
      assert.deepEqual(parsed('reboots > 3 in 1 day'), {
        fn: 'reboots', series: REBOOTS_PATH, op: '>', threshold: 3, unit: null, window: { mode: 'in', ms: DAY },
      });
    });

    it('avg(Device.WiFi.Radio.*.Stats.Noise) > -70 for 30 min: a path with "*" and a negative threshold', () => {
      const e = parsed('avg(Device.WiFi.Radio.*.Stats.Noise) > -70 for 30 min');
      assert.equal(e.series, 'Device.WiFi.Radio.*.Stats.Noise');
      assert.equal(e.threshold, -70);
      assert.equal(e.unit, null);
      assert.deepEqual(e.window, { mode: 'for', ms: 30 * MIN });
    });

    it('takes every function and comparison, decimals, and units with or without a space, in any case', () => {
      const cases: [string, Partial<AlertExpression>][] = [
        ['max(CPU) >= 90.5 in 2h', { fn: 'max', op: '>=', threshold: 90.5, window: { mode: 'in', ms: 2 * 3_600_000 } }],
        ['MIN(SNR) < 6 FOR 10 Minutes', { fn: 'min', op: '<', threshold: 6, window: { mode: 'for', ms: 10 * MIN } }],
        ['last(Uptime) <= 300 in 90 s', { fn: 'last', op: '<=', threshold: 300, window: { mode: 'in', ms: 90_000 } }],
        ['avg(Clients) == 0 in 1 hour', { fn: 'avg', op: '==', threshold: 0, window: { mode: 'in', ms: 3_600_000 } }],
        ['avg(Channel) != 6 for 2 days', { fn: 'avg', op: '!=', threshold: 6, window: { mode: 'for', ms: 2 * DAY } }],
        ['rate(Bytes)>1000000/s in 5min', { fn: 'rate', op: '>', threshold: 1_000_000, unit: 's', window: { mode: 'in', ms: 5 * MIN } }],
        ['rate(Errors) > 120/h in 1 d', { fn: 'rate', unit: 'h', threshold: 120, window: { mode: 'in', ms: DAY } }],
      ];
      for (const [text, want] of cases) {
        const e = parsed(text);
        for (const [k, v] of Object.entries(want)) assert.deepEqual(e[k as keyof AlertExpression], v, `${text}: ${k}`);
      }
    });

    it('rate() without a unit is per second', () => {
      assert.equal(parsed('rate(WANErrors) > 0.5 for 15 min').unit, 's');
    });

    it('writes an expression back in a canonical form that parses to the same expression', () => {
      for (const text of ['RATE(WANErrors)>10/MIN for 15min', 'reboots > 3 in 1 day', 'avg(Device.WiFi.Radio.*.Stats.Noise) > -70 for 90 min']) {
        const e = parsed(text);
        assert.deepEqual(parsed(formatExpression(e)), e, formatExpression(e));
      }
      assert.equal(formatExpression(parsed('RATE(WANErrors)>10/MIN for 15min')), 'rate(WANErrors) > 10/min for 15 min');
      assert.equal(formatExpression(parsed('reboots > 3 in 24 h')), 'reboots > 3 in 1 d');
    });
  });

  describe('errors name the column and what was expected', () => {
    const cases: [string, number, RegExp][] = [
      ['', 1, /empty expression/],
      ['count(WANErrors) > 1 in 1 h', 1, /^expected a function \(rate, avg, min, max, last\) or reboots at column 1, found "count"/],
      ['rate WANErrors > 1 in 1 h', 6, /^expected "\(" after rate at column 6, found "WANErrors"/],
      ['rate() > 1 in 1 h', 6, /^expected a series: an alias or a parameter path at column 6, found "\)"/],
      ['rate(WANErrors > 1 in 1 h', 16, /^expected "\)" to close rate\( at column 16, found ">"/],
      ['rate(WANErrors) = 1 in 1 h', 17, /^expected a comparison \(>, >=, <, <=, ==, !=\) at column 17, found "="/],
      ['rate(WANErrors) > ten in 1 h', 19, /^expected a number to compare with at column 19, found "ten"/],
      ['avg(Noise) > 10/min for 15 min', 16, /a rate unit \(\/s, \/min, \/h\) goes with rate\(\) only, at column 16/],
      ['rate(WANErrors) > 10/day for 15 min', 22, /^expected a rate unit after "\/": s, min or h at column 22, found "day"/],
      ['rate(WANErrors) > 10/min', 25, /^expected a window: "for" or "in" and a duration \(for 15 min, in 1 day\) at column 25, found the end of the expression/],
      ['rate(WANErrors) > 10/min during 15 min', 26, /^expected a window.* at column 26, found "during"/],
      ['rate(WANErrors) > 10/min for min', 30, /^expected a duration after "for" at column 30, found "min"/],
      ['rate(WANErrors) > 10/min for 15', 32, /^expected a duration unit: s, min, h or d at column 32, found the end of the expression/],
      ['rate(WANErrors) > 10/min for 15 weeks', 33, /^expected a duration unit: s, min, h or d at column 33, found "weeks"/],
      ['rate(WANErrors) > 10/min for 40 d', 30, /the window must be from 1 s to 31 d, at column 30/],
      ['rate(WANErrors) > 10/min for 15 min and more', 37, /^expected the end of the expression \(the window is its last part\) at column 37, found "and"/],
      ['reboots > 3 for 1 day', 13, /reboots counts the reboots in a window: "in", not "for" .* at column 13/],
      ['rate(WAN#Errors) > 1 in 1 h', 9, /^unexpected character "#" at column 9/],
    ];
    for (const [text, column, message] of cases) {
      it(`${JSON.stringify(text)} → column ${column}`, () => {
        const r = refused(text);
        assert.match(r.message, message);
        assert.equal(r.column, column);
      });
    }

    it('refuses a text over 1024 characters without reading it', () => {
      const r = refused(`avg(${'A'.repeat(1100)}) > 1 in 1 h`);
      assert.match(r.message, /longer than 1024 characters/);
    });
  });
});
