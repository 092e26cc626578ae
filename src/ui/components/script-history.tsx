/** A stored script's versions (GET /<kind>/:name/versions), each with a line diff from the version before it. */
import { useState } from 'preact/hooks';
import { api } from '../lib/api';
import { exact } from '../lib/format';
import { lineDiff, type DiffLine } from '../lib/line-diff';
import type { ScriptVersion } from '../lib/scripts';
import { messageOf, useLoad } from '../lib/use-load';

/** The text of a version ('' for a deletion or a version before the first). */
async function textOf(base: string, v: ScriptVersion | undefined): Promise<string> {
  if (!v || v.deleted) return '';
  const res = await fetch(`${base}?version=${v.version}`, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`version ${v.version}: ${res.status}`);
  return res.text();
}

function Diff(props: { lines: DiffLine[] }) {
  const changed = props.lines.filter((l) => l.op !== ' ').length;
  return (
    <pre class="diff" aria-label={`${changed} line(s) changed`}>
      {props.lines.map((l, i) => (
        <div key={i} class={l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'same'}>
          <span class="sr-only">{l.op === '+' ? 'added' : l.op === '-' ? 'removed' : ''}</span>
          {`${l.op} ${l.text}`}
        </div>
      ))}
    </pre>
  );
}

export function ScriptHistory(props: { base: string; stamp: number }) {
  const versions = useLoad(async () => {
    try {
      return (await api<ScriptVersion[]>('GET', `${props.base}/versions`)).data;
    } catch {
      return []; // a file, or not saved yet: no stored history
    }
  }, [props.base, props.stamp]);
  const [shown, setShown] = useState<{ version: number; lines: DiffLine[] } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = versions.data ?? [];
  const showDiff = async (v: ScriptVersion) => {
    setError(null);
    try {
      const before = list.filter((x) => x.version < v.version).at(-1);
      setShown({ version: v.version, lines: lineDiff(await textOf(props.base, before), await textOf(props.base, v)) });
    } catch (err) {
      setError(messageOf(err));
    }
  };
  if (list.length === 0) return <p class="none">No stored versions.</p>;
  return (
    <>
      <ol class="versions" reversed>
        {[...list].reverse().map((v) => (
          <li key={v.version}>
            <strong>v{v.version}</strong> {exact(v.time)} by {v.by}{v.deleted ? ' (deleted)' : ''}{' '}
            <button type="button" class="small" onClick={() => void showDiff(v)} aria-pressed={shown?.version === v.version}>
              Changes in v{v.version}
            </button>
          </li>
        ))}
      </ol>
      {error && <p role="alert" class="error">{error}</p>}
      {shown && (
        <>
          <h3>Changes in v{shown.version}</h3>
          <Diff lines={shown.lines} />
        </>
      )}
    </>
  );
}
