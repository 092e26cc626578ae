/**
 * The fleet statistics' time arithmetic, without servers: buckets aligned on
 * multiples of their step (UTC), the range's last partial bucket included,
 * and when a minute counts as finished for the mover.
 */
import { strict as assert } from 'node:assert';
import { bucketsOf } from '../../src/stats/history';
import { minuteOf } from '../../src/stats/keys';
import { firstOpenMinute } from '../../src/stats/mover';
import { parseSeries, seriesName } from '../../src/stats/series';

const at = (iso: string): number => Date.parse(iso);

describe('fleet statistics: buckets and minutes', () => {
  it('aligns buckets on the step and keeps the partial last one', () => {
    const b = bucketsOf(at('2026-12-04T10:07:30Z'), at('2026-12-04T12:02:00Z'), '1h');
    assert.equal(b.first * 60_000, at('2026-12-04T10:00:00Z'));
    assert.equal(b.count, 3, '10:00, 11:00 and 12:00');
    const five = bucketsOf(at('2026-12-04T10:07:30Z'), at('2026-12-04T10:20:00Z'), '5m');
    assert.equal(five.first * 60_000, at('2026-12-04T10:05:00Z'));
    assert.equal(five.count, 3, '10:05, 10:10, 10:15: 10:20 itself is not in [from, to)');
    assert.equal(bucketsOf(at('2026-12-04T10:00:00Z'), at('2026-12-05T10:00:00Z'), '1m').count, 1440);
  });

  it('counts a minute finished a flush interval and some slack after its end', () => {
    const end = at('2026-12-04T10:01:00Z');
    assert.equal(firstOpenMinute(end + 10_000, 10_000), minuteOf(end) - 1, '10:00 may still get a late flush');
    assert.equal(firstOpenMinute(end + 15_000, 10_000), minuteOf(end), '10:00 is finished');
  });

  it('names series by kind and label, and leaves unknown names out', () => {
    assert.deepEqual(parseSeries(seriesName('e', '0 BOOTSTRAP')), { kind: 'e', label: '0 BOOTSTRAP' });
    assert.deepEqual(parseSeries('c:cwmp.9007'), { kind: 'c', label: 'cwmp.9007' });
    assert.equal(parseSeries('x:future'), null);
    assert.equal(seriesName('c', 'y'.repeat(200)).length, 80);
  });
});
