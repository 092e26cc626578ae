/**
 * A campaign's progress: a bar of its devices by outcome with the counts
 * beside it, and the table of its stages, each with its bar and its failure
 * ratio against the failure threshold that stops the campaign.
 */
import type { CampaignView, DeviceOutcome, StageView } from '../lib/campaigns';
import { OUTCOMES, percent, stageShare } from '../lib/campaigns';

const finishedOf = (counts: Record<DeviceOutcome, number>): number => counts.done + counts.failed + counts.cancelled + counts.skipped;

/** The bar alone (its counts in words for screen readers). */
export function ProgressBar(props: { counts: Record<DeviceOutcome, number>; total: number; label: string }) {
  const { counts, total } = props;
  const words = OUTCOMES.filter((o) => counts[o] > 0).map((o) => `${counts[o]} ${o}`).join(', ');
  return (
    <div class="progress" role="progressbar" aria-label={props.label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={finishedOf(counts)} aria-valuetext={words || 'no devices'}>
      {total > 0 && OUTCOMES.map((o) => counts[o] > 0 && <span key={o} class={`seg ${o}`} style={{ width: `${(counts[o] / total) * 100}%` }} />)}
    </div>
  );
}

/** The counts by outcome, each with its colour. */
export function Legend(props: { counts: Record<DeviceOutcome, number>; label: string }) {
  return (
    <ul class="legend" aria-label={props.label}>
      {OUTCOMES.map((o) => (
        <li key={o} data-outcome={o}>
          <span class={`swatch ${o}`} aria-hidden="true" />
          {o} <strong>{props.counts[o].toLocaleString('en')}</strong>
        </li>
      ))}
    </ul>
  );
}

function Ratio(props: { p: StageView | undefined; threshold: number }) {
  const { p, threshold } = props;
  if (!p || p.failureRatio === null) return <span class="none">none finished</span>;
  const over = p.sampled && p.failureRatio >= threshold;
  return (
    <span class={over ? 'error' : undefined}>
      {percent(p.failureRatio)} of {percent(threshold)}
      {!p.sampled && <span class="hint"> (sample not reached)</span>}
    </span>
  );
}

function stageState(c: CampaignView, i: number): string {
  if (c.status === 'done' || i < c.stage) return 'finished';
  if (i > c.stage) return 'not started';
  return c.status === 'running' ? 'current' : c.status;
}

export function StageTable(props: { c: CampaignView }) {
  const { c } = props;
  return (
    <div class="table-wrap">
      <table class="list stages" aria-label="Stages">
        <thead>
          <tr><th>Stage</th><th>Share</th><th>State</th><th>Devices</th><th>Progress</th><th>Failure ratio / threshold</th><th>Then wait</th></tr>
        </thead>
        <tbody>
          {c.spec.stages.map((s, i) => {
            const p = c.progress.find((x) => x.stage === i);
            return (
              <tr key={i}>
                <td>{i + 1}</td>
                <td>{stageShare(s)}</td>
                <td>{stageState(c, i)}</td>
                <td>{p?.total ?? 0}</td>
                <td class="bar-cell">{p ? <ProgressBar counts={p.counts} total={p.total} label={`Stage ${i + 1}`} /> : <span class="none">—</span>}</td>
                <td><Ratio p={p} threshold={c.spec.failureThreshold} /></td>
                <td>{s.waitMinutes > 0 ? `${s.waitMinutes} min` : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
