/**
 * What an expression means on known series (src/qoe/alerts/evaluate.ts):
 * `for` (every point over the window) against `in` (an aggregate of the
 * window), rate units, reboots, "*" series, min/max of rolled-up points.
 * The series come from the in-memory SeriesReader, as the evaluation reads them.
 */
import { strict as assert } from 'node:assert';
import { parseExpression } from '../../src/qoe/alerts/expression';
import { judge, readRange, type Verdict } from '../../src/qoe/alerts/evaluate';
import type { AlertExpression } from '../../src/qoe/alerts/types';
import { REBOOTS_PATH, type Point } from '../../src/qoe/types';
import { MemorySeries, pointsEnding } from './alerts-memory-series';

const MIN = 60_000;
const AT = 1_790_000_000_000;
const DEV = '00D09E-HG8245-EVAL1';
const WAN = 'Device.IP.Interface.1.Stats.ErrorsReceived';

function expr(text: string): AlertExpression {
  const r = parseExpression(text);
  if (!r.ok) assert.fail(r.message);
  return r.expression;
}

/** Judges `text` at AT on the series `m` holds for DEV, read as the evaluation reads them (readRange). */
async function verdict(m: MemorySeries, text: string, at = AT): Promise<Verdict> {
  const e = expr(text);
  const series = await m.series({ device: DEV, profile: 'p', paths: [e.series], ...readRange(e, at) });
  return judge(e, series, at);
}

/** WANErrors (a counter: per-second rates) every 5 minutes up to AT. */
function wan(perSecond: number[]): MemorySeries {
  return new MemorySeries().add(DEV, 'p', WAN, 'counter', pointsEnding(AT, 5 * MIN, perSecond), 'WANErrors');
}

