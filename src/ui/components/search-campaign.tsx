/**
 * Starts a campaign over the list's search (POST /campaigns): the server
 * selects the devices, paces the task over them and counts the outcomes, so
 * this is the way to act on a whole fleet. Asked first; the answer says the
 * campaign's id and status.
 */
import { useState } from 'preact/hooks';
import { api } from '../lib/api';
import { countText, type Count } from '../lib/count';
import { messageOf } from '../lib/use-load';
import { ConfirmDialog } from './confirm-dialog';
import { TaskFields, taskBodyOf, taskLabel, useTaskDraft } from './task-fields';

interface Created {
  id: string;
  name: string;
  status: string;
}

export function SearchCampaign(props: { q: string; count: Count | null }) {
  const [name, setName] = useState('');
  const [task, setTask] = useTaskDraft();
  const [connect, setConnect] = useState(false);
  const [asking, setAsking] = useState<Record<string, unknown> | null>(null);
  const [line, setLine] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const devices = props.count ? `${countText(props.count)} device${props.count.n === 1 && !props.count.more ? '' : 's'}` : 'the devices';
  const ask = () => {
    const built = taskBodyOf(task);
    if (name.trim() === '') return setLine('Give the campaign a name.');
    if ('error' in built) return setLine(built.error);
    setLine(null);
    setAsking(built.body);
  };
  const create = async (body: Record<string, unknown>) => {
    setAsking(null);
    setBusy(true);
    try {
      const r = await api<Created>('POST', '/campaigns', { name: name.trim(), query: props.q, action: { task: body }, connectionRequest: connect });
      setLine(`Campaign “${r.data.name}” created (id ${r.data.id}): ${r.data.status}.`);
    } catch (err) {
      setLine(`The campaign was not created: ${messageOf(err)}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="search-campaign">
      <summary>Start a campaign over this search</summary>
      <form class="inline" onSubmit={(e) => (e.preventDefault(), ask())}>
        <label for="campaign-name">Campaign name</label>
        <input id="campaign-name" value={name} size={20} maxLength={255} onInput={(e) => setName(e.currentTarget.value)} />
        <TaskFields idPrefix="campaign-task" draft={task} onChange={setTask} />
        <label class="plain"><input type="checkbox" checked={connect} onChange={(e) => setConnect(e.currentTarget.checked)} /> Ask each device to connect</label>
        <button type="submit" disabled={busy}>Start campaign</button>
      </form>
      <p class="hint">The server paces the task over every device the search matches ({devices} now), 60 a minute by default, and stops if too many fail.</p>
      {line && <p role="status" class="task-line">{line}</p>}
      {asking && (
        <ConfirmDialog title="Start the campaign?" confirm="Start campaign" onCancel={() => setAsking(null)} onConfirm={() => void create(asking)}>
          <p>“{name.trim()}”: {taskLabel(task)} on {devices} matching <code>{props.q || 'every device'}</code>.</p>
        </ConfirmDialog>
      )}
    </details>
  );
}
