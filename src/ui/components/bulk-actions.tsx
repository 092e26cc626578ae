/**
 * What to do with the devices ticked in the list (or every device the search
 * matches): add or remove a tag, run a task. Acting on more than one device
 * is asked first; while it runs, progress and a Stop button; after, how many
 * succeeded and failed, with the first failures.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { outcomeText, tagSelection, taskOnSelection, type Outcome, type Progress, type Selection } from '../lib/bulk';
import { countText, type Count } from '../lib/count';
import { messageOf } from '../lib/use-load';
import { ConfirmDialog } from './confirm-dialog';
import { TaskFields, taskBodyOf, taskLabel, useTaskDraft } from './task-fields';

/** One action over the selection, as the confirmation and the summary name it. */
export interface Job {
  what: string;
  /** The confirmation's button: "Add tag", "Run task". */
  verb: string;
  run(progress: (p: Progress) => void, signal: AbortSignal): Promise<Outcome>;
}

/** Past this many devices the confirmation points to a campaign. */
const MANY = 1000;

interface Running {
  job: Job;
  progress: Progress;
  abort: AbortController;
}

/** How many devices the selection holds: ticked ones, or the search's count (null while counting). */
export function selectionSize(s: Selection, count: Count | null): Count | null {
  return s.kind === 'some' ? { n: s.keys.size, more: false } : count;
}

/** "2 selected devices", "all 10,000+ devices matching the search". */
export function selectionWords(s: Selection, count: Count | null): string {
  if (s.kind === 'all') return count ? `all ${countText(count)} devices matching the search` : 'all devices matching the search';
  return `${s.keys.size} selected device${s.keys.size === 1 ? '' : 's'}`;
}

/** Runs jobs one at a time; the running one stops when the component goes. */
function useJobs() {
  const [running, setRunning] = useState<Running | null>(null);
  const [result, setResult] = useState<{ text: string; errors: string[] } | null>(null);
  const current = useRef<AbortController | null>(null);
  useEffect(() => () => current.current?.abort(), []);
  const run = async (job: Job) => {
    const abort = new AbortController();
    current.current = abort;
    setResult(null);
    setRunning({ job, progress: { done: 0, failed: 0 }, abort });
    try {
      const outcome = await job.run((progress) => setRunning({ job, progress, abort }), abort.signal);
      setResult({ text: outcomeText(job.what, outcome), errors: outcome.errors });
    } catch (err) {
      setResult({ text: `${job.what}: ${messageOf(err)}`, errors: [] });
    } finally {
      setRunning(null);
    }
  };
  return { running, result, run, setResult };
}

export function BulkActions(props: { selection: Selection; count: Count | null }) {
  const [tag, setTag] = useState('');
  const [task, setTask] = useTaskDraft();
  const [connect, setConnect] = useState(true);
  const [asking, setAsking] = useState<Job | null>(null);
  const { running, result, run, setResult } = useJobs();
  const { selection } = props;
  const size = selectionSize(selection, props.count);
  const target = selectionWords(selection, props.count);
  const start = (job: Job) => (size === null || size.n > 1 || size.more ? setAsking(job) : void run(job));
  const tagJob = (add: boolean) => {
    const name = tag.trim();
    if (name === '') return setResult({ text: 'Give a tag first.', errors: [] });
    start({ what: `${add ? 'Add' : 'Remove'} tag “${name}” on ${target}`, verb: add ? 'Add tag' : 'Remove tag', run: (p, signal) => tagSelection(selection, name, add, p, signal) });
  };
  const taskJob = () => {
    const built = taskBodyOf(task);
    if ('error' in built) return setResult({ text: built.error, errors: [] });
    start({ what: `${taskLabel(task)} on ${target}`, verb: 'Run task', run: (p, signal) => taskOnSelection(selection, built.body, connect, p, signal) });
  };
  const busy = running !== null;
  return (
    <section class="bulk" aria-label="Act on the selection">
      <form class="inline" onSubmit={(e) => (e.preventDefault(), tagJob(true))}>
        <label for="bulk-tag">Tag</label>
        <input id="bulk-tag" value={tag} size={16} maxLength={255} onInput={(e) => setTag(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>Add tag</button>
        <button type="button" disabled={busy} onClick={() => tagJob(false)}>Remove tag</button>
      </form>
      <form class="inline" onSubmit={(e) => (e.preventDefault(), taskJob())}>
        <TaskFields idPrefix="bulk-task" draft={task} onChange={setTask} />
        <label class="plain"><input type="checkbox" checked={connect} onChange={(e) => setConnect(e.currentTarget.checked)} /> Ask each device to connect now</label>
        <button type="submit" disabled={busy}>Run task</button>
      </form>
      {running && (
        <p role="status" class="task-line">
          {running.job.what}: {running.progress.done.toLocaleString('en')} done, {running.progress.failed.toLocaleString('en')} failed…{' '}
          <button type="button" class="small" onClick={() => running.abort.abort()}>Stop</button>
        </p>
      )}
      {result && <Summary text={result.text} errors={result.errors} />}
      {asking && (
        <ConfirmDialog title={`Act on ${target}?`} confirm={asking.verb} onCancel={() => setAsking(null)} onConfirm={() => (setAsking(null), void run(asking))}>
          <p>{asking.what}: each device is changed in turn; a summary of what succeeded and failed follows.</p>
          {size !== null && (size.more || size.n > MANY) && <p class="hint">For this many devices a campaign (below the list) paces the work and stops when too many fail.</p>}
        </ConfirmDialog>
      )}
    </section>
  );
}

function Summary(props: { text: string; errors: string[] }) {
  return (
    <div role="status" class="summary">
      <p>{props.text}</p>
      {props.errors.length > 0 && (
        <ul class="faults" aria-label="First failures">
          {props.errors.map((e) => <li key={e}>{e}</li>)}
        </ul>
      )}
    </div>
  );
}

/** How many devices are selected, with "select all matching" and "clear". */
export function SelectionBar(props: { selection: Selection; count: Count | null; onSelectAll: () => void; onClear: () => void }) {
  const { selection, count } = props;
  const none = selection.kind === 'some' && selection.keys.size === 0;
  const words = selection.kind === 'all'
    ? `All ${count ? `${countText(count)} ` : ''}devices matching the search selected`
    : none ? 'No device selected' : `${selection.keys.size} device${selection.keys.size === 1 ? '' : 's'} selected`;
  return (
    <div class="selection-bar" role="group" aria-label="Selection">
      <span aria-live="polite">{words}.</span>
      {selection.kind === 'some' && count !== null && count.n > 0 && (
        <button type="button" class="link" onClick={props.onSelectAll}>Select all {countText(count)} matching the search</button>
      )}
      {!none && <button type="button" class="link" onClick={props.onClear}>Clear selection</button>}
    </div>
  );
}
