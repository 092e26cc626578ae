/**
 * What a finished diagnostics workflow found, read from its `results` step:
 * `results.results` holds the diagnostics object's values by relative name
 * ("SuccessCount", "RouteHops.2.HostAddress"), TR-181's or TR-098's names.
 */
import type { Run } from './device-workflow-run';

/** The object's values as text, by name relative to the diagnostics object. */
export type Values = Record<string, string>;

export function valuesOf(run: Run): Values {
  const results = (run.output.results as { results?: Record<string, unknown> } | undefined)?.results ?? {};
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
}

const number = (v: string | undefined): number | null => (v === undefined || v.trim() === '' || !Number.isFinite(Number(v)) ? null : Number(v));

/** A time in ms, from the microsecond figure when the device gives a non-zero one (TR-181 *Detailed), else the ms one. */
function ms(values: Values, name: string): string {
  const detailed = number(values[`${name}Detailed`]);
  const plain = detailed !== null && detailed > 0 ? detailed / 1000 : number(values[name]);
  return plain === null ? '—' : `${Number(plain.toFixed(3))} ms`;
}

function Figures(props: { label: string; rows: [string, string][] }) {
  return (
    <dl class="figures" aria-label={props.label}>
      {props.rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function PingResult(props: { values: Values }) {
  const v = props.values;
  const ok = number(v.SuccessCount);
  const failed = number(v.FailureCount);
  const rows: [string, string][] = [
    ...(v.IPAddressUsed ? [['Address', v.IPAddressUsed] as [string, string]] : []),
    ['Sent', ok === null || failed === null ? '—' : String(ok + failed)],
    ['Succeeded', v.SuccessCount ?? '—'],
    ['Failed', v.FailureCount ?? '—'],
    ['Average', ms(v, 'AverageResponseTime')],
    ['Minimum', ms(v, 'MinimumResponseTime')],
    ['Maximum', ms(v, 'MaximumResponseTime')],
  ];
  return <Figures label="Ping result" rows={rows} />;
}

interface Hop {
  n: number;
  host: string;
  address: string;
  times: string;
  error: string;
}

/**
 * The RouteHops rows in instance order, numbered by position. The ACS's
 * cache keeps instances an earlier, longer route left (a GetParameterValues
 * adds and updates, it does not delete), so the device's own count
 * (RouteHopsNumberOfEntries, TR-098 NumberOfRouteHops) bounds the list.
 * TR-098 prefixes the row names with "Hop".
 */
function hopsOf(values: Values): { hops: Hop[]; leftOut: number } {
  const byN = new Map<number, Record<string, string>>();
  for (const [name, value] of Object.entries(values)) {
    const m = /^RouteHops\.(\d+)\.(?:Hop)?(\w+)$/.exec(name);
    if (!m) continue;
    const n = Number(m[1]);
    byN.set(n, { ...byN.get(n), [m[2]]: value });
  }
  const rows = [...byN.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
  const count = number(values.RouteHopsNumberOfEntries ?? values.NumberOfRouteHops);
  const kept = count !== null && count < rows.length ? rows.slice(0, count) : rows;
  const hops = kept.map((r, i) => ({
    n: i + 1, host: r.Host ?? '', address: r.HostAddress ?? '', times: (r.RTTimes ?? '').split(',').filter((t) => t !== '').join(', '), error: r.ErrorCode ?? '',
  }));
  return { hops, leftOut: rows.length - kept.length };
}

export function TraceResult(props: { values: Values }) {
  const { hops, leftOut } = hopsOf(props.values);
  const time = number(props.values.ResponseTime);
  return (
    <div>
      <p>{hops.length} hops{time === null ? '' : `, response time ${time} ms`}.</p>
      {leftOut > 0 && <p class="hint">{leftOut} hop rows of an earlier run, still in the ACS's copy of the device, are left out.</p>}
      <div class="table-wrap">
        <table class="list" aria-label="Hops">
          <thead>
            <tr><th>Hop</th><th>Host</th><th>Address</th><th>Round trips (ms)</th><th>Error code</th></tr>
          </thead>
          <tbody>
            {hops.map((h) => (
              <tr key={h.n}><td>{h.n}</td><td>{h.host}</td><td>{h.address}</td><td>{h.times}</td><td>{h.error}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** A TR-143 time ("2026-12-04T22:00:00.123456Z", microseconds) in ms with its fraction; null when unreadable or unset. */
export function tr143Time(text: string | undefined): number | null {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$/.exec((text ?? '').trim());
  if (!m) return null;
  const whole = Date.parse(`${m[1]}${m[3] ?? 'Z'}`);
  // The unknown time of TR-106 (0001-01-01T00:00:00Z) is no time.
  if (!Number.isFinite(whole) || whole <= 0) return null;
  return whole + (m[2] ? Number(`0.${m[2]}`) * 1000 : 0);
}

/** bits per second as one reads them: 3 significant digits and a unit. */
export function rate(bitsPerS: number): string {
  const units = ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s'];
  let v = bitsPerS;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))} ${units[i]}`;
}

/**
 * Throughput as TR-143 defines it: the test bytes over the time from the
 * first payload byte (BOMTime) to the last (EOMTime); from the request
 * (ROMTime) when BOM and EOM fall in the same millisecond.
 */
export function throughputOf(values: Values, bytesName: string): { bytes: number | null; seconds: number | null; bitsPerS: number | null } {
  const bytes = number(values[bytesName]);
  const [rom, bom, eom] = ['ROMTime', 'BOMTime', 'EOMTime'].map((n) => tr143Time(values[n]));
  const from = bom !== null && eom !== null && eom > bom ? bom : rom;
  const seconds = from !== null && eom !== null && eom > from ? (eom - from) / 1000 : null;
  return { bytes, seconds, bitsPerS: bytes !== null && seconds !== null ? (bytes * 8) / seconds : null };
}

export function SpeedResult(props: { values: Values; direction: 'download' | 'upload' }) {
  const v = props.values;
  const t = throughputOf(v, props.direction === 'download' ? 'TestBytesReceived' : 'TestBytesSent');
  const [open, opened] = [tr143Time(v.TCPOpenRequestTime), tr143Time(v.TCPOpenResponseTime)];
  const rows: [string, string][] = [
    ['Throughput', t.bitsPerS === null ? '—' : rate(t.bitsPerS)],
    [props.direction === 'download' ? 'Bytes received' : 'Bytes sent', t.bytes === null ? '—' : t.bytes.toLocaleString('en-GB')],
    ['Transfer time', t.seconds === null ? '—' : `${Number(t.seconds.toFixed(3))} s`],
    ['Connection set-up', open !== null && opened !== null ? `${Number((opened - open).toFixed(3))} ms` : '—'],
  ];
  return <Figures label={props.direction === 'download' ? 'Download result' : 'Upload result'} rows={rows} />;
}
