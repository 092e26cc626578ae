/**
 * In-place edit of a writable value: checked against its type before it is
 * sent, then a setParameterValues task run now, its outcome announced.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../lib/api';
import { finished, runTask, taskSummary, type Task } from '../lib/tasks';
import type { Parameter } from '../lib/tree';
import { checked, typeFor } from '../lib/value-type';

export function ValueEditor(props: { deviceId: string; parameter: Parameter; onClose: () => void; onDone: () => void }) {
  const { parameter } = props;
  const [value, setValue] = useState(parameter.value ?? '');
  const [error, setError] = useState<string | null>(null);
  const [task, setTask] = useState<Task | null>(null);
  const input = useRef<HTMLInputElement & HTMLSelectElement>(null);
  const abort = useRef(new AbortController());
  useEffect(() => (input.current?.focus(), () => abort.current.abort()), []);
  const id = `edit-${parameter.path}`;
  const submit = async (e: Event) => {
    e.preventDefault();
    const type = await typeFor(parameter.path, parameter.type);
    const check = checked(value, type);
    if (!check.ok) return setError(`Not a valid ${type}: ${check.reason}`);
    setError(null);
    try {
      const body = { name: 'setParameterValues', parameterValues: [[parameter.path, check.value, type]] };
      const last = await runTask(props.deviceId, body, setTask, abort.current.signal);
      if (last.status === 'done') props.onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  const busy = task !== null && !finished(task);
  const onKeyDown = (e: KeyboardEvent) => e.key === 'Escape' && props.onClose();
  return (
    <form class="edit" onSubmit={submit} onKeyDown={onKeyDown}>
      <label for={id} class="sr-only">New value of {parameter.path}</label>
      {parameter.type === 'xsd:boolean' ? (
        <select id={id} ref={input} value={value} onChange={(e) => setValue(e.currentTarget.value)}>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      ) : (
        <input id={id} ref={input} value={value} onInput={(e) => setValue(e.currentTarget.value)} aria-invalid={error !== null} aria-describedby={`${id}-status`} />
      )}
      <button type="submit" disabled={busy}>Set</button>
      <button type="button" onClick={props.onClose}>Close</button>
      <span id={`${id}-status`} role="status" class={error || task?.status === 'fault' ? 'error' : 'hint'}>
        {error ?? (task ? taskSummary(task) : '')}
      </span>
    </form>
  );
}
