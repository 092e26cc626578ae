/**
 * API tokens (admin): the list (never a secret), a new token whose secret is
 * shown this once, and revoking one by name (after a confirmation).
 */
import { useState } from 'preact/hooks';
import type { ApiToken, Scope } from '../../nbi/auth/tokens';
import { api } from '../lib/api';
import { ago, exact } from '../lib/format';
import { messageOf, useLoad } from '../lib/use-load';
import { ConfirmDialog } from '../components/confirm-dialog';

const SCOPES: Scope[] = ['read', 'write', 'admin'];

function NewToken(props: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('read');
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const create = async () => {
    setError(null);
    try {
      const r = await api<ApiToken & { token: string }>('POST', '/tokens', { name: name.trim(), scope });
      setSecret({ name: r.data.name, token: r.data.token });
      setName('');
      props.onCreated();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <>
      <form class="inline" onSubmit={(e) => (e.preventDefault(), name.trim() && create())}>
        <label for="token-name">Name</label>
        <input id="token-name" value={name} onInput={(e) => setName(e.currentTarget.value)} maxLength={128} required />
        <label for="token-scope">Scope</label>
        <select id="token-scope" value={scope} onChange={(e) => setScope(e.currentTarget.value as Scope)}>
          {SCOPES.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <button type="submit">Create token</button>
      </form>
      {error && <p class="error" role="alert">{error}</p>}
      {secret && (
        <div role="status">
          <p>Token <strong>{secret.name}</strong>: copy it now, it is not shown again.</p>
          <p class="secret" aria-label="New token">{secret.token}</p>
        </div>
      )}
    </>
  );
}

function TokenRow(props: { t: ApiToken; onRevoke: (name: string) => void }) {
  const { t } = props;
  return (
    <tr>
      <td>{t.name}</td>
      <td>{t.scope}</td>
      <td><code>{t.prefix}…</code></td>
      <td title={exact(t.createdAt)}>{ago(t.createdAt)} by {t.createdBy}</td>
      <td title={exact(t.lastUsedAt)}>{ago(t.lastUsedAt)}</td>
      <td>{t.revokedAt === null ? 'live' : <span title={exact(t.revokedAt)}>revoked</span>}</td>
      <td>
        {t.revokedAt === null && (
          <button type="button" class="small" aria-label={`Revoke ${t.name}`} onClick={() => props.onRevoke(t.name)}>Revoke</button>
        )}
      </td>
    </tr>
  );
}

export function Tokens() {
  const tokens = useLoad(async () => (await api<ApiToken[]>('GET', '/tokens')).data, []);
  const [revoking, setRevoking] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const revoke = async (name: string) => {
    setRevoking(null);
    try {
      await api('DELETE', `/tokens/${encodeURIComponent(name)}`);
      tokens.reload();
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <article aria-labelledby="tokens-title">
      <h1 id="tokens-title">API tokens</h1>
      <NewToken onCreated={tokens.reload} />
      {(error ?? tokens.error) && <p class="error" role="alert">{error ?? tokens.error}</p>}
      {tokens.data && (
        <div class="table-wrap">
          <table class="list" aria-label="Tokens">
            <thead><tr><th>Name</th><th>Scope</th><th>Prefix</th><th>Created</th><th>Last used</th><th>State</th><th><span class="sr-only">Actions</span></th></tr></thead>
            <tbody>{tokens.data.map((t) => <TokenRow key={t.name} t={t} onRevoke={setRevoking} />)}</tbody>
          </table>
        </div>
      )}
      {revoking && (
        <ConfirmDialog title={`Revoke ${revoking}?`} confirm="Revoke" onCancel={() => setRevoking(null)} onConfirm={() => revoke(revoking)}>
          <p>Every client using this token is refused from now on. A name is never reused.</p>
        </ConfirmDialog>
      )}
    </article>
  );
}
