/** Adds and removes the device list's columns: an identity field, or any parameter path. */
import { useState } from 'preact/hooks';
import { columnOf, fieldColumns } from '../lib/columns';

export function ColumnPicker(props: { keys: string[]; onChange: (keys: string[]) => void }) {
  const [path, setPath] = useState('');
  const [error, setError] = useState<string | null>(null);
  const add = (key: string) => {
    if (props.keys.includes(key)) return setError(`${key} is shown already`);
    if (!columnOf(key)) return setError(`${key} is not a parameter path (Device.… or InternetGatewayDevice.…, no trailing dot)`);
    setError(null);
    setPath('');
    props.onChange([...props.keys, key]);
  };
  const unused = fieldColumns().filter((c) => !props.keys.includes(c.key));
  return (
    <details class="columns">
      <summary>Columns</summary>
      <ul class="chips" aria-label="Shown columns">
        {props.keys.map((key) => (
          <li key={key}>
            {columnOf(key)?.label ?? key}
            <button type="button" aria-label={`Remove column ${key}`} disabled={props.keys.length === 1} onClick={() => props.onChange(props.keys.filter((k) => k !== key))}>×</button>
          </li>
        ))}
      </ul>
      {unused.length > 0 && (
        <p>
          Add:{' '}
          {unused.map((c) => (
            <button type="button" class="link" key={c.key} onClick={() => add(c.key)}>{c.label}</button>
          ))}
        </p>
      )}
      <form onSubmit={(e) => (e.preventDefault(), add(path.trim()))} class="inline">
        <label for="column-path">Parameter</label>
        <input id="column-path" value={path} onInput={(e) => setPath(e.currentTarget.value)} placeholder="Device.DeviceInfo.UpTime" size={40} aria-describedby="column-error" />
        <button type="submit">Add column</button>
        {error && <span id="column-error" class="error" role="alert">{error}</span>}
      </form>
    </details>
  );
}
