/**
 * The fleet at a glance: devices known and online (counted through the
 * device search, lib/count.ts), sessions by outcome and faults by code since
 * this REST API process started (its GET /metrics), and running campaigns.
 */
import { api, ApiError, withQuery } from '../lib/api';
import { countDevices, countText, type Count } from '../lib/count';
import { ago, exact, ONLINE_MS } from '../lib/format';
import { byLabel, parseMetrics, type Sample } from '../lib/prometheus';
import { useLoad } from '../lib/use-load';
import type { Campaign } from '../../campaigns/types';

async function loadMetrics(): Promise<Sample[]> {
  const res = await fetch('/metrics', { credentials: 'same-origin' });
  const text = await res.text();
  if (!res.ok) throw new ApiError(res.status, undefined, `metrics: ${res.status} ${res.statusText}`);
  return parseMetrics(text);
}

function Tile(props: { label: string; count: Count | null; error: string | null; hint: string }) {
  return (
    <div class="tile" role="group" aria-label={props.label}>
      <span class="big">{props.error ? '—' : props.count ? countText(props.count) : '…'}</span>
      {props.label}
      <div class="hint">{props.error ?? props.hint}</div>
    </div>
  );
}

function Breakdown(props: { title: string; rows: [string, number][]; what: string }) {
  return (
    <section aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.rows.length === 0 ? (
        <p class="none">None yet.</p>
      ) : (
        <table class="list">
          <thead><tr><th>{props.what}</th><th>Count</th></tr></thead>
          <tbody>{props.rows.map(([k, n]) => <tr key={k}><td>{k}</td><td>{n.toLocaleString('en')}</td></tr>)}</tbody>
        </table>
      )}
    </section>
  );
}

function Campaigns() {
  const running = useLoad(async () => (await api<Campaign[]>('GET', withQuery('/campaigns', { status: 'running' }))).data, []);
  if (running.error) return <p class="error" role="alert">{running.error}</p>;
  if (!running.data) return <p class="loading">Loading…</p>;
  if (running.data.length === 0) return <p class="none">No campaign is running.</p>;
  return (
    <table class="list" aria-label="Running campaigns">
      <thead><tr><th>Name</th><th>Stage</th><th>Devices</th><th>Started</th></tr></thead>
      <tbody>
        {running.data.map((c) => (
          <tr key={c.id}><td>{c.name}</td><td>{c.stage + 1} of {c.spec.stages.length}</td><td>{c.total}</td><td title={exact(c.createdAt)}>{ago(c.createdAt)}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

export function Overview() {
  const known = useLoad(() => countDevices({}), []);
  const online = useLoad(() => countDevices({ lastInformAfter: Date.now() - ONLINE_MS }), []);
  const metrics = useLoad(loadMetrics, []);
  const samples = metrics.data ?? [];
  const cpeFaults = byLabel(samples.filter((s) => s.labels.fault !== 'none'), 'acs_rpcs_total', 'fault');
  return (
    <article aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <div class="tiles">
        <Tile label="Devices known" count={known.data} error={known.error} hint="every device the ACS keeps" />
        <Tile label="Online" count={online.data} error={online.error} hint={`informed in the last ${ONLINE_MS / 60_000} minutes`} />
      </div>
      <p class="hint">Sessions and faults below are what the process serving this page counted since it started (its /metrics): with separate CWMP front ends (<code>--role cwmp</code>) their counts are on their own /metrics.</p>
      {metrics.error && <p class="error" role="alert">{metrics.error}</p>}
      <div class="columns-2">
        <Breakdown title="Sessions by outcome" what="Outcome" rows={byLabel(samples, 'acs_sessions_total', 'outcome')} />
        <Breakdown title="Channel faults by code" what="Code" rows={byLabel(samples, 'acs_channel_faults_total', 'code')} />
      </div>
      <div class="columns-2">
        <Breakdown title="CPE faults by code" what="CWMP fault" rows={cpeFaults} />
        <section aria-labelledby="campaigns-title">
          <h2 id="campaigns-title">Running campaigns</h2>
          <Campaigns />
        </section>
      </div>
    </article>
  );
}
