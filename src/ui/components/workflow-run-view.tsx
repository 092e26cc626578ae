/**
 * One workflow run (GET /workflows/runs/:id): where it is, its steps laid
 * against its workflow's definition with each one's output, its outcome and
 * reason, and (write scope, while it goes on) Cancel, after a confirmation.
 * Asked again every few seconds until it ends.
 */
import { useState } from 'preact/hooks';
import { api, type Session } from '../lib/api';
import { usePoll } from '../lib/campaigns';
import { ago, exact } from '../lib/format';
import { messageOf, useLoad } from '../lib/use-load';
import { FINAL, runStatusClass, stepLines, type StepLine, type WorkflowInfo, type WorkflowRun } from '../lib/workflows';
import { ConfirmDialog } from './confirm-dialog';
import { Link } from './link';

const POLL_MS = 2000;

function Steps(props: { lines: StepLine[] }) {
  if (props.lines.length === 0) return <p class="none">No step has finished yet.</p>;
  return (
    <ol class="steps" aria-label="Steps">
      {props.lines.map((s) => (
        <li key={s.name} class={`step ${s.state.replace(' ', '-')}`}>
          <span class="step-name">{s.name}</span>
          {s.kind && <span class="hint"> {s.kind}</span>}
          <span class="step-state">{s.state}</span>
          {s.output !== undefined && (
            <details>
              <summary>Output of {s.name}</summary>
              <pre>{JSON.stringify(s.output, null, 2)}</pre>
            </details>
          )}
        </li>
      ))}
    </ol>
  );
}

function Facts(props: { run: WorkflowRun }) {
  const { run } = props;
  return (
    <dl class="identity">
      <dt>Device</dt><dd><Link to={`/devices/${encodeURIComponent(run.device)}`}>{run.device}</Link></dd>
      <dt>Workflow</dt><dd>{run.workflow}</dd>
      <dt>Arguments</dt><dd><code>{JSON.stringify(run.args)}</code></dd>
      {run.campaignId && <><dt>Campaign</dt><dd><Link to={`/campaigns/${encodeURIComponent(run.campaignId)}`}>stage {(run.campaignStage ?? 0) + 1}</Link></dd></>}
      <dt>Started</dt><dd title={exact(run.createdAt)}>{ago(run.createdAt)}</dd>
      <dt>Changed</dt><dd title={exact(run.updatedAt)}>{ago(run.updatedAt)}</dd>
    </dl>
  );
}

function CancelRun(props: { run: WorkflowRun; onDone: (run: WorkflowRun) => void }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const cancel = async () => {
    setAsking(false);
    try {
      props.onDone((await api<WorkflowRun>('DELETE', `/workflows/runs/${encodeURIComponent(props.run.id)}`)).data);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <div class="campaign-actions">
      <button type="button" class="small danger-outline" onClick={() => setAsking(true)}>Cancel run…</button>
      {error && <span class="error" role="alert">{error}</span>}
      {asking && (
        <ConfirmDialog title="Cancel this run?" confirm="Cancel run" onCancel={() => setAsking(false)} onConfirm={cancel}>
          <p>The run ends as cancelled; a task it waits on is withdrawn if the device has not taken it yet.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

export function WorkflowRunView(props: { id: string; session: Session }) {
  const [version, setVersion] = useState(0);
  const loaded = useLoad(async () => (await api<WorkflowRun>('GET', `/workflows/runs/${encodeURIComponent(props.id)}`)).data, [props.id, version]);
  const defs = useLoad(async () => (await api<WorkflowInfo[]>('GET', '/workflows')).data, []);
  const run = loaded.data;
  const final = run !== null && FINAL.includes(run.status);
  usePoll(() => setVersion((v) => v + 1), POLL_MS, run !== null && !final);
  return (
    <article aria-labelledby="run-title">
      <p class="crumbs"><Link to="/workflows">Workflows</Link> ›</p>
      <h1 id="run-title">Run {props.id}</h1>
      {loaded.error && <p class="error" role="alert">{loaded.error}</p>}
      {run && (
        <>
          <div class="campaign-status" role="status" aria-label="Run status">
            <span class={`badge r-${run.status} ${runStatusClass(run.status)}`}>{run.status}</span>
            {run.step && <span> at step <strong>{run.step}</strong></span>}
            {run.reason && <p class={run.status === 'failed' ? 'error reason' : 'reason'}>{run.reason}</p>}
          </div>
          {props.session.scope !== 'read' && !final && <CancelRun run={run} onDone={() => setVersion((v) => v + 1)} />}
          <Facts run={run} />
          <section aria-labelledby="steps-title">
            <h2 id="steps-title">Steps</h2>
            <Steps lines={stepLines(run, defs.data?.find((d) => d.name === run.workflow))} />
          </section>
        </>
      )}
    </article>
  );
}
