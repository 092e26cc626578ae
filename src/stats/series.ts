/**
 * The fleet statistics' series: what is counted, and the short names the
 * counts are kept under (Redis hash fields, fleet_stats.series). A name is
 * a kind letter, a colon and a label value that labels.ts bounds, so a CPE
 * cannot grow the number of series.
 */

/** s: sessions by outcome; e: Inform events by code; f: CPE faults by CWMP fault code; c: channel faults by code. */
export type SeriesKind = 's' | 'e' | 'f' | 'c';

/** Counts by series name, e.g. { "s:completed": 12, "f:9002": 1 }. */
export type Counts = Map<string, number>;

/** Longest series name kept (the column holds 80); a longer one cannot come from labels.ts. */
export const SERIES_MAX = 80;

export function seriesName(kind: SeriesKind, label: string): string {
  return `${kind}:${label}`.slice(0, SERIES_MAX);
}

/** The kind and label of a name; null for a name this version does not know (a newer process wrote it). */
export function parseSeries(name: string): { kind: SeriesKind; label: string } | null {
  const kind = name[0];
  if (name[1] !== ':' || (kind !== 's' && kind !== 'e' && kind !== 'f' && kind !== 'c')) return null;
  return { kind, label: name.slice(2) };
}

/** Adds `n` to `counts[name]`. */
export function add(counts: Counts, name: string, n: number): void {
  if (n !== 0) counts.set(name, (counts.get(name) ?? 0) + n);
}

/** Session outcomes that began with an Inform: every one of them is one Inform answered (commit_failed is a retry of one). */
export const INFORM_OUTCOMES = ['quiet', 'completed', 'timeout', 'replaced'] as const;
