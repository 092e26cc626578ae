/**
 * A device's quality of experience on its page: the series collected for it
 * (GET /qoe/devices/:id/series, every profile) over the last 24 h, 7 days or
 * 30 days, as charts: throughput, errors, Wi-Fi clients and signal, line
 * statistics (DSL, PON), CPU and memory, reboots. The API picks the
 * resolution the range needs (raw, 5-minute or hourly buckets).
 */
import { useState } from 'preact/hooks';
import type { Series } from '../../qoe/types';
import { api, encodeId, withQuery } from '../lib/api';
import { useLoad } from '../lib/use-load';
import { TimeChart } from './qoe-chart';
import { chartsOf, MAX_LINES, SECTIONS, type ChartSpec } from './qoe-groups';
import '../qoe.css';

const DAY_MS = 86_400_000;
/**
 * The resolution is asked for, not left to the API: a range exactly as long
 * as a tier is kept (7 days of 5-minute buckets, 30 of hourly ones) would
 * fall to the next coarser tier by the few milliseconds between here and
 * there. A profile that skips a tier gets the next coarser one it keeps.
 */
const RANGES = [
  { key: '24h', label: '24 h', ms: DAY_MS, resolution: undefined },
  { key: '7d', label: '7 days', ms: 7 * DAY_MS, resolution: '5m' },
  { key: '30d', label: '30 days', ms: 30 * DAY_MS, resolution: '1h' },
] as const;
type RangeKey = (typeof RANGES)[number]['key'];

interface Loaded {
  range: RangeKey;
  from: number;
  to: number;
  series: Series[];
}

function RangePicker(props: { value: RangeKey; onChange: (r: RangeKey) => void }) {
  return (
    <div class="segmented" role="group" aria-label="Range">
      {RANGES.map((r) => (
        <button key={r.key} type="button" aria-pressed={props.value === r.key} onClick={() => props.onChange(r.key)}>
          Last {r.label}
        </button>
      ))}
    </div>
  );
}

function Section(props: { name: string; charts: ChartSpec[]; data: Loaded }) {
  const id = `qoe-${props.name.toLowerCase().replace(/[^a-z]+/g, '-')}`;
  return (
    <section aria-labelledby={`${id}-title`} class="qoe-section">
      <h3 id={`${id}-title`}>{props.name}</h3>
      <div class="qoe-charts">
        {props.charts.map((c) => (
          <TimeChart key={c.key} id={`qoe-chart-${c.key}`} title={c.title} from={props.data.from} to={props.data.to} lines={c.lines} format={c.unit.format} short={c.unit.short} bars={c.bars}
            note={c.hidden > 0 ? `Shown: the ${MAX_LINES} of ${MAX_LINES + c.hidden} series whose values go furthest from zero.` : undefined} />
        ))}
      </div>
    </section>
  );
}

function Charts(props: { data: Loaded }) {
  const charts = chartsOf(props.data.series);
  if (charts.length === 0) {
    return <p class="none qoe-empty">No samples yet: collect with the qoe-collect or qoe-bulkdata provision (a preset naming a collection profile).</p>;
  }
  const sections = SECTIONS.map((name) => ({ name, charts: charts.filter((c) => c.section === name) })).filter((s) => s.charts.length > 0);
  return (
    <>
      {sections.map((s) => <Section key={s.name} name={s.name} charts={s.charts} data={props.data} />)}
      {!charts.some((c) => c.key === 'reboots') && <p class="hint">No reboot seen in this range.</p>}
    </>
  );
}

export function QoeDeviceCharts(props: { deviceId: string }) {
  const [range, setRange] = useState<RangeKey>('24h');
  const loaded = useLoad(async (): Promise<Loaded> => {
    const r = RANGES.find((x) => x.key === range) ?? RANGES[0];
    const to = Date.now();
    const from = to - r.ms;
    const path = withQuery(`/qoe/devices/${encodeId(props.deviceId)}/series`, { from, to, resolution: r.resolution });
    return { range, from, to, series: (await api<Series[]>('GET', path)).data };
  }, [props.deviceId, range]);
  const resolution = loaded.data?.series[0]?.resolution;
  return (
    <div class="qoe-device" data-range={loaded.data?.range}>
      <div class="qoe-toolbar">
        <RangePicker value={range} onChange={setRange} />
        <button type="button" class="small" onClick={loaded.reload}>Refresh<span class="sr-only"> the charts</span></button>
        {resolution && <span class="hint">{resolution === 'raw' ? 'Every sample' : `${resolution} buckets (mean)`}</span>}
      </div>
      {loaded.error && <p class="error" role="alert">{loaded.error}</p>}
      {!loaded.data && !loaded.error && <p class="hint" role="status">Loading the series…</p>}
      {loaded.data && <Charts data={loaded.data} />}
    </div>
  );
}
