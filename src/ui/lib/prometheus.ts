/**
 * Just enough of the Prometheus text exposition format (GET /metrics) for
 * the overview: samples of counters and gauges with their labels. Comments,
 * histograms' buckets and timestamps are read past.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

const unescape = (v: string): string => v.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(LABEL)) labels[k] = unescape(v);
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** One metric's values by one label, largest first (zeros left out). */
export function byLabel(samples: Sample[], name: string, label: string): [string, number][] {
  const totals = new Map<string, number>();
  for (const s of samples) if (s.name === name && s.value > 0) totals.set(s.labels[label] ?? '', (totals.get(s.labels[label] ?? '') ?? 0) + s.value);
  return [...totals].sort((a, b) => b[1] - a[1]);
}
