/**
 * A workflow run on one device, as the device page follows it: the latest
 * run of that workflow is loaded first (its result stays on the page after a
 * reload), a start is POST /workflows/runs, a cancel DELETE, and a run not
 * yet final is read again (GET /workflows/runs/:id) every POLL_MS until it is
 * done, failed or cancelled, or the page is left.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { WorkflowRun } from '../../workflows/types';
import { api, encodeId, withQuery } from '../lib/api';
import { messageOf } from '../lib/use-load';
import { isFinal } from '../lib/workflows';

export type Run = WorkflowRun;

export { isFinal };

const POLL_MS = 1_000;
/** How long a run may wait on the device before the page offers to ask the device again. */
const STUCK_MS = 10_000;

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

/** ConnectionRequestOutcome of POST /devices/:id/connection-request, the fields shown. */
interface Asked {
  outcome: string;
  message?: string;
}

/** GET /workflows: each workflow's steps with their kinds (task, wait, switch ...). */
type Definitions = { name: string; steps: { name: string; kind: string }[] }[];

/**
 * A run waiting on a task for a while: the task waits for a session the
 * device has not opened (a connection request it refused, e.g. 503 for
 * asking too often, is not asked again by the ACS). A writer may ask again.
 * Waits on the device's own doing (a transfer, a reboot) get no hint.
 */
export function WaitingHint(props: { deviceId: string; run: Run; canWrite: boolean }) {
  const { run } = props;
  const [now, setNow] = useState(Date.now());
  const [kinds, setKinds] = useState<Record<string, string> | null>(null);
  const [asked, setAsked] = useState<string | null>(null);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, []);
  const waitedMs = now - run.updatedAt;
  const stuck = run.status === 'waiting' && waitedMs >= STUCK_MS;
  useEffect(() => {
    if (!stuck || kinds !== null) return;
    // Unknown kinds (an inline workflow, a failed read) show the hint: asking a device to connect does no harm.
    api<Definitions>('GET', '/workflows').then(
      (r) => setKinds(Object.fromEntries(r.data.find((w) => w.name === run.workflow)?.steps.map((x) => [x.name, x.kind]) ?? [])),
      () => setKinds({}),
    );
  }, [stuck]);
  const kind = run.step === null ? undefined : kinds?.[run.step];
  if (!stuck || kinds === null || (kind !== undefined && kind !== 'task')) return null;
  const ask = async () => {
    try {
      const r = (await api<Asked>('POST', `/devices/${encodeId(props.deviceId)}/connection-request`)).data;
      setAsked(`Connection request: ${r.outcome}${r.message ? ` (${r.message})` : ''}.`);
    } catch (err) {
      setAsked(messageOf(err));
    }
  };
  return (
    <div class="waiting-hint">
      <p class="hint">The device has not taken this step's task for {Math.round(waitedMs / 1000)} s: it may not have been asked to connect, or it refused.</p>
      {props.canWrite && <button type="button" class="small" onClick={() => void ask()}>Ask the device to connect</button>}
      {asked && <p role="status">{asked}</p>}
    </div>
  );
}
