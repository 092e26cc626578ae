/**
 * The file store (GET /files, by name, a page at a time): each file's
 * metadata, size, digests and upload time, and who put it there: an
 * operator (PUT /files/:name) or a device (a CPE Upload RPC, the file's
 * deviceKey). Write scope: upload, and delete after a confirmation.
 */
import { useState } from 'preact/hooks';
import { api, withQuery, type Session } from '../lib/api';
import { FILE_TYPES, sizeOf, type StoredFile } from '../lib/files';
import { ago, exact } from '../lib/format';
import { messageOf, useLoad } from '../lib/use-load';
import { ConfirmDialog } from '../components/confirm-dialog';
import { FileUpload } from '../components/file-upload';
import { Link } from '../components/link';
import '../campaigns.css';

const PAGE = 100;

type Origin = '' | 'operator' | 'device';

function Digest(props: { label: string; value: string }) {
  return <div class="digest"><span class="hint">{props.label}</span> <code title={props.value}>{props.value.slice(0, 12)}…</code></div>;
}

function FileRow(props: { f: StoredFile; canWrite: boolean; onDelete: (name: string) => void }) {
  const { f } = props;
  const forDevices = [f.oui, f.productClass, f.version].filter(Boolean).join(' / ');
  return (
    <tr>
      <td><a href={`/files/${encodeURIComponent(f.name)}`} download={f.name}>{f.name}</a></td>
      <td>{f.fileType ?? <span class="none">—</span>}{forDevices && <div class="hint">{forDevices}</div>}</td>
      <td class="num">{sizeOf(f.size)}</td>
      <td><Digest label="md5" value={f.md5} /><Digest label="sha256" value={f.sha256} /></td>
      <td title={exact(f.uploaded)}>{ago(f.uploaded)}</td>
      <td>{f.deviceKey ? <>device <Link to={`/devices/${encodeURIComponent(f.deviceKey)}`}>{f.deviceKey}</Link></> : 'operator'}</td>
      {props.canWrite && (
        <td><button type="button" class="small" aria-label={`Delete ${f.name}`} onClick={() => props.onDelete(f.name)}>Delete</button></td>
      )}
    </tr>
  );
}

function Filters(props: { fileType: string; origin: Origin; onType: (t: string) => void; onOrigin: (o: Origin) => void }) {
  return (
    <form class="inline" role="search" onSubmit={(e) => e.preventDefault()}>
      <label for="files-type">File type</label>
      <select id="files-type" value={props.fileType} onChange={(e) => props.onType(e.currentTarget.value)}>
        <option value="">all</option>
        {FILE_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
      </select>
      <label for="files-origin">Uploaded by</label>
      <select id="files-origin" value={props.origin} onChange={(e) => props.onOrigin(e.currentTarget.value as Origin)}>
        <option value="">anyone</option>
        <option value="operator">operators</option>
        <option value="device">devices</option>
      </select>
    </form>
  );
}

export function Files(props: { session: Session }) {
  const canWrite = props.session.scope !== 'read';
  const [fileType, setFileType] = useState('');
  const [origin, setOrigin] = useState<Origin>('');
  const [offset, setOffset] = useState(0);
  const path = withQuery('/files', { fileType: fileType || undefined, limit: PAGE, offset });
  const files = useLoad(async () => (await api<StoredFile[]>('GET', path)).data, [path]);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [line, setLine] = useState<{ text: string; error: boolean } | null>(null);
  const shown = (files.data ?? []).filter((f) => origin === '' || (origin === 'device') === Boolean(f.deviceKey));
  const remove = async (name: string) => {
    setDeleting(null);
    try {
      await api('DELETE', `/files/${encodeURIComponent(name)}`);
      setLine({ text: `Deleted ${name}.`, error: false });
      files.reload();
    } catch (err) {
      setLine({ text: messageOf(err), error: true });
    }
  };
  const uploaded = (f: StoredFile) => (setLine({ text: `Stored ${f.name} (${sizeOf(f.size)}).`, error: false }), files.reload());
  return (
    <article aria-labelledby="files-title">
      <h1 id="files-title">Files</h1>
      {canWrite && <FileUpload session={props.session} existing={(n) => (files.data ?? []).some((f) => f.name === n)} onUploaded={uploaded} />}
      {line && <p class={line.error ? 'error' : undefined} role={line.error ? 'alert' : 'status'}>{line.text}</p>}
      <Filters fileType={fileType} origin={origin} onType={(t) => (setFileType(t), setOffset(0))} onOrigin={setOrigin} />
      {files.error && <p class="error" role="alert">{files.error}</p>}
      {files.data && shown.length === 0 && <p class="none">No files.</p>}
      {shown.length > 0 && (
        <div class="table-wrap">
          <table class="list files" aria-label="Files">
            <thead>
              <tr><th>Name</th><th>Type</th><th>Size</th><th>Digests</th><th>Uploaded</th><th>By</th>{canWrite && <th><span class="sr-only">Actions</span></th>}</tr>
            </thead>
            <tbody>{shown.map((f) => <FileRow key={f.name} f={f} canWrite={canWrite} onDelete={setDeleting} />)}</tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="File pages">
        <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>← Previous</button>
        <span>Page {offset / PAGE + 1}</span>
        <button type="button" disabled={(files.data?.length ?? 0) < PAGE} onClick={() => setOffset(offset + PAGE)}>Next →</button>
      </nav>
      {deleting && (
        <ConfirmDialog title={`Delete ${deleting}?`} confirm="Delete" onCancel={() => setDeleting(null)} onConfirm={() => remove(deleting)}>
          <p>Devices given its URL can no longer download it (downloads already under way finish). This cannot be undone.</p>
        </ConfirmDialog>
      )}
    </article>
  );
}
