/**
 * Campaigns, newest first (GET /campaigns?counts), filtered by status, each
 * with its devices' progress, its stage, why it stopped when it stopped
 * itself, and (write scope) pause / resume / cancel and a new campaign. The
 * list is asked again every few seconds while a campaign moves (every ten
 * otherwise).
 */
import { useState } from 'preact/hooks';
import { api, withQuery, type Session } from '../lib/api';
import { CAMPAIGN_STATUSES, isMoving, usePoll, type Campaign, type CampaignStatus, type DeviceOutcome } from '../lib/campaigns';
import { ago, exact } from '../lib/format';
import { navigate, type Route } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { CampaignActions } from '../components/campaign-actions';
import { CampaignCreate } from '../components/campaign-create';
import { Legend, ProgressBar } from '../components/campaign-progress';
import { Link } from '../components/link';
import '../campaigns.css';

type Listed = Campaign & { counts: Record<DeviceOutcome, number> };

const POLL_MS = 2000;
const IDLE_POLL_MS = 10_000;

function Row(props: { c: Listed; canWrite: boolean; onChanged: () => void }) {
  const { c } = props;
  return (
    <tr>
      <td><Link to={`/campaigns/${encodeURIComponent(c.id)}`}>{c.name}</Link></td>
      <td class={`status c-${c.status}`}>
        {c.status}
        {c.reason && c.status === 'stopped' && <div class="reason">{c.reason}</div>}
      </td>
      <td>{c.stage + 1} of {c.spec.stages.length}</td>
      <td class="bar-cell">
        <ProgressBar counts={c.counts} total={c.total} label={`Progress of ${c.name}`} />
        <Legend counts={c.counts} label={`Devices of ${c.name} by outcome`} />
      </td>
      <td>{c.selected ? c.total : <span class="none">not selected yet</span>}</td>
      <td title={exact(c.createdAt)}>{ago(c.createdAt)}</td>
      {props.canWrite && <td><CampaignActions c={c} onDone={props.onChanged} /></td>}
    </tr>
  );
}

function Filter(props: { status: string; onChange: (s: string) => void }) {
  return (
    <form class="inline" role="search" onSubmit={(e) => e.preventDefault()}>
      <label for="campaign-status">Status</label>
      <select id="campaign-status" value={props.status} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">all</option>
        {CAMPAIGN_STATUSES.map((s) => <option key={s} value={s}>{s}</option>)}
      </select>
    </form>
  );
}

export function Campaigns(props: { route: Route; session: Session }) {
  const status = props.route.query.get('status') ?? '';
  const canWrite = props.session.scope !== 'read';
  const [creating, setCreating] = useState(false);
  const list = useLoad(async () => (await api<Listed[]>('GET', withQuery('/campaigns', { status: status || undefined, counts: true }))).data, [status]);
  // Often while a listed campaign moves; seldom otherwise, so that one changing into the filter's status shows up.
  usePoll(list.reload, (list.data ?? []).some((c) => isMoving(c.status)) ? POLL_MS : IDLE_POLL_MS, true);
  const filter = (s: string) => navigate(`/campaigns${s ? `?status=${encodeURIComponent(s)}` : ''}`);
  return (
    <article aria-labelledby="campaigns-title">
      <h1 id="campaigns-title">Campaigns</h1>
      <div class="toolbar">
        <Filter status={status} onChange={filter} />
        {canWrite && !creating && <button type="button" onClick={() => setCreating(true)}>New campaign…</button>}
      </div>
      {creating && (
        <CampaignCreate onClose={() => setCreating(false)} onCreated={(c) => navigate(`/campaigns/${encodeURIComponent(c.id)}`)} />
      )}
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {list.data && list.data.length === 0 && <p class="none">No campaigns{status ? ` ${status as CampaignStatus}` : ''}.</p>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table class="list campaigns" aria-label="Campaigns">
            <thead>
              <tr><th>Name</th><th>Status</th><th>Stage</th><th>Progress</th><th>Devices</th><th>Created</th>{canWrite && <th><span class="sr-only">Actions</span></th>}</tr>
            </thead>
            <tbody>{list.data.map((c) => <Row key={c.id} c={c} canWrite={canWrite} onChanged={list.reload} />)}</tbody>
          </table>
        </div>
      )}
    </article>
  );
}
