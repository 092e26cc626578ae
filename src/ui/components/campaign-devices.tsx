/**
 * A campaign's devices with their outcomes (GET /campaigns/:id/devices),
 * in device order a page at a time: the next page starts after the last
 * device shown; the starts of the pages seen are kept for going back.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, withQuery } from '../lib/api';
import { OUTCOMES, type CampaignDevice } from '../lib/campaigns';
import { ago, exact } from '../lib/format';
import { useLoad } from '../lib/use-load';
import { Link } from './link';

const PAGE = 50;

function DeviceRow(props: { d: CampaignDevice }) {
  const { d } = props;
  return (
    <tr>
      <td><Link to={`/devices/${encodeURIComponent(d.device)}`}>{d.device}</Link></td>
      <td>{d.stage + 1}</td>
      <td class={`status ${d.status === 'done' ? 'done' : d.status === 'failed' ? 'fault' : ''}`}>{d.status}</td>
      <td title={exact(d.startedAt)}>{d.startedAt === null ? '' : ago(d.startedAt)}</td>
      <td title={exact(d.finishedAt)}>{d.finishedAt === null ? '' : ago(d.finishedAt)}</td>
      <td>{d.runId && <Link to={`/workflows/runs/${encodeURIComponent(d.runId)}`} aria-label={`Run of ${d.device}`}>run</Link>}</td>
      <td class="reason">{d.reason ?? ''}</td>
    </tr>
  );
}

export function CampaignDevices(props: { id: string; version: number }) {
  const [status, setStatus] = useState('');
  // The `after` of each page seen; the last is the page shown (undefined: the first).
  const [starts, setStarts] = useState<(string | undefined)[]>([undefined]);
  useEffect(() => setStarts([undefined]), [status]);
  const after = starts[starts.length - 1];
  const path = withQuery(`/campaigns/${encodeURIComponent(props.id)}/devices`, { status: status || undefined, after, limit: PAGE });
  const page = useLoad(async () => (await api<CampaignDevice[]>('GET', path)).data, [path, props.version]);
  const devices = page.data ?? [];
  return (
    <section aria-labelledby="campaign-devices-title">
      <h2 id="campaign-devices-title">Devices</h2>
      <form class="inline" role="search" onSubmit={(e) => e.preventDefault()}>
        <label for="campaign-device-status">Outcome</label>
        <select id="campaign-device-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
          <option value="">all</option>
          {OUTCOMES.map((o) => <option key={o} value={o}>{o}</option>)}
        </select>
      </form>
      {page.error && <p class="error" role="alert">{page.error}</p>}
      {page.data && devices.length === 0 && <p class="none">No devices{status ? ` ${status}` : ''}.</p>}
      {devices.length > 0 && (
        <div class="table-wrap">
          <table class="list" aria-label="Campaign devices">
            <thead><tr><th>Device</th><th>Stage</th><th>Outcome</th><th>Started</th><th>Finished</th><th>Run</th><th>Reason</th></tr></thead>
            <tbody>{devices.map((d) => <DeviceRow key={d.device} d={d} />)}</tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Device pages">
        <button type="button" disabled={starts.length === 1} onClick={() => setStarts(starts.slice(0, -1))}>← Previous</button>
        <span>Page {starts.length}</span>
        <button type="button" disabled={devices.length < PAGE} onClick={() => setStarts([...starts, devices[devices.length - 1].device])}>Next →</button>
      </nav>
    </section>
  );
}
