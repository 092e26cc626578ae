/**
 * The SOAP trace of one device: on for a chosen time (PUT /devices/:id/trace),
 * off (DELETE), and the messages kept, downloaded as JSON (GET, which says
 * until when tracing is on).
 */
import { useState } from 'preact/hooks';
import { api, encodeId } from '../lib/api';
import { exact } from '../lib/format';
import { messageOf, useLoad } from '../lib/use-load';

interface TraceState {
  until: string | null;
  messages?: unknown[];
}

const DURATIONS: [number, string][] = [[600, '10 minutes'], [3600, '1 hour'], [14_400, '4 hours'], [86_400, '1 day']];

export function TraceSwitch(props: { deviceId: string; canWrite: boolean }) {
  const path = `/devices/${encodeId(props.deviceId)}/trace`;
  const state = useLoad(async () => (await api<TraceState>('GET', path)).data, [path]);
  const [durationS, setDurationS] = useState(DURATIONS[0][0]);
  const [error, setError] = useState<string | null>(null);
  const change = async (on: boolean) => {
    setError(null);
    try {
      await (on ? api('PUT', path, { durationS }) : api('DELETE', path));
      state.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const until = state.data?.until ?? null;
  return (
    <div class="trace">
      <p role="status">
        {until === null ? 'Tracing is off.' : `Tracing until ${exact(Date.parse(until))}.`}{' '}
        {state.data && `${state.data.messages?.length ?? 0} messages kept.`}{' '}
        <a href={path} download>Download the trace</a>
      </p>
      {props.canWrite && (
        <form class="inline" onSubmit={(e) => (e.preventDefault(), change(true))}>
          <label for="trace-duration">Trace for</label>
          <select id="trace-duration" value={durationS} onChange={(e) => setDurationS(Number(e.currentTarget.value))}>
            {DURATIONS.map(([s, text]) => <option key={s} value={s}>{text}</option>)}
          </select>
          <button type="submit">{until === null ? 'Start tracing' : 'Trace longer'}</button>
          {until !== null && <button type="button" onClick={() => change(false)}>Stop tracing</button>}
        </form>
      )}
      {(error ?? state.error) && <p class="error" role="alert">{error ?? state.error}</p>}
    </div>
  );
}
