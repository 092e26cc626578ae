/**
 * A SeriesReader over series held in memory, fed with known points: the
 * alert tests' stand-in for the series store (src/qoe/series, another
 * part), so that rules are judged on exactly the points a test gives. As
 * the store, `to` is exclusive.
 */
import type { DeviceKey, EpochMs } from '../../src/db/types';
import type { Point, Series, SeriesKind, SeriesQuery, SeriesReader } from '../../src/qoe/types';

interface Held extends Series {
  alias?: string;
}

/** "Device.A.*.B" → a pattern where "*" is one instance number. */
function pathPattern(path: string): RegExp {
  const escaped = path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('\\d+');
  return new RegExp(`^${escaped}$`);
}

export class MemorySeries implements SeriesReader {
  readonly held: Held[] = [];
  /** Every query asked, for tests that check what was read. */
  readonly queries: SeriesQuery[] = [];
  /** The `since` of every devicesWithFramesSince call. */
  readonly sinceAsked: EpochMs[] = [];

  /** Adds points to the device's series (created on first use). */
  add(device: DeviceKey, profile: string, path: string, kind: SeriesKind, points: Point[], alias?: string): this {
    let s = this.held.find((h) => h.device === device && h.profile === profile && h.path === path);
    if (!s) {
      s = { device, profile, path, kind, unit: kind === 'counter' ? 'per-second' : 'value', resolution: 'raw', points: [], alias };
      this.held.push(s);
    }
    s.points.push(...points);
    s.points.sort((a, b) => a.time - b.time);
    return this;
  }

  async series(q: SeriesQuery): Promise<Series[]> {
    this.queries.push(q);
    const wanted = (s: Held) => q.paths === undefined || q.paths.some((p) => p === s.alias || pathPattern(p).test(s.path));
    return this.held
      .filter((s) => s.device === q.device && (q.profile === undefined || s.profile === q.profile) && wanted(s))
      .map(({ alias: _alias, ...s }) => ({ ...s, points: s.points.filter((p) => p.time >= q.from && p.time < q.to) }));
  }

  async devicesWithFramesSince(profile: string, since: EpochMs, limit: number, after?: DeviceKey): Promise<DeviceKey[]> {
    this.sinceAsked.push(since);
    const keys = new Set(this.held.filter((s) => s.profile === profile && s.points.some((p) => p.time >= since)).map((s) => s.device));
    return [...keys].filter((k) => after === undefined || k > after).sort().slice(0, limit);
  }
}

/** Points every `stepMs` ending at `end`, with the given values (oldest first). */
export function pointsEnding(end: EpochMs, stepMs: number, values: number[]): Point[] {
  return values.map((value, i) => ({ time: end - (values.length - 1 - i) * stepMs, value }));
}
