/**
 * Percentiles of one series across the fleet: each device's series over the
 * range (one sample per device and concrete path, so a path with "*" over
 * associated devices ranks every associated device) reduced to its average
 * (weighted by the values each bucket holds), minimum or maximum, then the
 * percentiles of those samples per group.
 */
import { Picker, seriesTest, statsAt } from './columns';
import { groupsOf, type FleetDevice } from './fleet';
import type { PercentilesParams } from './params';
import type { BucketRow, Visitor } from './scan';
import { byGroupKey, percentile, round, Samples } from './stats';
import type { ReportRow } from './types';

interface PathStats {
  sum: number;
  n: number;
  min: number;
  max: number;
}

interface Group {
  devices: number;
  samples: Samples;
  min: number;
  max: number;
}

class PercentileVisitor implements Visitor {
  readonly picker: Picker;
  /** The kind of the first column seen: what the unit is. */
  kind: 'counter' | 'gauge' | null = null;
  private readonly open = new Map<number, Map<string, PathStats>>();
  readonly groups = new Map<string | null, Group>();

  constructor(private readonly p: Pick<PercentilesParams, 'series' | 'stat' | 'groupBy'>) {
    this.picker = new Picker(seriesTest([p.series]));
  }

  row(device: FleetDevice, b: BucketRow): void {
    for (const i of this.picker.indexes(b.columns)) {
      const s = statsAt(b.values, i);
      if (!s) continue;
      this.kind ??= b.columns[i].kind;
      let paths = this.open.get(device.stream);
      if (!paths) this.open.set(device.stream, (paths = new Map()));
      const path = b.columns[i].path;
      const a = paths.get(path);
      if (!a) paths.set(path, { sum: s.avg * s.n, n: s.n, min: s.min, max: s.max });
      else {
        a.sum += s.avg * s.n;
        a.n += s.n;
        a.min = Math.min(a.min, s.min);
        a.max = Math.max(a.max, s.max);
      }
    }
  }

  flush(devices: FleetDevice[]): void {
    for (const d of devices) {
      const paths = this.open.get(d.stream);
      if (paths) this.addDevice(d, paths);
    }
    this.open.clear();
  }

  private addDevice(d: FleetDevice, paths: Map<string, PathStats>): void {
    for (const key of groupsOf(d, this.p.groupBy)) {
      let g = this.groups.get(key);
      if (!g) this.groups.set(key, (g = { devices: 0, samples: new Samples(), min: Infinity, max: -Infinity }));
      g.devices++;
      for (const a of paths.values()) {
        const v = this.p.stat === 'avg' ? a.sum / a.n : this.p.stat === 'min' ? a.min : a.max;
        g.samples.push(v);
        g.min = Math.min(g.min, v);
        g.max = Math.max(g.max, v);
      }
    }
  }
}

export function percentileColumns(percentiles: number[]): string[] {
  return ['group', 'devices', 'samples', 'unit', 'min', 'mean', ...percentiles.map((p) => `p${p}`), 'max'];
}

export function percentilesReport(p: Pick<PercentilesParams, 'series' | 'stat' | 'groupBy' | 'percentiles'>): { visitor: Visitor; rows: () => ReportRow[] } {
  const visitor = new PercentileVisitor(p);
  const rows = () => {
    const unit = visitor.kind === 'counter' ? 'per-second' : 'value';
    return [...visitor.groups.entries()]
      .sort(byGroupKey)
      .map(([key, g]) => {
        const sorted = g.samples.sorted();
        const row: ReportRow = { group: key, devices: g.devices, samples: g.samples.count, unit, min: round(g.min, 6), mean: round(g.samples.mean(), 6) };
        for (const q of p.percentiles) row[`p${q}`] = round(percentile(sorted, q), 6);
        row.max = round(g.max, 6);
        return row;
      });
  };
  return { visitor, rows };
}
