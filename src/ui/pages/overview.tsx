/**
 * The fleet at a glance, for the whole cluster (GET /stats/fleet/summary and
 * GET /stats/fleet: every process's counts, kept in the database): devices
 * known and online, Informs per minute, sessions by outcome and faults over
 * the last 24 h as charts and tables, the provisioning faults open now, and
 * the running campaigns. Asked again every 5 s while the tab is visible.
 */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import { api, withQuery } from '../lib/api';
import { ago, exact, ONLINE_MS } from '../lib/format';
import { useLoad } from '../lib/use-load';
import { Link } from '../components/link';
import { Legend, LineChart, StackedBars } from '../components/fleet-charts';
import type { Campaign } from '../../campaigns/types';
import type { FleetHistory, FleetSummary, SeriesMap } from '../../stats/types';
import '../overview.css';

const REFRESH_MS = 5_000;
const ONLINE_MINUTES = ONLINE_MS / 60_000;
const HOUR_MS = 3600_000;
/** The colour class of each session outcome (the legend and the table name them too). */
const OUTCOME_CLASS: Record<string, string> = { completed: 'ok', quiet: 'quiet', timeout: 'bad', replaced: 'warn', commit_failed: 'fail' };
const OUTCOME_ORDER = ['completed', 'quiet', 'timeout', 'replaced', 'commit_failed'];

const num = (n: number): string => n.toLocaleString('en', { maximumFractionDigits: 1 });

/** Calls `tick` every `ms` while the tab is visible. */
function useEvery(ms: number, tick: () => void): void {
  useEffect(() => {
    const timer = setInterval(() => document.visibilityState === 'visible' && tick(), ms);
    return () => clearInterval(timer);
  }, [ms]);
}

/** 5-minute buckets summed by hour: the bars of a day. */
function byHour(times: number[], series: SeriesMap): { times: number[]; series: SeriesMap } {
  const hours = [...new Set(times.map((t) => Math.floor(t / HOUR_MS) * HOUR_MS))];
  const index = new Map(hours.map((h, i) => [h, i]));
  const out: SeriesMap = {};
  const names = Object.keys(series).sort((a, b) => rank(a) - rank(b));
  for (const k of names) {
    out[k] = hours.map(() => 0);
    series[k].forEach((v, i) => (out[k][index.get(Math.floor(times[i] / HOUR_MS) * HOUR_MS) ?? 0] += v));
  }
  return { times: hours, series: out };
}

/** Known outcomes in their order, others after them. */
function rank(outcome: string): number {
  const i = OUTCOME_ORDER.indexOf(outcome);
  return i < 0 ? OUTCOME_ORDER.length : i;
}

function Tile(props: { label: string; value: string | null; error: string | null; hint: ComponentChildren }) {
  return (
    <div class="tile" role="group" aria-label={props.label}>
      <span class="big">{props.error ? '—' : props.value ?? '…'}</span>
      {props.label}
      <div class="hint">{props.error ?? props.hint}</div>
    </div>
  );
}

/** Rows of label → count, largest first; "None" when empty. */
function CountTable(props: { label: string; what: string; unit: string; rows: [string, number][] }) {
  if (props.rows.length === 0) return <p class="none">None in the last 24 h.</p>;
  return (
    <table class="list" aria-label={props.label}>
      <thead><tr><th>{props.what}</th><th>{props.unit}</th></tr></thead>
      <tbody>{props.rows.map(([k, n]) => <tr key={k}><td>{k}</td><td>{num(n)}</td></tr>)}</tbody>
    </table>
  );
}

const sorted = (m: Record<string, number>): [string, number][] => Object.entries(m).sort((a, b) => b[1] - a[1]);

function Sessions(props: { history: FleetHistory | null; summary: FleetSummary | null }) {
  const hourly = props.history ? byHour(props.history.times, props.history.sessions) : null;
  const names = hourly ? Object.keys(hourly.series) : [];
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions by outcome</h2>
      {hourly && (
        <>
          <StackedBars id="sessions-chart" title="Sessions per hour by outcome, last 24 h" unit="Sessions per hour" times={hourly.times} series={hourly.series} classes={OUTCOME_CLASS} />
          <Legend names={names} classes={OUTCOME_CLASS} />
        </>
      )}
      {props.summary && <CountTable label="Sessions by outcome, last 24 h" what="Outcome" unit="Sessions (24 h)" rows={sorted(props.summary.last24h.sessions)} />}
      <p class="hint">quiet: a routine Inform that changed nothing; completed: what the session learnt was stored; timeout, replaced: ended early (the CPE went silent, or began another session); commit_failed: a store put back to be retried.</p>
    </section>
  );
}

