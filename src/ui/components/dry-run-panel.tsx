/**
 * A dry run of the text in the editor, saved or not, against a device the
 * operator picks (POST /devices/:id/dry-run): the RPCs provisioning would
 * send at its next Inform, round by round, as its stored state answers.
 */
import { useState } from 'preact/hooks';
import { api, encodeId, withQuery } from '../lib/api';
import { rpcSummary, type DryRunAnswer, type ScriptKind } from '../lib/scripts';
import { messageOf, useLoad } from '../lib/use-load';

/** What stands in for the saved script: a provision's text under its name, or a preset's YAML. */
function bodyOf(kind: ScriptKind, name: string, text: string, events: string[]): Record<string, unknown> {
  const base = events.length > 0 ? { events } : {};
  return kind === 'preset' ? { ...base, preset: name, presetText: text } : { ...base, provisions: { [name]: text } };
}

function Result(props: { r: DryRunAnswer }) {
  const { r } = props;
  return (
    <div class="dry-run-result" aria-live="polite">
      <p>
        Events {r.events.join(', ')}: {r.applied ? 'the preset applies' : `nothing runs: ${r.reason ?? ''}`}.{' '}
        {r.rounds.length === 0 && r.applied && 'No RPC is needed: the device already holds what is declared.'}
      </p>
      <ol class="rounds">
        {r.rounds.map((round) => (
          <li key={round.step}>
            Round {round.step}
            <ul>
              {round.rpcs.map((rpc, i) => (
                <li key={i} class="rpc">
                  <code>{rpcSummary(rpc)}</code> → {rpc.response.method === 'Fault' ? <span class="error">Fault {rpc.response.FaultCode} {rpc.response.FaultString}</span> : rpc.response.method}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      {r.faults.map((f) => <p key={f.channel} class="error">Channel {f.channel} faults: {f.code} {f.message}</p>)}
      {r.notes.length > 0 && <ul class="hint">{r.notes.map((n, i) => <li key={i}>{n}</li>)}</ul>}
    </div>
  );
}

export function DryRunPanel(props: { kind: ScriptKind; name: string; text: string }) {
  const devices = useLoad(async () => (await api<{ deviceKey: string }[]>('GET', withQuery('/devices', { limit: 50 }))).data, []);
  const [device, setDevice] = useState('');
  const [events, setEvents] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<DryRunAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    const codes = events.split(',').map((x) => x.trim()).filter((x) => x !== '');
    try {
      setResult((await api<DryRunAnswer>('POST', `/devices/${encodeId(device.trim())}/dry-run`, bodyOf(props.kind, props.name, props.text, codes))).data);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <form class="dry-run" onSubmit={onSubmit}>
        <label for="dry-device">Device</label>
        <input id="dry-device" list="dry-devices" required value={device} onInput={(e) => setDevice((e.currentTarget as HTMLInputElement).value)} placeholder="OUI-ProductClass-SerialNumber" />
        <datalist id="dry-devices">{devices.data?.map((d) => <option key={d.deviceKey} value={d.deviceKey} />)}</datalist>
        <label for="dry-events">Events</label>
        <input id="dry-events" value={events} onInput={(e) => setEvents((e.currentTarget as HTMLInputElement).value)} placeholder="the preset's, else 1 BOOT" />
        <button type="submit" disabled={busy}>{busy ? 'Running…' : 'Dry run'}</button>
      </form>
      {error && <p role="alert" class="error">{error}</p>}
      {result && <Result r={result} />}
    </>
  );
}
