/**
 * The collection profiles (GET /qoe/profiles): shipped ones ("builtin") and
 * those written through the API ("stored", which replace a shipped one of
 * their name). With write scope: a new profile, a stored one edited or
 * deleted (a shipped one it replaced is active again), a shipped one
 * replaced.
 */
import { useState } from 'preact/hooks';
import { api, encodeId } from '../lib/api';
import { messageOf } from '../lib/use-load';
import { ConfirmDialog } from './confirm-dialog';
import { ProfileFormView, type ListedProfile } from './qoe-profile-form';

type Editing = { kind: 'none' } | { kind: 'new' } | { kind: 'edit'; profile: ListedProfile };

const retentionOf = (p: ListedProfile): string => `raw ${p.retention.raw} d, 5 min ${p.retention['5m']} d, 1 h ${p.retention['1h']} d, 1 day ${p.retention['1d']} d`;
const intervalOf = (s: number): string => (s % 60 === 0 ? `${s / 60} min` : `${s} s`);

function ProfileRow(props: { p: ListedProfile; canWrite: boolean; onEdit: () => void; onDelete: () => void }) {
  const { p } = props;
  return (
    <tr>
      <td>{p.name}</td>
      <td>{p.origin === 'builtin' ? 'shipped' : 'stored'}</td>
      <td>{p.description ?? ''}</td>
      <td>{p.parameters.length}</td>
      <td>{intervalOf(p.intervalS)}</td>
      <td>{retentionOf(p)}</td>
      {props.canWrite && (
        <td class="actions">
          <button type="button" class="small" aria-label={`${p.origin === 'builtin' ? 'Replace' : 'Edit'} the profile ${p.name}`} onClick={props.onEdit}>{p.origin === 'builtin' ? 'Replace' : 'Edit'}</button>
          {p.origin === 'stored' && <button type="button" class="small" aria-label={`Delete the profile ${p.name}`} onClick={props.onDelete}>Delete</button>}
        </td>
      )}
    </tr>
  );
}

export function CollectionProfiles(props: { profiles: ListedProfile[] | null; error: string | null; canWrite: boolean; onChanged: () => void }) {
  const [editing, setEditing] = useState<Editing>({ kind: 'none' });
  const [deleting, setDeleting] = useState<ListedProfile | null>(null);
  const [line, setLine] = useState<string | null>(null);
  const saved = (p: ListedProfile) => {
    setLine(`Saved the profile ${p.name}.`);
    setEditing({ kind: 'none' });
    props.onChanged();
  };
  const remove = async (p: ListedProfile) => {
    setDeleting(null);
    try {
      await api('DELETE', `/qoe/profiles/${encodeId(p.name)}`);
      setLine(`Deleted the profile ${p.name}.`);
      props.onChanged();
    } catch (err) {
      setLine(messageOf(err));
    }
  };
  const list = props.profiles;
  return (
    <>
      {props.canWrite && editing.kind === 'none' && (
        <p><button type="button" onClick={() => (setLine(null), setEditing({ kind: 'new' }))}>New collection profile</button></p>
      )}
      {line && <p role="status">{line}</p>}
      {editing.kind !== 'none' && (
        <ProfileFormView key={editing.kind === 'edit' ? editing.profile.name : 'new'} profile={editing.kind === 'edit' ? editing.profile : null} onSaved={saved} onClose={() => setEditing({ kind: 'none' })} />
      )}
      {props.error && <p class="error" role="alert">{props.error}</p>}
      {list && (
        <div class="table-wrap">
          <table class="list" aria-label="Collection profiles">
            <thead>
              <tr><th>Name</th><th>Origin</th><th>Description</th><th>Parameters</th><th>Interval</th><th>Kept</th>{props.canWrite && <th><span class="sr-only">Actions</span></th>}</tr>
            </thead>
            <tbody>
              {list.map((p) => <ProfileRow key={p.name} p={p} canWrite={props.canWrite} onEdit={() => (setLine(null), setEditing({ kind: 'edit', profile: p }))} onDelete={() => setDeleting(p)} />)}
            </tbody>
          </table>
        </div>
      )}
      {deleting && (
        <ConfirmDialog title={`Delete the profile ${deleting.name}?`} confirm="Delete" onConfirm={() => void remove(deleting)} onCancel={() => setDeleting(null)}>
          <p>A shipped profile of this name, if there is one, is used again; otherwise collection by this profile stops. Samples already stored stay until their retention ends.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
