/**
 * Named searches kept on the server (GET/PUT/DELETE /searches): pick one to
 * run it with its columns and sort; save the current one under a name, for
 * oneself or shared with everyone (write role); delete one after asking.
 * The controls say "query", not "search": the search field's label is
 * Search, and no other label on the page should contain it.
 */
import { useState } from 'preact/hooks';
import { api, withQuery } from '../lib/api';
import { messageOf, useLoad } from '../lib/use-load';
import { ConfirmDialog } from './confirm-dialog';

export interface SavedSearch {
  name: string;
  shared: boolean;
  q: string;
  columns: string[];
  sort: string;
}

/** The select's value of a search: own and shared ones may share a name. */
const idOf = (s: Pick<SavedSearch, 'name' | 'shared'>): string => `${s.shared ? 'shared' : 'own'}:${s.name}`;
const pathOf = (s: Pick<SavedSearch, 'name' | 'shared'>): string => withQuery(`/searches/${encodeURIComponent(s.name)}`, { shared: s.shared });

interface Props {
  current: { q: string; sort: string; columns: string[] };
  canWrite: boolean;
  onPick: (s: SavedSearch) => void;
}

export function SavedSearches(props: Props) {
  const list = useLoad(async () => (await api<SavedSearch[]>('GET', '/searches')).data, []);
  const [chosen, setChosen] = useState('');
  const [saving, setSaving] = useState(false);
  const [deleting, setDeleting] = useState<SavedSearch | null>(null);
  const [line, setLine] = useState<string | null>(null);
  const searches = list.data ?? [];
  const picked = searches.find((s) => idOf(s) === chosen) ?? null;
  const remove = async (s: SavedSearch) => {
    setDeleting(null);
    try {
      await api('DELETE', pathOf(s));
      setLine(`Deleted “${s.name}”.`);
      setChosen('');
      list.reload();
    } catch (err) {
      setLine(messageOf(err));
    }
  };
  const saved = (s: SavedSearch) => (setSaving(false), setChosen(idOf(s)), setLine(`Saved “${s.name}”${s.shared ? ', shared' : ''}.`), list.reload());
  return (
    <div class="saved-searches">
      <form class="inline" onSubmit={(e) => (e.preventDefault(), picked && props.onPick(picked))}>
        <label for="saved-search">Saved queries</label>
        <select id="saved-search" value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
          <option value="">{list.data === null ? 'Loading…' : searches.length === 0 ? 'None yet' : 'Choose one'}</option>
          <SearchOptions label="Yours" searches={searches.filter((s) => !s.shared)} />
          <SearchOptions label="Shared" searches={searches.filter((s) => s.shared)} />
        </select>
        <button type="submit" disabled={picked === null}>Use</button>
        {props.canWrite && picked && <button type="button" class="small" onClick={() => setDeleting(picked)}>Delete…</button>}
        {props.canWrite && <button type="button" onClick={() => setSaving(!saving)} aria-expanded={saving}>Save query…</button>}
      </form>
      {list.error && <p class="error" role="alert">{list.error}</p>}
      {saving && <SaveForm current={props.current} searches={searches} initial={picked} onSaved={saved} />}
      {line && <p role="status" class="task-line">{line}</p>}
      {deleting && (
        <ConfirmDialog title="Delete the saved query?" confirm="Delete" onCancel={() => setDeleting(null)} onConfirm={() => void remove(deleting)}>
          <p>“{deleting.name}”{deleting.shared ? ', shared with everyone,' : ''} is forgotten; the devices are not touched.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}

function SearchOptions(props: { label: string; searches: SavedSearch[] }) {
  if (props.searches.length === 0) return null;
  return (
    <optgroup label={props.label}>
      {props.searches.map((s) => <option key={idOf(s)} value={idOf(s)}>{s.name}</option>)}
    </optgroup>
  );
}

function SaveForm(props: { current: Props['current']; searches: SavedSearch[]; initial: SavedSearch | null; onSaved: (s: SavedSearch) => void }) {
  const [name, setName] = useState(props.initial?.name ?? '');
  const [shared, setShared] = useState(props.initial?.shared ?? false);
  const [error, setError] = useState<string | null>(null);
  const replaces = props.searches.some((s) => s.name === name.trim() && s.shared === shared);
  const save = async () => {
    const s = { name: name.trim(), shared };
    if (s.name === '') return setError('Give the query a name.');
    try {
      const r = await api<SavedSearch>('PUT', pathOf(s), props.current);
      props.onSaved(r.data);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <form class="inline save-search" onSubmit={(e) => (e.preventDefault(), void save())} aria-label="Save the query">
      <label for="save-name">Name</label>
      <input id="save-name" value={name} size={24} maxLength={128} onInput={(e) => setName(e.currentTarget.value)} aria-describedby="save-hint save-error" />
      <label class="plain"><input type="checkbox" checked={shared} onChange={(e) => setShared(e.currentTarget.checked)} /> Shared with everyone</label>
      <button type="submit">{replaces ? 'Replace' : 'Save'}</button>
      <span id="save-hint" class="hint">The search text, the columns shown and the sort{replaces ? ': replaces the saved query of that name' : ''}.</span>
      {error && <span id="save-error" class="error" role="alert">{error}</span>}
    </form>
  );
}
