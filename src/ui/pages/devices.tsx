/**
 * The device list: a search in the presets' language (?q=) and how many
 * devices it matches, the operator's columns, sort by a column, saved
 * searches, and pages through the API's cursor (the browser keeps only the
 * cursors of the pages seen, never the list itself). Writers tick devices (or
 * select every one the search matches) to tag them or run a task, or start a
 * campaign over the search.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, withQuery, type Session } from '../lib/api';
import { NOTHING, isEmpty, type Selection } from '../lib/bulk';
import { columnOf, loadColumns, saveColumns, type Column, type ListedDevice } from '../lib/columns';
import { countDevices, matchText, type Count } from '../lib/count';
import { navigate, type Route } from '../lib/router';
import { useLoad } from '../lib/use-load';
import { BulkActions, SelectionBar } from '../components/bulk-actions';
import { SearchCampaign } from '../components/search-campaign';
import { ColumnPicker } from '../components/column-picker';
import { DeviceTable, type Ticks } from '../components/device-table';
import { SavedSearches, type SavedSearch } from '../components/saved-searches';
import '../devices.css';

const PAGE_SIZES = [25, 50, 100];

interface Listing {
  devices: ListedDevice[];
  next: string | null;
}

/** The search and sort live in the address (bookmarks, Back); a change goes back to the first page. */
function setQuery(route: Route, changes: Record<string, string | undefined>): void {
  const query = new URLSearchParams(route.query);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') query.delete(k);
    else query.set(k, v);
  }
  const text = query.toString();
  navigate(`/devices${text ? `?${text}` : ''}`);
}

function useListing(q: string, sort: string, limit: number, cursor: string | null, columns: Column[]) {
  const [listing, setListing] = useState<Listing | null>(null);
  const [error, setError] = useState<string | null>(null);
  const projection = columns.flatMap((c) => c.parameter ?? []).join(',');
  useEffect(() => {
    let live = true;
    const path = withQuery('/devices', { q: q || undefined, sort: sort || undefined, limit, cursor: cursor ?? undefined, projection: projection || undefined });
    api<ListedDevice[]>('GET', path).then(
      (r) => live && (setListing({ devices: r.data, next: r.headers.get('X-Next-Cursor') }), setError(null)),
      (err: unknown) => live && (setListing(null), setError(err instanceof ApiError ? err.message : String(err))),
    );
    return () => void (live = false);
  }, [q, sort, limit, cursor, projection]);
  return { listing, error };
}

/** Ticking rows adds to (or takes from) a selection of rows; a selection of the whole search is left as it is. */
function ticksOf(selection: Selection, set: (s: Selection) => void): Ticks {
  const keys = selection.kind === 'some' ? selection.keys : new Set<string>();
  return {
    all: selection.kind === 'all',
    isTicked: (key) => keys.has(key),
    onChange: (changed, ticked) => {
      const next = new Set(keys);
      for (const key of changed) {
        if (ticked) next.add(key);
        else next.delete(key);
      }
      set({ kind: 'some', keys: next });
    },
  };
}

/** Whether the signed-in role may change things (GET /session: the page is given no session). */
function useCanWrite(): boolean {
  const session = useLoad(async () => (await api<Session>('GET', '/session')).data, []);
  return session.data !== null && session.data.scope !== 'read';
}

function MatchCount(props: { count: Count | null }) {
  return <p class="match-count" role="status" aria-live="polite">{props.count ? matchText(props.count) : 'Counting…'}</p>;
}

export function Devices(props: { route: Route }) {
  const q = props.route.query.get('q') ?? '';
  const sort = props.route.query.get('sort') ?? '';
  const [keys, setKeys] = useState(loadColumns);
  const [limit, setLimit] = useState(50);
  // cursors[i] is the cursor of page i + 1 (page 1 has none).
  const [cursors, setCursors] = useState<string[]>([]);
  useEffect(() => setCursors([]), [q, sort, limit]);
  const columns = keys.flatMap((k) => columnOf(k) ?? []);
  const { listing, error } = useListing(q, sort, limit, cursors.at(-1) ?? null, columns);
  const [draft, setDraft] = useState(q);
  useEffect(() => setDraft(q), [q]);
  const changeColumns = (next: string[]) => (setKeys(next), saveColumns(next));
  const canWrite = useCanWrite();
  // Kept with its search: a count of the previous search is not shown for this one.
  const counted = useLoad(async () => ({ q, count: await countDevices(q ? { q } : {}) }), [q]);
  const count = counted.data?.q === q ? counted.data.count : null;
  const [selection, setSelection] = useState<Selection>(NOTHING);
  useEffect(() => setSelection(NOTHING), [q]);
  const pick = (s: SavedSearch) => {
    const shown = s.columns.filter((k) => columnOf(k) !== null);
    if (shown.length > 0) changeColumns(shown);
    setQuery(props.route, { q: s.q, sort: s.sort });
  };
  return (
    <section aria-labelledby="devices-title">
      <h1 id="devices-title">Devices</h1>
      <SavedSearches current={{ q, sort, columns: keys }} canWrite={canWrite} onPick={pick} />
      <form class="search" role="search" onSubmit={(e) => (e.preventDefault(), setQuery(props.route, { q: draft.trim() }))}>
        <label for="q">Search</label>
        <input id="q" type="search" value={draft} onInput={(e) => setDraft(e.currentTarget.value)} placeholder='DeviceID.ProductClass = "XX230v" AND Tags.vip IS NOT NULL' aria-describedby="q-help q-error" />
        <button type="submit">Search</button>
        <p id="q-help" class="hint">A precondition as in presets: identity, <code>Tags.NAME</code>, parameters, <code>*</code> instances; empty for every device.</p>
      </form>
      {error && <p id="q-error" class="error" role="alert">{error}</p>}
      {!error && <MatchCount count={count} />}
      <ColumnPicker keys={keys} onChange={changeColumns} />
      {canWrite && <SelectionBar selection={selection} count={count} onSelectAll={() => setSelection({ kind: 'all', q })} onClear={() => setSelection(NOTHING)} />}
      {canWrite && !isEmpty(selection) && <BulkActions selection={selection} count={count} />}
      <DeviceTable columns={columns} devices={listing?.devices ?? null} sort={sort} onSort={(s) => setQuery(props.route, { sort: s })} ticks={canWrite ? ticksOf(selection, setSelection) : undefined} />
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>← Previous</button>
        <span aria-live="polite">Page {cursors.length + 1}{listing ? `, ${listing.devices.length} device${listing.devices.length === 1 ? '' : 's'}` : ''}</span>
        <button type="button" disabled={!listing?.next} onClick={() => listing?.next && setCursors([...cursors, listing.next])}>Next →</button>
        <label>
          Per page{' '}
          <select value={limit} onChange={(e) => setLimit(Number(e.currentTarget.value))}>
            {PAGE_SIZES.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
      </nav>
      {canWrite && <SearchCampaign q={q} count={count} />}
    </section>
  );
}
