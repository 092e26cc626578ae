/**
 * A workflow run on one device, as the device page follows it: the latest
 * run of that workflow is loaded first (its result stays on the page after a
 * reload), a start is POST /workflows/runs, a cancel DELETE, and a run not
 * yet final is read again (GET /workflows/runs/:id) every POLL_MS until it is
 * done, failed or cancelled, or the page is left.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RunStatus, WorkflowRun } from '../../workflows/types';
import { api, encodeId, withQuery } from '../lib/api';
import { messageOf } from '../lib/use-load';

export type Run = WorkflowRun;

export const isFinal = (s: RunStatus): boolean => s === 'done' || s === 'failed' || s === 'cancelled';

const POLL_MS = 1_000;

export interface FollowedRun {
  /** The device's latest run of the workflow; null when none. */
  run: Run | null;
  error: string | null;
  /** A start or a cancel is on its way. */
  busy: boolean;
  start(args: Record<string, unknown>): Promise<void>;
  /** The run ends cancelled, with the task its step waits for. */
  cancel(): Promise<void>;
}

/** Follows the device's latest run of `workflow`; `onFinished` hears of a run this page saw going that ended. */
export function useWorkflowRun(deviceId: string, workflow: string, onFinished?: () => void): FollowedRun {
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const finished = useRef(onFinished);
  finished.current = onFinished;
  const seenGoing = useRef(false);
  useEffect(() => {
    let live = true;
    setRun(null);
    api<Run[]>('GET', withQuery('/workflows/runs', { device: deviceId, workflow, limit: 1 })).then(
      (r) => live && setRun(r.data[0] ?? null),
      (err: unknown) => live && setError(messageOf(err)),
    );
    return () => void (live = false);
  }, [deviceId, workflow]);
  usePolling(run, setRun, setError);
  useEffect(() => {
    if (!run) return;
    if (!isFinal(run.status)) {
      seenGoing.current = true;
    } else if (seenGoing.current) {
      seenGoing.current = false;
      finished.current?.();
    }
  }, [run]);
  const send = async (request: () => Promise<Run>) => {
    setError(null);
    setBusy(true);
    try {
      setRun(await request());
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return {
    run, error, busy,
    start: (args) => send(async () => (await api<Run>('POST', '/workflows/runs', { device: deviceId, workflow, args })).data),
    cancel: () => send(async () => (await api<Run>('DELETE', `/workflows/runs/${encodeId(run?.id ?? '')}`)).data),
  };
}

/** Reads a run that is not final again after POLL_MS (one read at a time); a failed read is shown and tried again. */
function usePolling(run: Run | null, setRun: (r: Run) => void, setError: (e: string | null) => void): void {
  useEffect(() => {
    if (!run || isFinal(run.status)) return;
    let live = true;
    const timer = setTimeout(async () => {
      try {
        const fresh = (await api<Run>('GET', `/workflows/runs/${encodeId(run.id)}`)).data;
        if (!live) return;
        setError(null);
        setRun(fresh);
      } catch (err) {
        if (!live) return;
        setError(messageOf(err));
        // A copy of the same run: this effect runs again, so the next read is tried.
        setRun({ ...run });
      }
    }, POLL_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [run]);
}

/** One line saying where the run is: its step (in `steps`' words when given) while it goes, its outcome once final. */
export function RunLine(props: { run: Run; what: string; steps?: Record<string, string> }) {
  const { run, what } = props;
  if (run.status === 'failed') return <p class="error run-line" role="alert">{what} failed: {run.reason ?? 'no reason given'}</p>;
  if (run.status === 'cancelled') return <p class="run-line" role="status">{what} cancelled{run.reason ? `: ${run.reason}` : ''}.</p>;
  if (run.status === 'done') return <p class="ok-line run-line" role="status">{what} done.</p>;
  const step = run.step === null ? '' : props.steps?.[run.step] ?? `at step “${run.step}”`;
  return (
    <p class="run-line" role="status">
      <span class="spinner" aria-hidden="true" /> {what}: {run.status}{step ? `, ${step}` : ''}…
    </p>
  );
}
