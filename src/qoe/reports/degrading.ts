/**
 * Degrading lines: devices whose error counters (or a named series) rose.
 * Per device, the picked columns' averages are summed per bucket (errors
 * received + sent, every line), and averaged over time in two windows: the
 * last one ending at `to` and the one before it. A device degrades when
 * both windows have data and the last is higher, at least `ratio` times the
 * previous one and by at least `minIncrease` (per second, or per unit of a
 * gauge). Listed by increase, largest first.
 */
import { Picker, seriesTest, sumOfAverages, type ColumnTest } from './columns';
import type { FleetDevice } from './fleet';
import type { DegradingParams } from './params';
import type { BucketRow, Visitor } from './scan';
import { round, TopN } from './stats';
import type { ReportRow } from './types';

/** Counters whose name says they count errors: interface errors, DSL errored seconds, CRC and FEC errors. */
const ERROR_COUNTER = /(Errors(Sent|Received)?|ErroredSecs|CRCErrors|FECErrors)$/;

export function errorCounters(): ColumnTest {
  return (c) => c.kind === 'counter' && ERROR_COUNTER.test(c.path);
}

interface Windows {
  /** Σ value × seconds and Σ seconds, previous window then last. */
  prev: [number, number];
  last: [number, number];
}

export const DEGRADING_COLUMNS = ['rank', 'device', 'productClass', 'softwareVersion', 'previous', 'last', 'increase', 'ratio', 'unit'];

interface Found {
  d: FleetDevice;
  previous: number;
  last: number;
}

export class DegradingVisitor implements Visitor {
  private readonly picker: Picker;
  private readonly open = new Map<number, Windows>();
  private readonly top: TopN<Found>;
  kind: 'counter' | 'gauge' | null = null;

  constructor(private readonly p: Pick<DegradingParams, 'series' | 'ratio' | 'minIncrease' | 'limit'>, private readonly split: number) {
    this.picker = new Picker(p.series ? seriesTest(p.series) : errorCounters());
    this.top = new TopN(p.limit);
  }

  row(device: FleetDevice, b: BucketRow): void {
    const picked = this.picker.indexes(b.columns);
    const v = sumOfAverages(b.values, picked);
    if (v === null) return;
    this.kind ??= b.columns[picked[0]].kind;
    let w = this.open.get(device.stream);
    if (!w) this.open.set(device.stream, (w = { prev: [0, 0], last: [0, 0] }));
    const into = b.time >= this.split ? w.last : w.prev;
    into[0] += v * b.seconds;
    into[1] += b.seconds;
  }

  flush(devices: FleetDevice[]): void {
    for (const d of devices) {
      const w = this.open.get(d.stream);
      if (!w || w.prev[1] === 0 || w.last[1] === 0) continue;
      const previous = w.prev[0] / w.prev[1];
      const last = w.last[0] / w.last[1];
      if (last > previous && last >= previous * this.p.ratio && last - previous >= this.p.minIncrease) {
        this.top.add(last - previous, { d: { ...d, tags: [] }, previous, last });
      }
    }
    this.open.clear();
  }

  /** Devices that degrade, all of them (the rows are the `limit` first). */
  get matched(): number {
    return this.top.seen;
  }

  rows(): ReportRow[] {
    const unit = this.kind === 'gauge' ? 'value' : 'per-second';
    return this.top.result().map(({ d, previous, last }, i) => ({
      rank: i + 1, device: d.key, productClass: d.productClass, softwareVersion: d.softwareVersion,
      previous: round(previous, 6), last: round(last, 6), increase: round(last - previous, 6), ratio: previous > 0 ? round(last / previous, 3) : null, unit,
    }));
  }
}
