/**
 * One campaign (GET /campaigns/:id): its definition, its progress in all
 * and stage by stage with each stage's failure ratio against the threshold,
 * the reason it stopped, the operator's actions (write scope) and its
 * devices a page at a time. Asked again every few seconds while it moves.
 */
import { useState } from 'preact/hooks';
import { api, type Session } from '../lib/api';
import { isMoving, percent, usePoll, type CampaignView } from '../lib/campaigns';
import { ago, exact } from '../lib/format';
import { useLoad } from '../lib/use-load';
import { CampaignActions } from '../components/campaign-actions';
import { CampaignDevices } from '../components/campaign-devices';
import { Legend, ProgressBar, StageTable } from '../components/campaign-progress';
import { Link } from '../components/link';
import '../campaigns.css';

const POLL_MS = 2000;

function actionText(c: CampaignView): string {
  const a = c.spec.action;
  if ('task' in a) return `task ${JSON.stringify(a.task)}`;
  if ('provision' in a) return `provision ${a.provision}${a.args.length > 0 ? ` ${JSON.stringify(a.args)}` : ''}`;
  return `workflow ${a.workflow}${Object.keys(a.args).length > 0 ? ` ${JSON.stringify(a.args)}` : ''}`;
}

function queryText(c: CampaignView): string {
  const q = c.spec.query;
  const parts = [q.filter ? q.filter : 'every device'];
  if (q.lastInformAfter !== undefined) parts.push(`informed after ${exact(q.lastInformAfter)}`);
  if (q.lastInformBefore !== undefined) parts.push(`informed before ${exact(q.lastInformBefore)}`);
  return parts.join(', ');
}

function Definition(props: { c: CampaignView }) {
  const { c } = props;
  const { spec } = c;
  const w = spec.window;
  return (
    <dl class="identity campaign-spec">
      <dt>Devices</dt><dd><code>{queryText(c)}</code>{c.selected ? ` (${c.total} selected)` : ' (not selected yet)'}</dd>
      <dt>Action</dt><dd><code>{actionText(c)}</code>{spec.connectionRequest ? ', with a connection request' : ''}</dd>
      <dt>Pace</dt><dd>{spec.ratePerMinute} per minute, at most {spec.maxInFlight} in flight</dd>
      <dt>Stops</dt><dd>when {percent(spec.failureThreshold)} of a stage's finished devices failed, once {spec.minSample} finished</dd>
      <dt>Window</dt><dd>{w ? `${w.start} to ${w.end} (${w.deviceTimezone ? 'device time, else ' : ''}${w.timezone})` : 'any time'}</dd>
      <dt>Created</dt><dd title={exact(c.createdAt)}>{ago(c.createdAt)}</dd>
      {c.finishedAt !== null && <><dt>Finished</dt><dd title={exact(c.finishedAt)}>{ago(c.finishedAt)}</dd></>}
    </dl>
  );
}

function Status(props: { c: CampaignView }) {
  const { c } = props;
  return (
    <div class="campaign-status" role="status" aria-label="Campaign status">
      <span class={`badge c-${c.status}`}>{c.status}</span>
      {c.status !== 'done' && c.status !== 'draft' && <span> stage {c.stage + 1} of {c.spec.stages.length}</span>}
      {c.reason && <p class={c.status === 'stopped' ? 'error reason' : 'reason'}>{c.status === 'stopped' ? 'Stopped itself: ' : ''}{c.reason}</p>}
    </div>
  );
}

export function CampaignPage(props: { id: string; session: Session }) {
  const [version, setVersion] = useState(0);
  const loaded = useLoad(async () => (await api<CampaignView>('GET', `/campaigns/${encodeURIComponent(props.id)}`)).data, [props.id, version]);
  const c = loaded.data;
  usePoll(() => setVersion((v) => v + 1), POLL_MS, c !== null && isMoving(c.status));
  return (
    <article aria-labelledby="campaign-title">
      <p class="crumbs"><Link to="/campaigns">Campaigns</Link> ›</p>
      <h1 id="campaign-title">{c?.name ?? 'Campaign'}</h1>
      {loaded.error && <p class="error" role="alert">{loaded.error}</p>}
      {c && (
        <>
          <Status c={c} />
          {props.session.scope !== 'read' && <CampaignActions c={c} onDone={() => setVersion((v) => v + 1)} />}
          <section aria-labelledby="campaign-progress-title">
            <h2 id="campaign-progress-title">Progress</h2>
            <ProgressBar counts={c.counts} total={c.total} label="Progress of all devices" />
            <Legend counts={c.counts} label="Devices by outcome" />
            <StageTable c={c} />
          </section>
          <section aria-labelledby="campaign-definition-title">
            <h2 id="campaign-definition-title">Definition</h2>
            <Definition c={c} />
          </section>
          <CampaignDevices id={c.id} version={version} />
        </>
      )}
    </article>
  );
}
