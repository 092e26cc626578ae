/**
 * Buckets of a rollup: per stream, bucket and column, min, max, average and
 * count of the values (a raw value v counts as v, v, v, 1), so a coarser
 * bucket is exact from finer ones (averages weighted by count).
 *
 * A rolled-up row's values (codec.ts) are the row's count N, then per column
 * min, max, avg and its count, that count left missing (2 bits) when it is N,
 * as it is for every column but those with gaps (a counter's reset).
 */
import type { Column } from './values';

export interface Agg {
  column: Column;
  min: number;
  max: number;
  sum: number;
  n: number;
}

export interface Bucket {
  stream: number;
  time: number;
  aggs: Map<string, Agg>;
}

/** Keyed "stream:time". */
export type Buckets = Map<string, Bucket>;

export interface ColumnStats {
  min: number;
  max: number;
  avg: number;
  n: number;
}

function add(aggs: Map<string, Agg>, column: Column, s: ColumnStats): void {
  if (!(s.n > 0) || Number.isNaN(s.avg)) return;
  const a = aggs.get(column.path);
  if (!a) aggs.set(column.path, { column, min: s.min, max: s.max, sum: s.avg * s.n, n: s.n });
  else {
    a.min = Math.min(a.min, s.min);
    a.max = Math.max(a.max, s.max);
    a.sum += s.avg * s.n;
    a.n += s.n;
  }
}

/** Column i of a rolled-up row's values. */
export function columnStats(values: number[], i: number): ColumnStats {
  const n = values[1 + 4 * i + 3];
  return { min: values[1 + 4 * i], max: values[1 + 4 * i + 1], avg: values[1 + 4 * i + 2], n: Number.isNaN(n) ? values[0] : n };
}

/** Adds a source row (raw when `raw`, else rolled up) to the bucket of `start` it falls in. */
export function accumulate(buckets: Buckets, start: number, row: { stream: number; columns: Column[]; values: number[] }, raw: boolean): void {
  const key = `${row.stream}:${start}`;
  let b = buckets.get(key);
  if (!b) buckets.set(key, (b = { stream: row.stream, time: start, aggs: new Map() }));
  row.columns.forEach((c, i) => {
    const v = row.values[i];
    add(b.aggs, c, raw ? { min: v, max: v, avg: v, n: 1 } : columnStats(row.values, i));
  });
}

/** A bucket's columns (by path) and its row's values. */
export function bucketRow(b: Bucket): { columns: Column[]; values: number[] } {
  const aggs = [...b.aggs.values()].sort((x, y) => (x.column.path < y.column.path ? -1 : 1));
  const count = Math.max(0, ...aggs.map((a) => a.n));
  return { columns: aggs.map((a) => a.column), values: [count, ...aggs.flatMap((a) => [a.min, a.max, a.sum / a.n, a.n === count ? NaN : a.n])] };
}
