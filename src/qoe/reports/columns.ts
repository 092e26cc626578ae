/**
 * Which columns of a packed row a report reads. A layout's column list is
 * one array per layout id (series/layouts.ts caches it for good), so the
 * indexes picked are cached per array: a report decides once per layout,
 * not once per row.
 */
import { patternRegExp, type Column } from '../series/values';
import { columnStats, type ColumnStats } from '../series/buckets';

export type ColumnTest = (c: Column) => boolean;

/** Series named by concrete path, by path with "*" for instance numbers, or by alias (as the series reader selects them). */
export function seriesTest(list: readonly string[]): ColumnTest {
  const exact = new Set(list.filter((p) => !p.includes('*')));
  const patterns = list.filter((p) => p.includes('*')).map(patternRegExp);
  return (c) => exact.has(c.path) || (c.alias !== undefined && exact.has(c.alias)) || patterns.some((re) => re.test(c.path));
}

export class Picker {
  private readonly cache = new WeakMap<Column[], number[]>();
  constructor(private readonly test: ColumnTest) {}

  /** The indexes of the columns the test keeps. */
  indexes(columns: Column[]): number[] {
    let picked = this.cache.get(columns);
    if (!picked) {
      picked = [];
      for (let i = 0; i < columns.length; i++) if (this.test(columns[i])) picked.push(i);
      this.cache.set(columns, picked);
    }
    return picked;
  }
}

/** Column i of a rolled-up row, or null when the bucket holds no value of it. */
export function statsAt(values: number[], i: number): ColumnStats | null {
  const s = columnStats(values, i);
  return s.n > 0 && !Number.isNaN(s.avg) ? s : null;
}

/** The sum of the picked columns' bucket averages (a device's rate over several instances), or null when none has a value. */
export function sumOfAverages(values: number[], picked: number[]): number | null {
  let sum = 0;
  let any = false;
  for (const i of picked) {
    const s = statsAt(values, i);
    if (s) {
      sum += s.avg;
      any = true;
    }
  }
  return any ? sum : null;
}
