import { strict as assert } from 'node:assert';
import path from 'node:path';
import { getNextMillis } from 'bullmq';
import { cronMatches, inWindow, parseCron, previousStart } from '../../../src/presets/cron';
import type { CronSpec } from '../../../src/presets/cron';

function spec(text: string): CronSpec {
  const r = parseCron(text);
  if (!r.ok) assert.fail(`${text}: ${r.message}`);
  return r.spec;
}

const at = (iso: string): number => Date.parse(iso);
const values = (set: boolean[]): number[] => set.flatMap((on, i) => (on ? [i] : []));

describe('presets: cron', function () {
  it('parses *, lists, ranges, steps and names', function () {
    assert.deepEqual(values(spec('*/15 * * * *').minutes), [0, 15, 30, 45]);
    assert.deepEqual(values(spec('0 8-18/2 * * *').hours), [8, 10, 12, 14, 16, 18]);
    assert.deepEqual(values(spec('0 1,5,7-9 * * *').hours), [1, 5, 7, 8, 9]);
    assert.deepEqual(values(spec('5/20 * * * *').minutes), [5, 25, 45], 'n/step runs to the maximum');
    assert.deepEqual(values(spec('0 0 * JAN,mar-May *').months), [1, 3, 4, 5]);
    assert.deepEqual(values(spec('0 0 * * MON-FRI').weekdays), [1, 2, 3, 4, 5]);
    assert.deepEqual(values(spec('0 0 * * 7').weekdays), [0], '7 is Sunday too');
    assert.deepEqual(values(spec('@daily').hours), [0]);
  });

  it('names the field and column of an invalid cron', function () {
    const cases: [string, RegExp, number][] = [
      // The reason is cron-parser's (the scheduler's own parser); the field and column are ours.
      ['0 25 * * *', /hour: .*value 25 expected range 0-23/, 3],
      ['61 * * * *', /minute: .*value 61 expected range 0-59/, 1],
      ['0 0 0 * *', /day of month: .*value 0 expected range 1-31/, 5],
      ['0 0 * 13 *', /month: .*value 13 expected range 1-12/, 7],
      ['0 0 * * 8', /day of week: .*value 8 expected range 0-7/, 9],
      ['0 0 * * FUN', /day of week: .*alias "fun"/, 9],
      ['0 0 * JAN-DEX *', /month: .*alias "dex"/, 11],
      ['*/0 * * * *', /minute: .*repeat at every 0/, 3],
      ['0 5-2 * * *', /hour: Invalid range: 5-2/, 3],
      ['0 1-99/2 * * *', /hour: .*value 99 expected range 0-23/, 5],
      ['0 1,,2 * * *', /hour: empty list item/, 5],
      ['0 0 31 2 *', /day of month: Invalid explicit day of month/, 5],
      ['0 0 L * *', /day of month: 'L' is not .*not supported/, 5],
      ['H * * * *', /minute: 'H' is not .*not supported/, 1],
      ['0 0 * * MON,5#2', /day of week: '5#2' is not .*not supported/, 13],
      ['0 0 ? * *', /day of month: '\?' is not .*not supported/, 5],
      ['0 * * *', /5 fields.*found 4/, 1],
      ['0 * * * * *', /5 fields.*found 6/, 11],
      ['@often', /unknown cron shortcut/, 1],
      ['@midnight', /unknown cron shortcut.*@daily/, 1],
      ['@secondly', /unknown cron shortcut/, 1],
    ];
    for (const [text, message, column] of cases) {
      const r = parseCron(text);
      assert.equal(r.ok, false, text);
      if (!r.ok) {
        assert.match(r.message, message, text);
        assert.equal(r.column, column, text);
      }
    }
  });

  it('matches minutes in UTC, with Vixie day-of-month OR day-of-week', function () {
    const s = spec('30 2 * * *');
    assert.equal(cronMatches(s, at('2024-05-01T02:30:59Z')), true);
    assert.equal(cronMatches(s, at('2024-05-01T02:31:00Z')), false);
    // 2024-05-01 is a Wednesday.
    const both = spec('0 0 13 * FRI');
    assert.equal(cronMatches(both, at('2024-05-13T00:00:00Z')), true, 'the 13th (a Monday)');
    assert.equal(cronMatches(both, at('2024-05-03T00:00:00Z')), true, 'a Friday');
    assert.equal(cronMatches(both, at('2024-05-04T00:00:00Z')), false);
    const onlyDow = spec('0 0 * * FRI');
    assert.equal(cronMatches(onlyDow, at('2024-05-13T00:00:00Z')), false, 'day-of-month * : weekday alone decides');
  });

  it('windows: open from each start for the duration', function () {
    const nightly = spec('0 2 * * *'); // 02:00 UTC for 2 hours
    assert.equal(inWindow(nightly, 7200, at('2024-05-01T02:00:00Z')), true, 'at the start');
    assert.equal(inWindow(nightly, 7200, at('2024-05-01T03:59:59Z')), true, 'inside');
    assert.equal(inWindow(nightly, 7200, at('2024-05-01T04:00:00Z')), false, 'end is exclusive');
    assert.equal(inWindow(nightly, 7200, at('2024-05-01T01:59:59Z')), false, 'before');
    assert.equal(inWindow(nightly, 7200, new Date('2024-05-01T12:00:00Z')), false, 'outside, as a Date');

    const weekdays = spec('0 22 * * MON-FRI'); // 22:00 for 4 h, across midnight
    assert.equal(inWindow(weekdays, 4 * 3600, at('2024-05-04T01:00:00Z')), true, 'Saturday 01:00 is inside Friday\'s window');
    assert.equal(inWindow(weekdays, 4 * 3600, at('2024-05-05T01:00:00Z')), false, 'Sunday 01:00: no Saturday start');

    const quarter = spec('0,30 9-17/4 * * *'); // 9:00, 9:30, 13:00, 13:30, 17:00, 17:30 for 10 min
    assert.equal(inWindow(quarter, 600, at('2024-05-01T13:35:00Z')), true);
    assert.equal(inWindow(quarter, 600, at('2024-05-01T13:45:00Z')), false);
    assert.equal(inWindow(quarter, 600, at('2024-05-01T11:05:00Z')), false, '11 is not in 9-17/4');
  });

  it('finds a start months back without walking every minute', function () {
    const yearly = spec('0 0 1 JAN *');
    const now = at('2024-12-31T23:59:00Z');
    const t0 = process.hrtime.bigint();
    assert.equal(previousStart(yearly, now, now - 366 * 86400_000), at('2024-01-01T00:00:00Z'));
    assert.equal(inWindow(yearly, 366 * 86400, now), true);
    assert.equal(previousStart(yearly, at('2024-06-01T00:00:00Z'), at('2024-02-01T00:00:00Z')), null);
    assert.ok(process.hrtime.bigint() - t0 < 50_000_000n, 'well under 50 ms');
  });

  describe('reads a cron as BullMQ\'s job scheduler does (one parser for both)', function () {
    // Before: "*/2" in the day field counted as unrestricted here, not in BullMQ, and @midnight passed lint
    // but made upsertJobScheduler throw.
    const crons = ['0 0 */2 * MON', '30 4 1-15 * */1', '0 0 13 * FRI', '0 22 * * MON-FRI', '*/20 9-17 * JAN,JUL 1-5', '0 3 * * 7', '@weekly'];
    for (const cron of crons) {
      it(`"${cron}": the window starts are exactly the scheduler's fires`, function () {
        const s = spec(cron);
        let last = at('2024-01-01T00:00:00Z');
        for (let i = 0; i < 60; i++) {
          const next = getNextMillis(last, { pattern: cron, tz: 'UTC' });
          assert.ok(next !== undefined, `${cron} fires after ${new Date(last).toISOString()}`);
          assert.equal(previousStart(s, next, last + 1), next, `${cron}: ${new Date(next).toISOString()} is a start`);
          assert.equal(previousStart(s, next - 60_000, last + 1), null, `${cron}: no start between two fires`);
          last = next;
        }
      });
    }

    it('is the very cron-parser that BullMQ loads', function () {
      const bullmqDir = path.dirname(require.resolve('bullmq'));
      assert.equal(require.resolve('cron-parser', { paths: [bullmqDir] }), require.resolve('cron-parser'));
    });
  });
});
