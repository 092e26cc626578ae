/**
 * A fleet report's table (GET /qoe/reports/<kind>: columns and flat rows):
 * byte rates shown as bit/s, byte counts with their prefix, devices as
 * links to their page, and a bar beside the column each kind ranks by (a
 * picture of the numbers beside them, hidden from screen readers).
 */
import type { Cell, Report, ReportKind, ReportRow } from '../../qoe/reports/types';
import { encodeId } from '../lib/api';
import { when } from './qoe-chart';
import { Link } from './link';

const HEADERS: Record<string, string> = {
  group: 'Group', devices: 'Devices', bytesReceived: 'Received', bytesSent: 'Sent', bytes: 'Total',
  receivedAvgBps: 'Received, mean', receivedP50Bps: 'Received, median', receivedP95Bps: 'Received, 95th pct',
  sentAvgBps: 'Sent, mean', sentP50Bps: 'Sent, median', sentP95Bps: 'Sent, 95th pct',
  rank: 'Rank', device: 'Device', productClass: 'Product class', softwareVersion: 'Software version',
  previous: 'Previous window', last: 'Last window', increase: 'Increase', ratio: 'Ratio', unit: 'Unit',
  band: 'Band', channel: 'Channel', radios: 'Radios', radioShare: 'Share of radios', clients: 'Clients', clientsPerRadio: 'Clients per radio',
  noiseAvg: 'Noise, mean (dBm)', radiosWithNoise: 'Radios with noise',
};

/** The column each kind ranks by: drawn as a bar too. */
const BAR_COLUMN: Partial<Record<ReportKind, string>> = { bandwidth: 'receivedAvgBps', 'top-talkers': 'bytes', degrading: 'increase', 'wifi-channels': 'radios' };

const num = (v: number, digits = 2): string => v.toLocaleString('en', { maximumFractionDigits: digits });

function prefixed(v: number, unit: string, base = 1000): string {
  const units = ['', 'k', 'M', 'G', 'T', 'P'];
  let i = 0;
  while (Math.abs(v) >= base && i < units.length - 1) (v /= base), i++;
  return `${num(v, 1)} ${units[i]}${unit}`;
}

/** A column's header: its name as people say it, the unit in brackets. */
export function headerOf(column: string): string {
  if (HEADERS[column]) return HEADERS[column] + (/Bps$/.test(column) ? ' (bit/s)' : /^bytes/.test(column) ? ' (bytes)' : '');
  return column.replace(/([a-z])([A-Z0-9])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

/** A cell as text: rates of bytes per second as bit/s, byte counts with a prefix, shares in percent. */
export function cellText(column: string, v: Cell): string {
  if (v === null) return '—';
  if (typeof v === 'string') return v;
  if (/Bps$/.test(column)) return prefixed(v * 8, 'bit/s');
  if (/^bytes/.test(column)) return prefixed(v, 'B');
  if (column === 'radioShare') return `${num(v * 100, 1)} %`;
  return num(v);
}

function CellView(props: { column: string; row: ReportRow; bar: number | null }) {
  const v = props.row[props.column];
  if (props.column === 'device' && typeof v === 'string') return <td><Link to={`/devices/${encodeId(v)}`}>{v}</Link></td>;
  if (props.column === 'group' && v === null) return <td>(none)</td>;
  return (
    <td class={props.bar !== null ? 'bar-cell' : undefined}>
      {props.bar !== null && <svg class="bar" aria-hidden="true" viewBox="0 0 96 10" width="96" height="10"><rect width={Math.max(props.bar * 96, 2)} height="10" rx="2" /></svg>}
      {cellText(props.column, v)}
    </td>
  );
}

export function ReportTable(props: { report: Report; label: string }) {
  const { report } = props;
  const barColumn = BAR_COLUMN[report.kind];
  const top = barColumn ? Math.max(0, ...report.rows.map((r) => Number(r[barColumn] ?? 0))) : 0;
  const barOf = (column: string, row: ReportRow): number | null => (column === barColumn && top > 0 ? Number(row[column] ?? 0) / top : null);
  if (report.rows.length === 0) return <p class="none">No rows: no device of the profile has data in this range{report.params.filter ? ' matching the filter' : ''}.</p>;
  return (
    <div class="table-wrap">
      <table class="list" aria-label={props.label}>
        <thead><tr>{report.columns.map((c) => <th key={c}>{headerOf(c)}</th>)}</tr></thead>
        <tbody>
          {report.rows.map((row, i) => (
            <tr key={i}>{report.columns.map((c) => <CellView key={c} column={c} row={row} bar={barOf(c, row)} />)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What the report read: range, resolution, devices, rows, and its notes. */
export function ReportFacts(props: { report: Report }) {
  const r = props.report;
  const rows = r.totalRows > r.rows.length ? `${r.rows.length} of ${r.totalRows} rows` : `${r.rows.length} ${r.rows.length === 1 ? 'row' : 'rows'}`;
  return (
    <>
      <p class="hint" role="status">
        {r.devices} {r.devices === 1 ? 'device' : 'devices'} of the profile {r.profile}, {when(r.from)} to {when(r.to)} ({r.resolution} buckets); {rows}; {r.cost.ms} ms.
      </p>
      {r.notes.length > 0 && <ul class="hint">{r.notes.map((n) => <li key={n}>{n}</li>)}</ul>}
    </>
  );
}