describe('qoe alerts: judging an expression on series', () => {
  describe('for (every point over the window) and in (the window\'s aggregate)', () => {
    it('for 15 min holds once the rate stayed above the threshold at every point spanning 15 minutes', async () => {
      // 0.2/s = 12/min at -15, -10, -5 and 0 min.
      const v = await verdict(wan([0, 0.2, 0.2, 0.2, 0.2]), 'rate(WANErrors) > 10/min for 15 min');
      assert.equal(v.holds, true);
      assert.ok(Math.abs((v.value as number) - 12) < 1e-9, `value ${v.value} per minute`);
      assert.equal(v.path, WAN);
    });

    it('for 15 min does not hold when the run of high points spans less (10 minutes), nor with one dip inside', async () => {
      assert.equal((await verdict(wan([0, 0, 0.2, 0.2, 0.2]), 'rate(WANErrors) > 10/min for 15 min')).holds, false);
      assert.equal((await verdict(wan([0.2, 0.2, 0.1, 0.2, 0.2]), 'rate(WANErrors) > 10/min for 15 min')).holds, false);
    });

    it('a spike holds `in` (the mean of the window) but not `for`', async () => {
      const m = wan([0, 0, 0, 0.6, 0]);
      assert.equal((await verdict(m, 'rate(WANErrors) > 10/min for 15 min')).holds, false);
      // Points in (AT-15 min, AT]: -10, -5, 0 min: (0 + 0.6 + 0) / 3 = 0.2/s = 12/min.
      const v = await verdict(m, 'rate(WANErrors) > 10/min in 15 min');
      assert.equal(v.holds, true);
      assert.ok(Math.abs((v.value as number) - 12) < 1e-9);
    });

    it('a steady rate under the threshold holds neither', async () => {
      const m = wan([0.1, 0.1, 0.1, 0.1, 0.1]);
      assert.equal((await verdict(m, 'rate(WANErrors) > 10/min for 15 min')).holds, false);
      assert.equal((await verdict(m, 'rate(WANErrors) > 10/min in 15 min')).holds, false);
    });

    it('for does not hold on a device whose newest point is older than max(D, 1 h)', async () => {
      const m = wan([0.2, 0.2, 0.2, 0.2]);
      assert.equal((await verdict(m, 'rate(WANErrors) > 10/min for 15 min', AT + 59 * MIN)).holds, true);
      assert.equal((await verdict(m, 'rate(WANErrors) > 10/min for 15 min', AT + 61 * MIN)).holds, false);
    });

    it('reads back D + max(D, 1 h) for `for`, D for `in`', () => {
      // `to` past AT: the series store's end is exclusive.
      assert.deepEqual(readRange(expr('avg(X) > 1 for 15 min'), AT), { from: AT - 75 * MIN, to: AT + 1 });
      assert.deepEqual(readRange(expr('avg(X) > 1 for 2 h'), AT), { from: AT - 240 * MIN, to: AT + 1 });
      assert.deepEqual(readRange(expr('avg(X) > 1 in 1 d'), AT), { from: AT - 1440 * MIN, to: AT + 1 });
    });
  });

  describe('rate units', () => {
    it('converts the stored per-second rate into the threshold\'s unit: /s, /min, /h', async () => {
      const m = wan([0.5, 0.5, 0.5]);
      const value = async (text: string) => (await verdict(m, text)).value;
      assert.equal(await value('rate(WANErrors) > 0.4 in 10 min'), 0.5);
      assert.equal(await value('rate(WANErrors) > 0.4/s in 10 min'), 0.5);
      assert.equal(await value('rate(WANErrors) > 29/min in 10 min'), 30);
      assert.equal(await value('rate(WANErrors) > 1799/h in 10 min'), 1800);
      assert.equal((await verdict(m, 'rate(WANErrors) > 30/min in 10 min')).holds, false, '30/min is not above 30/min');
      assert.equal((await verdict(m, 'rate(WANErrors) >= 30/min in 10 min')).holds, true);
      assert.equal((await verdict(m, 'rate(WANErrors) > 1801/h in 10 min')).holds, false);
    });

    it('rate() reads counter series only: a gauge of the same name is not judged', async () => {
      const m = new MemorySeries().add(DEV, 'p', 'Device.DeviceInfo.MemoryStatus.Free', 'gauge', pointsEnding(AT, 5 * MIN, [5000, 5000]), 'Free');
      assert.deepEqual(await verdict(m, 'rate(Free) > 1 in 10 min'), { holds: false, value: null, path: null });
      assert.equal((await verdict(m, 'avg(Free) > 1 in 10 min')).holds, true);
    });
  });

  describe('reboots', () => {
    const reboots = (times: number[]) => new MemorySeries().add(DEV, 'p', REBOOTS_PATH, 'gauge', times.map((time) => ({ time, value: 1 })));
    const HOUR = 60 * MIN;

    it('counts the reboot points of the window: 4 in the last day hold `> 3`, one older than a day is not counted', async () => {
      const m = reboots([AT - 30 * HOUR, AT - 20 * HOUR, AT - 10 * HOUR, AT - 2 * HOUR, AT - MIN]);
      const v = await verdict(m, 'reboots > 3 in 1 day');
      assert.deepEqual(v, { holds: true, value: 4, path: REBOOTS_PATH });
      assert.equal((await verdict(m, 'reboots > 4 in 1 day')).holds, false);
      assert.equal((await verdict(m, 'reboots > 1 in 1 h')).holds, false, 'one reboot in the last hour');
    });

    it('a rolled-up reboot point counts the reboots of its bucket', async () => {
      const m = new MemorySeries().add(DEV, 'p', REBOOTS_PATH, 'gauge', [{ time: AT - 3 * HOUR, value: 3, min: 1, max: 1 }, { time: AT - HOUR, value: 1, min: 1, max: 1 }]);
      assert.deepEqual(await verdict(m, 'reboots > 3 in 1 day'), { holds: true, value: 4, path: REBOOTS_PATH });
    });

    it('no reboot series at all counts 0 reboots', async () => {
      const m = new MemorySeries();
      assert.deepEqual(await verdict(m, 'reboots > 3 in 1 day'), { holds: false, value: 0, path: null });
      assert.equal((await verdict(m, 'reboots == 0 in 1 day')).holds, true);
    });
  });

  describe('functions and "*" series', () => {
    const rolled: Point[] = [
      { time: AT - 60 * MIN, value: 50, min: 20, max: 95 },
      { time: AT - 30 * MIN, value: 40, min: 35, max: 60 },
      { time: AT, value: 45, min: 30, max: 70 },
    ];
    const cpu = () => new MemorySeries().add(DEV, 'p', 'Device.DeviceInfo.ProcessStatus.CPUUsage', 'gauge', rolled, 'CPU');

    it('in: avg the mean of the values, max / min the extremes of the points\' max / min, last the newest value', async () => {
      const m = cpu();
      assert.equal((await verdict(m, 'avg(CPU) > 0 in 2 h')).value, 45);
      assert.equal((await verdict(m, 'max(CPU) > 0 in 2 h')).value, 95);
      assert.equal((await verdict(m, 'min(CPU) > 0 in 2 h')).value, 20);
      assert.equal((await verdict(m, 'last(CPU) > 0 in 2 h')).value, 45);
      assert.equal((await verdict(m, 'max(CPU) > 0 in 45 min')).value, 70, 'the point at -60 min is out of the window');
    });

    it('for: max() judges each point\'s max, min() each point\'s min', async () => {
      const m = cpu();
      assert.equal((await verdict(m, 'max(CPU) > 55 for 1 h')).holds, true);
      assert.equal((await verdict(m, 'max(CPU) > 65 for 1 h')).holds, false);
      assert.equal((await verdict(m, 'min(CPU) >= 20 for 1 h')).holds, true);
      assert.equal((await verdict(m, 'avg(CPU) < 45 for 1 h')).holds, false, 'avg 50 and 45 are not below 45');
    });

    it('with "*", each matched series is judged alone and one that holds makes the rule hold, naming its path', async () => {
      const noise = (i: number) => `Device.WiFi.Radio.${i}.Stats.Noise`;
      const m = new MemorySeries()
        .add(DEV, 'p', noise(1), 'gauge', pointsEnding(AT, 10 * MIN, [-90, -92, -91, -90]))
        .add(DEV, 'p', noise(2), 'gauge', pointsEnding(AT, 10 * MIN, [-65, -60, -62, -64]));
      const v = await verdict(m, 'avg(Device.WiFi.Radio.*.Stats.Noise) > -70 for 30 min');
      assert.deepEqual(v, { holds: true, value: -64, path: noise(2) });
      const none = await verdict(m, 'avg(Device.WiFi.Radio.*.Stats.Noise) > -50 for 30 min');
      assert.equal(none.holds, false);
      assert.equal(none.path, noise(1), 'the first series by path is reported when none holds');
    });

    it('a series without a point in the window does not hold, with no value', async () => {
      const m = new MemorySeries().add(DEV, 'p', WAN, 'counter', [{ time: AT - 5 * 3_600_000, value: 9 }], 'WANErrors');
      assert.deepEqual(await verdict(m, 'rate(WANErrors) > 1/min in 1 h'), { holds: false, value: null, path: WAN });
      assert.deepEqual(await verdict(m, 'avg(Missing) > 1 in 1 h'), { holds: false, value: null, path: null });
    });
  });
});
