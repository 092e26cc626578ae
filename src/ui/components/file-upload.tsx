/**
 * Uploading a file to the store (write scope): the file, the name it is
 * stored under (the file's own by default; an existing name is replaced),
 * its TR-069 FileType and which devices it is for (OUI, product class,
 * version). The server's 400 or 413 is shown under the form.
 */
import { useState } from 'preact/hooks';
import type { Session } from '../lib/api';
import { FILE_TYPES, uploadFile, type StoredFile, type UploadMeta } from '../lib/files';
import { messageOf } from '../lib/use-load';

const EMPTY: UploadMeta = { fileType: FILE_TYPES[0], oui: '', productClass: '', version: '' };

function MetaInput(props: { id: keyof UploadMeta; label: string; meta: UploadMeta; onChange: (m: UploadMeta) => void; list?: string }) {
  return (
    <div class="field">
      <label for={`file-${props.id}`}>{props.label}</label>
      <input id={`file-${props.id}`} list={props.list} value={props.meta[props.id]} onInput={(e) => props.onChange({ ...props.meta, [props.id]: e.currentTarget.value })} />
    </div>
  );
}

export function FileUpload(props: { session: Session; existing: (name: string) => boolean; onUploaded: (f: StoredFile) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [meta, setMeta] = useState<UploadMeta>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const choose = (f: File | null) => {
    setFile(f);
    if (f) setName(f.name);
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    // Kept now: the event's currentTarget is gone once the upload was awaited.
    const form = e.currentTarget as HTMLFormElement;
    if (!file) return setError('Choose a file first.');
    setBusy(true);
    setError(null);
    try {
      props.onUploaded(await uploadFile(name.trim(), file, meta, props.session.csrf));
      setFile(null);
      setName('');
      form.reset();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="file-upload" aria-labelledby="upload-title" onSubmit={submit}>
      <h2 id="upload-title">Upload a file</h2>
      <div class="field">
        <label for="file-content">File</label>
        <input id="file-content" type="file" onChange={(e) => choose(e.currentTarget.files?.[0] ?? null)} />
      </div>
      <div class="field">
        <label for="file-name">Stored as</label>
        <input id="file-name" class="wide" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        {name.trim() !== '' && props.existing(name.trim()) && <span class="hint">replaces the file of that name</span>}
      </div>
      <MetaInput id="fileType" label="File type" meta={meta} onChange={setMeta} list="file-types" />
      <datalist id="file-types">{FILE_TYPES.map((t) => <option key={t} value={t} />)}</datalist>
      <MetaInput id="oui" label="OUI" meta={meta} onChange={setMeta} />
      <MetaInput id="productClass" label="Product class" meta={meta} onChange={setMeta} />
      <MetaInput id="version" label="Version" meta={meta} onChange={setMeta} />
      <div class="form-buttons">
        <button type="submit" disabled={busy}>{busy ? 'Uploading…' : 'Upload'}</button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
    </form>
  );
}
