/** Sign-in: a user's name and password, or an API token (POST /sign-in sets the session cookie). */
import { useState } from 'preact/hooks';
import { api, ApiError, type Session } from '../lib/api';

type Way = 'password' | 'token';

export function SignIn(props: { onSignedIn: (s: Session) => void }) {
  const [way, setWay] = useState<Way>('password');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: Event) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget as HTMLFormElement);
    const body = way === 'token' ? { token: String(form.get('token')) } : { name: String(form.get('name')), password: String(form.get('password')) };
    setBusy(true);
    setError(null);
    try {
      props.onSignedIn((await api<Session>('POST', '/sign-in', body)).data);
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'the server did not answer');
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Sign in to the ACS</h1>
      <form onSubmit={onSubmit} aria-describedby={error ? 'sign-in-error' : undefined}>
        <fieldset class="ways">
          <legend>Sign in with</legend>
          <label><input type="radio" name="way" checked={way === 'password'} onChange={() => setWay('password')} /> user name and password</label>
          <label><input type="radio" name="way" checked={way === 'token'} onChange={() => setWay('token')} /> API token</label>
        </fieldset>
        {way === 'password' ? (
          <>
            <label for="name">User name</label>
            <input id="name" name="name" autocomplete="username" required autofocus />
            <label for="password">Password</label>
            <input id="password" name="password" type="password" autocomplete="current-password" required />
          </>
        ) : (
          <>
            <label for="token">API token</label>
            <input id="token" name="token" type="password" autocomplete="off" required autofocus placeholder="acs_…" />
          </>
        )}
        {error && <p id="sign-in-error" class="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
      <p class="hint">No user yet? On the server: <code>npx acs user create --name NAME --role admin</code></p>
    </main>
  );
}
