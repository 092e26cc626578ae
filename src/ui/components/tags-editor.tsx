/** A device's tags, added and removed one at a time (POST / DELETE /devices/:id/tags/:tag). */
import { useState } from 'preact/hooks';
import { api, ApiError, encodeId } from '../lib/api';

export function TagsEditor(props: { deviceId: string; tags: string[]; canWrite: boolean; onChanged: () => void }) {
  const [tag, setTag] = useState('');
  const [error, setError] = useState<string | null>(null);
  const change = async (method: 'POST' | 'DELETE', name: string) => {
    setError(null);
    try {
      await api(method, `/devices/${encodeId(props.deviceId)}/tags/${encodeURIComponent(name)}`);
      if (method === 'POST') setTag('');
      props.onChanged();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
    }
  };
  return (
    <div class="tags">
      <ul class="chips" aria-label="Tags">
        {props.tags.length === 0 && <li class="none">no tags</li>}
        {props.tags.map((t) => (
          <li key={t}>
            {t}
            {props.canWrite && <button type="button" aria-label={`Remove tag ${t}`} onClick={() => change('DELETE', t)}>×</button>}
          </li>
        ))}
      </ul>
      {props.canWrite && (
        <form class="inline" onSubmit={(e) => (e.preventDefault(), tag.trim() && change('POST', tag.trim()))}>
          <label for="new-tag">New tag</label>
          <input id="new-tag" value={tag} onInput={(e) => setTag(e.currentTarget.value)} maxLength={255} />
          <button type="submit">Add tag</button>
        </form>
      )}
      {error && <p class="error" role="alert">{error}</p>}
    </div>
  );
}
