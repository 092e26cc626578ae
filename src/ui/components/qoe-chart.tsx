/**
 * A time chart for QoE series: several lines (or bars) on a time axis from
 * `from` to `to`, drawn as SVG the way the overview's charts are (no chart
 * library). Unlike those, the points are not evenly spaced (collections come
 * when they come, rolled-up buckets have gaps), so x is the time itself and a
 * line breaks where samples are missing. Each chart is an image with a title
 * and a description in words, a legend that also tells lines apart by dash,
 * and a button that shows its numbers as a table.
 */
import { useState } from 'preact/hooks';
import { niceMax } from './fleet-charts';
import type { ChartLine, ChartPoint } from './qoe-groups';

const W = 720;
const H = 190;
const PAD = { left: 56, right: 10, top: 10, bottom: 22 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;
const DAY_MS = 86_400_000;
/** Lines told apart by colour and by dash: the colour is never the only clue. */
export const LINE_STYLES = 6;
/** Rows of a chart's table at most (a 30-day chart has 720 hourly points). */
const TABLE_ROWS = 400;


export interface TimeChartProps {
  id: string;
  title: string;
  from: number;
  to: number;
  lines: ChartLine[];
  /** A value as read, with its unit ("12.5 Mbit/s"). */
  format: (v: number) => string;
  /** A value on the axis, short ("12.5M"). */
  short: (v: number) => string;
  /** Events (reboots): a bar at each point instead of a line. */
  bars?: boolean;
  /** Said after the description, e.g. how many lines were left out. */
  note?: string;
}

const hhmm = (t: number): string => new Date(t).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
const day = (t: number): string => new Date(t).toLocaleDateString('en-GB', { day: 'numeric', month: 'short' });
export const when = (t: number): string => `${day(t)} ${hhmm(t)}`;

/** The axis's bottom and top: from 0 (or a nice negative bottom, for dBm) to a nice top. */
function scaleOf(lines: ChartLine[]): { lo: number; hi: number } {
  let min = 0;
  let max = 0;
  for (const l of lines) {
    for (const p of l.points) {
      min = Math.min(min, p.value);
      max = Math.max(max, p.value);
    }
  }
  const hi = max > 0 ? niceMax(max) : min < 0 ? 0 : 1;
  return { lo: min < 0 ? -niceMax(-min) : 0, hi };
}

/** Where the time labels go: every 6 h for a day or so; local midnights beyond, every day for up to 10 days, else every 5th. */
function ticksOf(from: number, to: number): { at: number; label: string }[] {
  const span = to - from;
  const d = new Date(from);
  const out: { at: number; label: string }[] = [];
  if (span <= 1.5 * DAY_MS) {
    d.setMinutes(0, 0, 0);
    for (; d.getTime() <= to; d.setHours(d.getHours() + 1)) if (d.getTime() >= from && d.getHours() % 6 === 0) out.push({ at: d.getTime(), label: hhmm(d.getTime()) });
    return out;
  }
  d.setHours(0, 0, 0, 0);
  for (; d.getTime() <= to; d.setDate(d.getDate() + 1)) if (d.getTime() >= from) out.push({ at: d.getTime(), label: day(d.getTime()) });
  const every = span <= 10 * DAY_MS ? 1 : 5;
  return out.filter((_, i) => i % every === 0);
}

/** Runs of points with no gap longer than 3 times the usual spacing: a line is drawn through each run, not across a gap. */
export function runsOf(points: ChartPoint[]): ChartPoint[][] {
  if (points.length < 2) return points.length ? [points] : [];
  const gaps = points.slice(1).map((p, i) => p.time - points[i].time).sort((a, b) => a - b);
  const limit = 3 * gaps[Math.floor(gaps.length / 2)];
  const runs: ChartPoint[][] = [[points[0]]];
  for (let i = 1; i < points.length; i++) {
    if (points[i].time - points[i - 1].time > limit) runs.push([]);
    runs[runs.length - 1].push(points[i]);
  }
  return runs;
}

interface Scale {
  x: (t: number) => number;
  y: (v: number) => number;
}

function Axes(props: { lo: number; hi: number; s: Scale; from: number; to: number; short: (v: number) => string }) {
  const marks = [...new Set([props.lo, props.lo < 0 && props.hi > 0 ? 0 : (props.lo + props.hi) / 2, props.hi])];
  return (
    <g class="axes" aria-hidden="true">
      {marks.map((v) => (
        <g key={v}>
          <line x1={PAD.left} x2={W - PAD.right} y1={props.s.y(v)} y2={props.s.y(v)} />
          <text x={PAD.left - 6} y={props.s.y(v) + 4} text-anchor="end">{props.short(v)}</text>
        </g>
      ))}
      {ticksOf(props.from, props.to).map((t) => <text key={t.at} x={props.s.x(t.at)} y={H - 6} text-anchor="middle">{t.label}</text>)}
    </g>
  );
}

function Line(props: { line: ChartLine; index: number; s: Scale }) {
  const cls = `q${props.index % LINE_STYLES}`;
  return (
    <g class={`series ${cls}`}>
      {runsOf(props.line.points).map((run) =>
        run.length === 1 ? (
          <circle key={run[0].time} cx={props.s.x(run[0].time)} cy={props.s.y(run[0].value)} r={2.5} />
        ) : (
          <polyline key={run[0].time} points={run.map((p) => `${props.s.x(p.time).toFixed(1)},${props.s.y(p.value).toFixed(1)}`).join(' ')} />
        ),
      )}
    </g>
  );
}

function Bars(props: { line: ChartLine; s: Scale }) {
  return (
    <g class="series bars q0">
      {props.line.points.map((p) => (
        <rect key={p.time} x={props.s.x(p.time) - 2} width={4} y={props.s.y(p.value)} height={props.s.y(0) - props.s.y(p.value)} data-value={p.value} />
      ))}
    </g>
  );
}

/** One line in words: its latest value, its peak and when, its mean. */
function summary(l: ChartLine, format: (v: number) => string): string {
  if (l.points.length === 0) return `${l.name}: no samples`;
  const last = l.points[l.points.length - 1];
  const peak = l.points.reduce((a, p) => (p.value > a.value ? p : a));
  const mean = l.points.reduce((a, p) => a + p.value, 0) / l.points.length;
  return `${l.name}: latest ${format(last.value)} (${when(last.time)}), peak ${format(peak.value)} at ${when(peak.time)}, mean ${format(mean)}`;
}

export function describe(p: TimeChartProps): string {
  const n = p.lines.reduce((a, l) => a + l.points.length, 0);
  if (n === 0) return `No samples from ${when(p.from)} to ${when(p.to)}.`;
  if (p.bars) {
    const times = p.lines.flatMap((l) => l.points.map((pt) => when(pt.time)));
    const total = p.lines.reduce((a, l) => a + l.points.reduce((b, pt) => b + pt.value, 0), 0);
    return `${p.format(total)} from ${when(p.from)} to ${when(p.to)}: ${times.join(', ')}.${p.note ? ` ${p.note}` : ''}`;
  }
  const lines = p.lines.map((l) => summary(l, p.format)).join('; ');
  return `${n} samples from ${when(p.from)} to ${when(p.to)}. ${lines}.${p.note ? ` ${p.note}` : ''}`;
}

/** The chart's numbers: one row per time, newest first; a column per line. */
function ValuesTable(props: { lines: ChartLine[]; format: (v: number) => string }) {
  const byTime = new Map<number, (number | undefined)[]>();
  props.lines.forEach((l, i) => l.points.forEach((p) => {
    const row = byTime.get(p.time) ?? props.lines.map(() => undefined);
    row[i] = p.value;
    byTime.set(p.time, row);
  }));
  const rows = [...byTime.entries()].sort((a, b) => b[0] - a[0]);
  if (rows.length === 0) return <p class="none">No samples in this range.</p>;
  return (
    <>
      <table class="list">
        <thead><tr><th>Time</th>{props.lines.map((l) => <th key={l.name}>{l.name}</th>)}</tr></thead>
        <tbody>
          {rows.slice(0, TABLE_ROWS).map(([t, vs]) => (
            <tr key={t}><td class="when">{when(t)}</td>{vs.map((v, j) => <td key={props.lines[j].name}>{v === undefined ? '' : props.format(v)}</td>)}</tr>
          ))}
        </tbody>
      </table>
      {rows.length > TABLE_ROWS && <p class="hint">The newest {TABLE_ROWS} of {rows.length} rows.</p>}
    </>
  );
}

/** Which line is which: the colour and the dash of each, named (the table and the description name them too). */
function Legend(props: { lines: ChartLine[] }) {
  if (props.lines.length < 2) return null;
  return (
    <ul class="qoe-legend" aria-hidden="true">
      {props.lines.map((l, i) => (
        <li key={l.name}>
          <svg class={`swatch q${i % LINE_STYLES}`} viewBox="0 0 24 8" width="24" height="8"><line x1="0" y1="4" x2="24" y2="4" /></svg>
          {l.name}
        </li>
      ))}
    </ul>
  );
}

export function TimeChart(p: TimeChartProps) {
  const [table, setTable] = useState(false);
  const { lo, hi } = scaleOf(p.lines);
  const s: Scale = {
    x: (t) => PAD.left + ((t - p.from) / Math.max(p.to - p.from, 1)) * PLOT_W,
    y: (v) => PAD.top + PLOT_H - ((v - lo) / (hi - lo)) * PLOT_H,
  };
  const points = p.lines.reduce((a, l) => a + l.points.length, 0);
  return (
    <figure class="qoe-chart" aria-label={p.title}>
      <figcaption>{p.title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${p.id}-t`} aria-describedby={`${p.id}-d`} data-points={points}>
        <title id={`${p.id}-t`}>{p.title}</title>
        <desc id={`${p.id}-d`}>{describe(p)}</desc>
        <Axes lo={lo} hi={hi} s={s} from={p.from} to={p.to} short={p.short} />
        {p.bars ? p.lines.map((l) => <Bars key={l.name} line={l} s={s} />) : p.lines.map((l, i) => <Line key={l.name} line={l} index={i} s={s} />)}
      </svg>
      <Legend lines={p.lines} />
      <button type="button" class="small" aria-expanded={table} aria-controls={`${p.id}-table`} onClick={() => setTable(!table)}>
        {table ? 'Hide the table' : 'Show as a table'}<span class="sr-only"> of {p.title}</span>
      </button>
      <div id={`${p.id}-table`} class="chart-table">{table && <ValuesTable lines={p.lines} format={p.format} />}</div>
    </figure>
  );
}