function Informs(props: { history: FleetHistory }) {
  const h = props.history;
  const events = Object.fromEntries(Object.entries(h.events).map(([code, values]) => [code, values.reduce((a, b) => a + b, 0)]));
  return (
    <section aria-labelledby="informs-title">
      <h2 id="informs-title">Informs per minute</h2>
      <LineChart id="informs-chart" title="Informs per minute, last 24 h (5-minute means)" unit="Informs per minute" times={h.times} values={h.informs.map((n) => n / 5)} />
      <CountTable label="Inform events, last 24 h" what="Event" unit="Informs (24 h)" rows={sorted(events).filter(([, n]) => n > 0)} />
    </section>
  );
}

function Faults(props: { summary: FleetSummary }) {
  const { cpeFaults, channelFaults } = props.summary.last24h;
  const rows: [string, number][] = [...sorted(cpeFaults).map(([k, n]): [string, number] => [`CPE fault ${k}`, n]), ...sorted(channelFaults).map(([k, n]): [string, number] => [`channel ${k}`, n])];
  return (
    <section aria-labelledby="faults-title">
      <h2 id="faults-title">Faults by code</h2>
      <CountTable label="Faults by code, last 24 h" what="Code" unit="Faults (24 h)" rows={rows} />
      <h3>Open now, by channel</h3>
      {props.summary.faults.length === 0 ? (
        <p class="none">No provisioning channel is faulted.</p>
      ) : (
        <table class="list" aria-label="Open faults by channel and code">
          <thead><tr><th>Channel</th><th>Code</th><th>Devices</th></tr></thead>
          <tbody>{props.summary.faults.map((f) => <tr key={`${f.channel} ${f.code}`}><td>{f.channel}</td><td>{f.code}</td><td>{num(f.devices)}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}

function Campaigns(props: { running: Campaign[] | null; error: string | null }) {
  if (props.error) return <p class="error" role="alert">{props.error}</p>;
  if (!props.running) return <p class="loading">Loading…</p>;
  if (props.running.length === 0) return <p class="none">No campaign is running.</p>;
  return (
    <table class="list" aria-label="Running campaigns">
      <thead><tr><th>Name</th><th>Stage</th><th>Devices</th><th>Started</th></tr></thead>
      <tbody>
        {props.running.map((c) => (
          <tr key={c.id}><td>{c.name}</td><td>{c.stage + 1} of {c.spec.stages.length}</td><td>{c.total}</td><td title={exact(c.createdAt)}>{ago(c.createdAt)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

export function Overview() {
  const summary = useLoad(async () => (await api<FleetSummary>('GET', withQuery('/stats/fleet/summary', { onlineMinutes: ONLINE_MINUTES }))).data, []);
  const history = useLoad(async () => (await api<FleetHistory>('GET', withQuery('/stats/fleet', { step: '5m' }))).data, []);
  const running = useLoad(async () => (await api<Campaign[]>('GET', withQuery('/campaigns', { status: 'running' }))).data, []);
  useEvery(REFRESH_MS, () => [summary, history, running].forEach((l) => l.reload()));
  const s = summary.data;
  const h = history.data;
  return (
    <article aria-labelledby="overview-title" class="overview">
      <h1 id="overview-title">Overview</h1>
      <p class="hint">
        The whole cluster: every process's counts, kept for days. {s && <>As of <time dateTime={s.time}>{new Date(s.time).toLocaleTimeString('en-GB')}</time>; </>}
        refreshed every {REFRESH_MS / 1000} s.
      </p>
      <div class="tiles">
        <Tile label="Devices known" value={s && num(s.devices.known)} error={summary.error} hint="every device the ACS keeps" />
        <Tile label="Online" value={s && num(s.devices.online)} error={summary.error} hint={`informed in the last ${ONLINE_MINUTES} minutes`} />
        <Tile label="Informs per minute" value={s && num(s.informsPerMinute)} error={summary.error} hint={s ? `mean of the last 5 minutes; ${num(s.last24h.informs)} in 24 h` : 'mean of the last 5 minutes'} />
        <Tile label="Running campaigns" value={s && num(s.campaigns.running)} error={summary.error} hint="listed below" />
      </div>
      {history.error && <p class="error" role="alert">{history.error}</p>}
      <div class="columns-2">
        {h ? <Informs history={h} /> : <p class="loading">Loading…</p>}
        <Sessions history={h} summary={s} />
      </div>
      <div class="columns-2">
        {s ? <Faults summary={s} /> : <div />}
        <section aria-labelledby="campaigns-title">
          <h2 id="campaigns-title">Running campaigns</h2>
          <Campaigns running={running.data} error={running.error} />
          <p><Link to="/campaigns">All campaigns</Link></p>
        </section>
      </div>
    </article>
  );
}
