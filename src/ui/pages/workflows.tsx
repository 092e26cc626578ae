/**
 * Workflows: the definitions of WORKFLOWS_DIR (GET /workflows) with their
 * arguments and steps, and the runs, newest first (GET /workflows/runs),
 * filtered by device and status (kept in the address); a run opens on its
 * own page (/workflows/runs/:id) with its steps and outcome.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, withQuery, type Session } from '../lib/api';
import { usePoll } from '../lib/campaigns';
import { ago, exact } from '../lib/format';
import { navigate, type Route } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { FINAL, RUN_STATUSES, runStatusClass, type WorkflowInfo, type WorkflowRun } from '../lib/workflows';
import { Link } from '../components/link';
import { WorkflowRunView } from '../components/workflow-run-view';
import '../campaigns.css';

const SHOWN = 100;
const POLL_MS = 3000;

function Definitions() {
  const defs = useLoad(async () => (await api<WorkflowInfo[]>('GET', '/workflows')).data, []);
  if (defs.error) return <p class="error" role="alert">{defs.error}</p>;
  if (!defs.data) return <p class="loading">Loading…</p>;
  if (defs.data.length === 0) return <p class="none">No workflows in WORKFLOWS_DIR.</p>;
  return (
    <div class="table-wrap">
      <table class="list" aria-label="Workflow definitions">
        <thead><tr><th>Name</th><th>Description</th><th>Arguments</th><th>Steps</th></tr></thead>
        <tbody>
          {defs.data.map((w) => (
            <tr key={w.name}>
              <td><Link to={`/workflows?workflow=${encodeURIComponent(w.name)}`} aria-label={`Runs of ${w.name}`}>{w.name}</Link></td>
              <td>{w.description}</td>
              <td>
                {Object.entries(w.args).map(([name, a]) => (
                  <span key={name} class="arg-chip" title={a.description}>{name}{a.required ? '*' : ''}</span>
                ))}
              </td>
              <td class="step-names">{w.steps.map((s) => s.name).join(' → ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface RunFilter {
  device: string;
  status: string;
  workflow: string;
}

function setFilter(f: RunFilter): void {
  const text = withQuery('', { device: f.device || undefined, status: f.status || undefined, workflow: f.workflow || undefined });
  navigate(`/workflows${text}`);
}

function Filters(props: { f: RunFilter }) {
  const [device, setDevice] = useState(props.f.device);
  useEffect(() => setDevice(props.f.device), [props.f.device]);
  return (
    <form class="inline" role="search" onSubmit={(e) => (e.preventDefault(), setFilter({ ...props.f, device: device.trim() }))}>
      <label for="run-device">Device</label>
      <input id="run-device" class="wide" value={device} onInput={(e) => setDevice(e.currentTarget.value)} placeholder="a device id" />
      <label for="run-status">Status</label>
      <select id="run-status" value={props.f.status} onChange={(e) => setFilter({ ...props.f, device: device.trim(), status: e.currentTarget.value })}>
        <option value="">all</option>
        {RUN_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
      </select>
      {props.f.workflow && <span>workflow <strong>{props.f.workflow}</strong> <button type="button" class="small" onClick={() => setFilter({ ...props.f, workflow: '' })}>All workflows</button></span>}
      <button type="submit">Filter</button>
    </form>
  );
}

function RunRow(props: { r: WorkflowRun }) {
  const { r } = props;
  return (
    <tr>
      <td><Link to={`/workflows/runs/${encodeURIComponent(r.id)}`} aria-label={`Run ${r.id}`}>{r.id.slice(0, 8)}</Link></td>
      <td>{r.workflow}</td>
      <td><Link to={`/devices/${encodeURIComponent(r.device)}`}>{r.device}</Link></td>
      <td class={`status ${runStatusClass(r.status)}`}>{r.status}</td>
      <td>{r.step ?? ''}</td>
      <td title={exact(r.createdAt)}>{ago(r.createdAt)}</td>
      <td class="reason">{r.reason ?? ''}</td>
    </tr>
  );
}

function Runs(props: { f: RunFilter }) {
  const { f } = props;
  const path = withQuery('/workflows/runs', { device: f.device || undefined, status: f.status || undefined, workflow: f.workflow || undefined, limit: SHOWN });
  const runs = useLoad(async () => (await api<WorkflowRun[]>('GET', path)).data, [path]);
  usePoll(runs.reload, POLL_MS, (runs.data ?? []).some((r) => !FINAL.includes(r.status)));
  return (
    <>
      <Filters f={f} />
      {runs.error && <p class="error" role="alert">{runs.error}</p>}
      {runs.data && runs.data.length === 0 && <p class="none">No runs.</p>}
      {runs.data && runs.data.length > 0 && (
        <div class="table-wrap">
          <table class="list" aria-label="Workflow runs">
            <thead><tr><th>Run</th><th>Workflow</th><th>Device</th><th>Status</th><th>Step</th><th>Started</th><th>Reason</th></tr></thead>
            <tbody>{runs.data.map((r) => <RunRow key={r.id} r={r} />)}</tbody>
          </table>
        </div>
      )}
      {runs.data && runs.data.length === SHOWN && <p class="hint">The newest {SHOWN} shown: filter by device or status for older ones.</p>}
    </>
  );
}

export function Workflows(props: { route: Route }) {
  const q = props.route.query;
  const f: RunFilter = { device: q.get('device') ?? '', status: q.get('status') ?? '', workflow: q.get('workflow') ?? '' };
  return (
    <article aria-labelledby="workflows-title">
      <h1 id="workflows-title">Workflows</h1>
      <section aria-labelledby="runs-title">
        <h2 id="runs-title">Runs</h2>
        <Runs f={f} />
      </section>
      <section aria-labelledby="definitions-title">
        <h2 id="definitions-title">Definitions</h2>
        <Definitions />
      </section>
    </article>
  );
}

export function WorkflowRunPage(props: { id: string; session: Session }) {
  return <WorkflowRunView id={props.id} session={props.session} />;
}
