/**
 * What an expression means on a device's series (pure: the series are given).
 *
 * - The value of a point: rate() and avg() its value (a counter's series holds
 *   its per-second rate; rate() converts it to the threshold's unit), min()
 *   and max() the point's min / max when rolled up (else its value), last()
 *   its value. rate() reads counter series only.
 * - `for D`: the comparison holds at the newest point and at every point
 *   before it back to one at least D older (the run of holding points spans
 *   D). The value reported is the newest point's. The series is read back
 *   D + max(D, 1 h) (readRange): a device reporting less often than max(D,
 *   1 h) never satisfies `for`, nor one whose newest point is older than that.
 * - `in D`: the function over the points of the last D (avg: their mean, min
 *   / max: the extreme, last: the newest, rate: the mean rate), compared
 *   once; reboots: the sum of the reboot points (1 each at raw resolution,
 *   the bucket's count rolled up; 0 without any).
 * - With "*", each matched series is judged alone: the rule holds when one
 *   of them holds (the first, by path, is reported).
 * - No point to judge: the rule does not hold (an open alert clears).
 */
import type { Point, Series } from '../types';
import { rateSeconds } from './expression';
import type { AlertExpression, Comparison } from './types';

/** A `for` window reads this much more than D, to find the point that starts the run. */
const FOR_LOOKBACK_MIN_MS = 3_600_000;

export interface Verdict {
  holds: boolean;
  /** The value compared (in the rule's unit); null when nothing was read. */
  value: number | null;
  /** The series (concrete path) it was read from. */
  path: string | null;
}

/** The time range to read for an evaluation at `at`: the series store's `to` is exclusive, and a point at `at` counts. */
export function readRange(e: AlertExpression, at: number): { from: number; to: number } {
  const back = e.window.mode === 'for' ? e.window.ms + forSlack(e) : e.window.ms;
  return { from: at - back, to: at + 1 };
}

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '>': return value > threshold;
    case '>=': return value >= threshold;
    case '<': return value < threshold;
    case '<=': return value <= threshold;
    case '==': return value === threshold;
    case '!=': return value !== threshold;
  }
}

/** The point's value as the function sees it, in the rule's unit. */
function pointValue(e: AlertExpression, p: Point): number {
  if (e.fn === 'min') return p.min ?? p.value;
  if (e.fn === 'max') return p.max ?? p.value;
  if (e.fn === 'rate') return p.value * rateSeconds(e.unit ?? 's');
  return p.value;
}

/** How far back a `for` window reads beyond D, and how old its newest point may be. */
function forSlack(e: AlertExpression): number {
  return Math.max(e.window.ms, FOR_LOOKBACK_MIN_MS);
}

/** `for`: the newest point (not older than the slack: a device that stopped reporting) back to one at least D older all hold. */
function holdsFor(e: AlertExpression, points: Point[], at: number): Verdict['holds'] {
  const newest = points[points.length - 1].time;
  if (at - newest > forSlack(e)) return false;
  for (let i = points.length - 1; i >= 0; i--) {
    if (!compare(pointValue(e, points[i]), e.op, e.threshold)) return false;
    if (newest - points[i].time >= e.window.ms) return true;
  }
  return false;
}

/** `in`: the function over the points of the window. */
function aggregate(e: AlertExpression, points: Point[]): number {
  const values = points.map((p) => pointValue(e, p));
  switch (e.fn) {
    case 'min': return Math.min(...values);
    case 'max': return Math.max(...values);
    case 'last': return values[values.length - 1];
    // A raw reboot point is 1; a rolled-up one is the number of reboots in its bucket.
    case 'reboots': return values.reduce((a, b) => a + b, 0);
    default: return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

function judgeOne(e: AlertExpression, s: Series, at: number): Verdict {
  const from = at - e.window.ms;
  const points = [...s.points].filter((p) => p.time <= at && (e.window.mode === 'for' || p.time > from)).sort((a, b) => a.time - b.time);
  if (e.fn === 'reboots') {
    const value = aggregate(e, points);
    return { holds: compare(value, e.op, e.threshold), value, path: s.path };
  }
  if (points.length === 0) return { holds: false, value: null, path: s.path };
  if (e.window.mode === 'for') return { holds: holdsFor(e, points, at), value: pointValue(e, points[points.length - 1]), path: s.path };
  const value = aggregate(e, points);
  return { holds: compare(value, e.op, e.threshold), value, path: s.path };
}

/** Whether the expression holds on these series (of one device) at `at`. */
export function judge(e: AlertExpression, series: Series[], at: number): Verdict {
  const usable = series.filter((s) => e.fn !== 'rate' || s.kind === 'counter').sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // No reboot series at all: no reboot was seen.
  if (e.fn === 'reboots' && usable.length === 0) return { holds: compare(0, e.op, e.threshold), value: 0, path: null };
  let first: Verdict | null = null;
  for (const s of usable) {
    const v = judgeOne(e, s, at);
    if (v.holds) return v;
    first ??= v;
  }
  return first ?? { holds: false, value: null, path: null };
}
