/**
 * What went wrong on a device: the CPE's recent faults (answers to the
 * ACS's RPCs) and the provisioning channels' faults, each of which an
 * operator can clear so the channel runs again at the next session
 * (DELETE /devices/:id/faults/:channel).
 */
import { useState } from 'preact/hooks';
import type { ChannelFault, FaultRecord } from '../../db/types';
import { api, encodeId } from '../lib/api';
import { ago, exact } from '../lib/format';
import { messageOf } from '../lib/use-load';

function CpeFaults(props: { faults: FaultRecord[] }) {
  if (props.faults.length === 0) return <p class="none">No CPE faults.</p>;
  return (
    <ul class="faults" aria-label="CPE faults">
      {props.faults.map((f, i) => (
        <li key={i}>
          <strong>{f.code}</strong> {f.message} <span class="hint">({f.request.method}, <span title={exact(f.time)}>{ago(f.time)}</span>)</span>
        </li>
      ))}
    </ul>
  );
}

function ChannelFaults(props: { deviceId: string; faults: ChannelFault[]; canWrite: boolean; onChanged: () => void }) {
  const [error, setError] = useState<string | null>(null);
  const retry = async (channel: string) => {
    setError(null);
    try {
      await api('DELETE', `/devices/${encodeId(props.deviceId)}/faults/${encodeURIComponent(channel)}`);
      props.onChanged();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  if (props.faults.length === 0) return <p class="none">No channel faults.</p>;
  return (
    <>
      <ul class="faults" aria-label="Channel faults">
        {props.faults.map((f) => (
          <li key={f.channel}>
            <strong>{f.channel}</strong>: <code>{f.code}</code> {f.message}{' '}
            <span class="hint">
              ({f.retries} in a row{f.preset ? `, preset ${f.preset}` : ''}{f.script ? `, ${f.script}${f.line ? `:${f.line}` : ''}` : ''}, last{' '}
              <span title={exact(f.time)}>{ago(f.time)}</span>)
            </span>{' '}
            {props.canWrite && (
              <button type="button" class="small" aria-label={`Retry channel ${f.channel}`} onClick={() => retry(f.channel)}>Retry</button>
            )}
          </li>
        ))}
      </ul>
      {error && <p class="error" role="alert">{error}</p>}
    </>
  );
}

export function DeviceFaults(props: { deviceId: string; faults: FaultRecord[]; channelFaults: ChannelFault[]; canWrite: boolean; onChanged: () => void }) {
  return (
    <>
      <CpeFaults faults={props.faults} />
      <ChannelFaults deviceId={props.deviceId} faults={props.channelFaults} canWrite={props.canWrite} onChanged={props.onChanged} />
    </>
  );
}
