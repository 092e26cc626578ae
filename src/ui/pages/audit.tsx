/**
 * The audit log (admin), newest first, a page at a time: the next page is
 * the entries before the last one shown (GET /audit?before=); the pages
 * already seen are kept as their starts, for going back.
 */
import { useState } from 'preact/hooks';
import type { AuditEntry } from '../../nbi/auth/audit';
import { api, withQuery } from '../lib/api';
import { exact } from '../lib/format';
import { useLoad } from '../lib/use-load';

type Entry = AuditEntry & { id: number };

const PAGE = 50;

function Filter(props: { token: string; onChange: (token: string) => void }) {
  const [text, setText] = useState(props.token);
  return (
    <form class="inline" role="search" onSubmit={(e) => (e.preventDefault(), props.onChange(text.trim()))}>
      <label for="audit-token">Token or user</label>
      <input id="audit-token" value={text} onInput={(e) => setText(e.currentTarget.value)} placeholder="all" />
      <button type="submit">Filter</button>
    </form>
  );
}

function Entries(props: { entries: Entry[] }) {
  return (
    <div class="table-wrap">
      <table class="list" aria-label="Audit log">
        <thead><tr><th>Time</th><th>Who</th><th>Method</th><th>Target</th><th>Status</th><th>Message</th></tr></thead>
        <tbody>
          {props.entries.map((e) => (
            <tr key={e.id}>
              <td>{exact(e.time)}</td>
              <td>{e.token ?? <em class="none">no token</em>}</td>
              <td>{e.method}</td>
              <td title={e.route}><code>{e.target}</code></td>
              <td>{e.status}</td>
              <td>{e.message ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Audit() {
  const [token, setToken] = useState('');
  // The `before` of each page seen; the last is the page shown (undefined: the newest).
  const [starts, setStarts] = useState<(number | undefined)[]>([undefined]);
  const before = starts[starts.length - 1];
  const page = useLoad(
    async () => (await api<Entry[]>('GET', withQuery('/audit', { token: token || undefined, before, limit: PAGE }))).data,
    [token, before],
  );
  const entries = page.data ?? [];
  const filter = (t: string) => (setToken(t), setStarts([undefined]));
  return (
    <article aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <Filter token={token} onChange={filter} />
      {page.error && <p class="error" role="alert">{page.error}</p>}
      {page.data && (entries.length === 0 ? <p class="none">No entries.</p> : <Entries entries={entries} />)}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={starts.length === 1} onClick={() => setStarts(starts.slice(0, -1))}>← Newer</button>
        <span>Page {starts.length}</span>
        <button type="button" disabled={entries.length < PAGE} onClick={() => setStarts([...starts, entries[entries.length - 1].id])}>Older →</button>
      </nav>
    </article>
  );
}
