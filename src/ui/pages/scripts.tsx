/** Presets, provisions and virtual parameters: every one of each kind, with its origin; a new one by name (write role). */
import { useState } from 'preact/hooks';
import { api, type Session } from '../lib/api';
import { ago, exact } from '../lib/format';
import { navigate } from '../lib/router';
import { KINDS, type KindInfo, type ListedScript } from '../lib/scripts';
import { useLoad } from '../lib/use-load';
import { Link } from '../components/link';
import '../scripts.css';

function KindTable(props: { k: KindInfo }) {
  const { k } = props;
  const list = useLoad(async () => (await api<ListedScript[]>('GET', `/${k.route}`)).data, [k.route]);
  return (
    <section aria-labelledby={`kind-${k.route}`}>
      <h2 id={`kind-${k.route}`}>
        {k.title}
        {list.data && <span class="count"> ({list.data.length})</span>}
      </h2>
      {list.error && <p role="alert" class="error">{list.error}</p>}
      {list.data?.length === 0 && <p class="none">None yet.</p>}
      {list.data && list.data.length > 0 && (
        <div class="scroll-x">
          <table class="scripts">
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Origin</th><th scope="col">Version</th><th scope="col">Changed</th></tr>
            </thead>
            <tbody>
              {list.data.map((s) => (
                <tr key={s.name}>
                  <td>
                    <Link to={`/scripts/${k.route}/${encodeURIComponent(s.name)}`}>{s.name}</Link>
                    {s.ok === false && <span class="error"> (has errors)</span>}
                  </td>
                  <td>{s.origin}{s.shadowed ? ` (shadows stored v${s.shadowed.version})` : ''}</td>
                  <td>{s.version ?? '—'}</td>
                  <td title={exact(s.modified)}>{ago(s.modified)}{s.updatedBy ? ` by ${s.updatedBy}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function NewScript() {
  const [route, setRoute] = useState(KINDS[1].route);
  const [name, setName] = useState('');
  const onSubmit = (e: Event) => {
    e.preventDefault();
    if (name.trim() !== '') navigate(`/scripts/${route}/${encodeURIComponent(name.trim())}?new`);
  };
  return (
    <form class="new-script" onSubmit={onSubmit}>
      <label for="new-kind">New</label>
      <select id="new-kind" value={route} onChange={(e) => setRoute((e.currentTarget as HTMLSelectElement).value)}>
        {KINDS.map((k) => <option key={k.route} value={k.route}>{k.title.replace(/s$/, '').toLowerCase()}</option>)}
      </select>
      <label for="new-name" class="sr-only">Name</label>
      <input id="new-name" placeholder="name" value={name} onInput={(e) => setName((e.currentTarget as HTMLInputElement).value)} />
      <button type="submit">Create</button>
    </form>
  );
}

export function Scripts(props: { session: Session }) {
  return (
    <>
      <h1>Presets and provisions</h1>
      {props.session.scope !== 'read' && <NewScript />}
      {KINDS.map((k) => <KindTable key={k.route} k={k} />)}
    </>
  );
}
