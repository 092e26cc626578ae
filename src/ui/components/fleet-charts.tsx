/**
 * Small SVG charts for the overview (no chart library: a line and stacked
 * bars are a few dozen lines each). Every chart is an image with a title and
 * a description in words, and a button that shows its numbers as a table.
 */
import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

const W = 720;
const H = 170;
const PAD = { left: 52, right: 8, top: 10, bottom: 22 };
const PLOT_W = W - PAD.left - PAD.right;
const PLOT_H = H - PAD.top - PAD.bottom;

/** 1, 2 or 5 times a power of ten, at or above `v` (the axis's top). */
export function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((k) => k * p).find((c) => c >= v) ?? 10 * p;
}

const fmt = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en') : n.toLocaleString('en', { maximumFractionDigits: 1 }));
const hhmm = (t: number): string => new Date(t).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });

const x = (i: number, n: number): number => PAD.left + (n <= 1 ? 0 : (i / (n - 1)) * PLOT_W);
const y = (v: number, top: number): number => PAD.top + PLOT_H - (v / top) * PLOT_H;

/** Gridlines at 0, half and the top, with their values; the time every 6 hours. */
function Axes(props: { top: number; times: number[]; at: (i: number) => number }) {
  const marks = props.times.map((t, i) => [t, i] as const).filter(([t]) => new Date(t).getMinutes() === 0 && new Date(t).getHours() % 6 === 0);
  return (
    <g class="axes" aria-hidden="true">
      {[0, props.top / 2, props.top].map((v) => (
        <g key={v}>
          <line x1={PAD.left} x2={W - PAD.right} y1={y(v, props.top)} y2={y(v, props.top)} />
          <text x={PAD.left - 6} y={y(v, props.top) + 4} text-anchor="end">{fmt(v)}</text>
        </g>
      ))}
      {marks.map(([t, i]) => <text key={t} x={props.at(i)} y={H - 6} text-anchor="middle">{hhmm(t)}</text>)}
    </g>
  );
}

/** A chart's frame: the figure, its caption, the image, and the table toggle. */
function Figure(props: { id: string; title: string; desc: string; peak: number; svg: ComponentChildren; table: () => ComponentChildren }) {
  const [table, setTable] = useState(false);
  return (
    <figure class="chart" aria-label={props.title}>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${props.id}-t`} aria-describedby={`${props.id}-d`} data-peak={props.peak}>
        <title id={`${props.id}-t`}>{props.title}</title>
        <desc id={`${props.id}-d`}>{props.desc}</desc>
        {props.svg}
      </svg>
      <button type="button" class="small" aria-expanded={table} aria-controls={`${props.id}-table`} onClick={() => setTable(!table)}>
        {table ? 'Hide the table' : 'Show as a table'}<span class="sr-only"> of {props.title}</span>
      </button>
      <div id={`${props.id}-table`} class="chart-table">{table && props.table()}</div>
    </figure>
  );
}

export interface LineProps {
  id: string;
  title: string;
  /** What a value is, for the description ("Informs per minute"). */
  unit: string;
  times: number[];
  values: number[];
}

/** A line over an area: one series, e.g. Informs per minute in 5-minute buckets. */
export function LineChart(p: LineProps) {
  const peak = Math.max(0, ...p.values);
  const top = niceMax(peak);
  const n = p.values.length;
  const points = p.values.map((v, i) => `${x(i, n).toFixed(1)},${y(v, top).toFixed(1)}`);
  const last = p.values[n - 1] ?? 0;
  const peakAt = p.values.indexOf(peak);
  const desc = n === 0 ? 'No data.' : `${p.unit}: ${fmt(last)} in the last bucket; peak ${fmt(peak)}${peak > 0 ? ` at ${hhmm(p.times[peakAt])}` : ''}; from ${hhmm(p.times[0])} to now.`;
  return (
    <Figure id={p.id} title={p.title} desc={desc} peak={peak} table={() => <ValuesTable times={p.times} columns={{ [p.unit]: p.values }} />}
      svg={
        <>
          <Axes top={top} times={p.times} at={(i) => x(i, n)} />
          {n > 0 && <polygon class="area" points={`${x(0, n)},${y(0, top)} ${points.join(' ')} ${x(n - 1, n)},${y(0, top)}`} />}
          {n > 0 && <polyline class="line" points={points.join(' ')} />}
        </>
      }
    />
  );
}

export interface StackProps {
  id: string;
  title: string;
  unit: string;
  times: number[];
  /** Series by name, each aligned with times. */
  series: Record<string, number[]>;
  /** Class of each series' bars (its colour), by name; others get "other". */
  classes: Record<string, string>;
}

/** Stacked bars: several series adding up, e.g. sessions by outcome per hour. */
export function StackedBars(p: StackProps) {
  const names = Object.keys(p.series);
  const n = p.times.length;
  const sums = p.times.map((_, i) => names.reduce((a, k) => a + (p.series[k][i] ?? 0), 0));
  const peak = Math.max(0, ...sums);
  const top = niceMax(peak);
  const slot = PLOT_W / Math.max(n, 1);
  const at = (i: number) => PAD.left + slot * (i + 0.5);
  const totals = names.map((k) => `${k} ${fmt(p.series[k].reduce((a, b) => a + b, 0))}`);
  const desc = names.length === 0 ? 'Nothing counted in this time.' : `${p.unit}, ${n} bars from ${hhmm(p.times[0])}; totals: ${totals.join(', ')}; most in one bar ${fmt(peak)}.`;
  const bars = p.times.map((t, i) => {
    let base = 0;
    return names.map((k) => {
      const v = p.series[k][i] ?? 0;
      if (v === 0) return null;
      const rect = <rect key={`${t}-${k}`} class={`bar ${p.classes[k] ?? 'other'}`} x={PAD.left + slot * i + slot * 0.1} width={slot * 0.8} y={y(base + v, top)} height={y(base, top) - y(base + v, top)} data-value={v} />;
      base += v;
      return rect;
    });
  });
  return (
    <Figure id={p.id} title={p.title} desc={desc} peak={peak} table={() => <ValuesTable times={p.times} columns={p.series} />}
      svg={
        <>
          <Axes top={top} times={p.times} at={at} />
          {bars}
        </>
      }
    />
  );
}

/** A chart's numbers: one row per bucket, newest first, the empty ones left out. */
function ValuesTable(props: { times: number[]; columns: Record<string, number[]> }) {
  const names = Object.keys(props.columns);
  const rows = props.times.map((t, i) => [t, names.map((k) => props.columns[k][i] ?? 0)] as const).filter(([, vs]) => vs.some((v) => v !== 0)).reverse();
  if (rows.length === 0) return <p class="none">Nothing counted in this time.</p>;
  return (
    <table class="list">
      <thead><tr><th>From</th>{names.map((k) => <th key={k}>{k}</th>)}</tr></thead>
      <tbody>{rows.map(([t, vs]) => <tr key={t}><td>{hhmm(t)}</td>{vs.map((v, j) => <td key={names[j]}>{fmt(v)}</td>)}</tr>)}</tbody>
    </table>
  );
}

/** A legend: the colour of each series, named (the colour is never the only clue: the table names them too). */
export function Legend(props: { names: string[]; classes: Record<string, string> }) {
  return (
    <ul class="legend" aria-hidden="true">
      {props.names.map((k) => <li key={k}><span class={`swatch ${props.classes[k] ?? 'other'}`} />{k}</li>)}
    </ul>
  );
}
