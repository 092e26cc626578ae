/**
 * The device's buttons: reboot, factory reset (asked twice: it wipes the
 * CPE's configuration) and a bare connection request. Reboot and reset are
 * tasks run now (lib/tasks.ts); their outcome stays on the line below.
 */
import { useState } from 'preact/hooks';
import { api, encodeId } from '../lib/api';
import { runTask, taskSummary } from '../lib/tasks';
import { messageOf } from '../lib/use-load';
import { ConfirmDialog } from './confirm-dialog';

type TaskName = 'reboot' | 'factoryReset';

export function DeviceActions(props: { deviceId: string; onChanged: () => void }) {
  const [line, setLine] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const act = async (work: () => Promise<void>) => {
    setBusy(true);
    try {
      await work();
      props.onChanged();
    } catch (err) {
      setLine(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const task = (name: TaskName) => act(async () => void (await runTask(props.deviceId, { name }, (t) => setLine(taskSummary(t)))));
  const connect = () =>
    act(async () => {
      const r = await api<{ outcome: string; via?: string }>('POST', `/devices/${encodeId(props.deviceId)}/connection-request`);
      setLine(`Connection request: ${r.data.outcome}${r.data.via ? ` (${r.data.via})` : ''}.`);
    });
  return (
    <div class="actions">
      <div class="inline">
        <button type="button" disabled={busy} onClick={() => task('reboot')}>Reboot</button>
        <button type="button" disabled={busy} onClick={connect}>Connection request</button>
        <button type="button" class="danger" disabled={busy} onClick={() => setConfirming(true)}>Factory reset…</button>
      </div>
      {line && <p role="status" class="task-line">{line}</p>}
      {confirming && (
        <ConfirmDialog
          title="Factory reset?"
          confirm="Reset to factory defaults"
          onCancel={() => setConfirming(false)}
          onConfirm={() => (setConfirming(false), task('factoryReset'))}
        >
          <p>The device <strong>{props.deviceId}</strong> loses its whole configuration and starts again as it left the factory.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
