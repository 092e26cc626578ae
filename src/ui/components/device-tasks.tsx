/**
 * A device's recent tasks (GET /devices/:id/tasks), newest first, each with
 * its result or fault; a faulted, expired or cancelled one can be run again
 * (POST /tasks/:id/retry).
 */
import { useState } from 'preact/hooks';
import { api, encodeId, withQuery } from '../lib/api';
import { ago, exact } from '../lib/format';
import type { Task } from '../lib/tasks';
import { messageOf, useLoad } from '../lib/use-load';

/** GET /devices/:id/tasks: lib/tasks.ts's Task with what the list shows. */
type Listed = Task & { name: string; createdAt: number; updatedAt: number; retries: number };

const SHOWN = 20;
const RETRYABLE = new Set(['fault', 'expired', 'cancelled']);

function Outcome(props: { t: Listed }) {
  const { t } = props;
  if (t.status === 'fault') return <span class="error">{t.fault?.code} {t.fault?.message}</span>;
  if (t.status !== 'done' || t.result === undefined || t.result === null) return null;
  return (
    <details>
      <summary>Result</summary>
      <pre>{JSON.stringify(t.result, null, 2)}</pre>
    </details>
  );
}

export function DeviceTasks(props: { deviceId: string; canWrite: boolean; version: number }) {
  const path = withQuery(`/devices/${encodeId(props.deviceId)}/tasks`, { limit: SHOWN });
  const tasks = useLoad(async () => (await api<Listed[]>('GET', path)).data, [path, props.version]);
  const [error, setError] = useState<string | null>(null);
  const retry = async (id: number) => {
    setError(null);
    try {
      await api('POST', `/tasks/${id}/retry`);
      tasks.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  if (tasks.error) return <p class="error" role="alert">{tasks.error}</p>;
  if (!tasks.data) return <p class="loading">Loading…</p>;
  if (tasks.data.length === 0) return <p class="none">No tasks.</p>;
  return (
    <div class="table-wrap">
      <table class="list" aria-label="Tasks">
        <thead>
          <tr><th>Task</th><th>Name</th><th>Status</th><th>Created</th><th>Outcome</th><th><span class="sr-only">Actions</span></th></tr>
        </thead>
        <tbody>
          {tasks.data.map((t) => (
            <tr key={t.id}>
              <td>{t.id}</td>
              <td>{t.name}</td>
              <td class={`status ${t.status}`}>{t.status}</td>
              <td title={exact(t.createdAt)}>{ago(t.createdAt)}</td>
              <td><Outcome t={t} /></td>
              <td>
                {props.canWrite && RETRYABLE.has(t.status) && (
                  <button type="button" class="small" aria-label={`Retry task ${t.id}`} onClick={() => retry(t.id)}>Retry</button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}
