/**
 * The web UI's authentication on the REST API: users signed in with a
 * password or an API token hold an HttpOnly, SameSite=Strict session cookie
 * that the guard takes as it takes a Bearer token, with the role as scope;
 * writes with the cookie need the session's X-ACS-CSRF header and no other
 * site's Origin; sign-out, a deleted user and a revoked token end it; the
 * audit log names the user. Also `acs user` and the UI's files under /ui/.
 */
import { strict as assert } from 'node:assert';
import { runUserCommand } from '../../src/nbi/auth/user-cli';
import { UserStore } from '../../src/nbi/auth/users';
import { newToken } from '../helpers/api-token';
import { startTestAcs, type TestAcs } from '../helpers/acs';

const DEVICE = '00A0C9-Router-UI0001';

interface Signed {
  cookie: string;
  csrf: string;
  setCookie: string;
}

describe('web UI sessions on the REST API', function () {
  this.timeout(60_000);
  let t: TestAcs;

  before(async () => {
    t = await startTestAcs('ui_session_api');
    const users = new UserStore(t.acs.store.sql);
    for (const role of ['read', 'write', 'admin'] as const) await users.create(`ui-${role}`, role, `password-${role}`, 'test');
    await t.acs.store.setTags(DEVICE, ['lab'], []);
  });
  after(async () => {
    await t?.stop();
  });

  const url = (path: string) => `${t.nbiUrl}${path}`;

  async function signIn(body: Record<string, string>): Promise<Signed> {
    const r = await fetch(url('/sign-in'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 200, await r.clone().text());
    const setCookie = r.headers.get('set-cookie') ?? '';
    return { cookie: setCookie.split(';')[0], csrf: ((await r.json()) as { csrf: string }).csrf, setCookie };
  }

  const withCookie = (s: Signed, init: RequestInit & { csrf?: boolean } = {}): RequestInit => {
    const headers = new Headers(init.headers);
    headers.set('Cookie', s.cookie);
    if (init.csrf !== false) headers.set('X-ACS-CSRF', s.csrf);
    return { ...init, headers };
  };
  const tag = (name: string) => url(`/devices/${encodeURIComponent(DEVICE)}/tags/${name}`);

  it('signs in with a password: an HttpOnly, SameSite=Strict cookie that reads the API; a wrong password is 401', async () => {
    const wrong = await fetch(url('/sign-in'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'ui-read', password: 'nope-nope' }) });
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { code: string }).code, 'ACS_ERR_SIGN_IN');
    assert.equal(wrong.headers.get('set-cookie'), null);
    const unknown = await fetch(url('/sign-in'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'nobody', password: 'password-read' }) });
    assert.equal(unknown.status, 401);
    const s = await signIn({ name: 'ui-read', password: 'password-read' });
    assert.match(s.setCookie, /^acs_session=[\w-]{43}; /);
    assert.match(s.setCookie, /httponly/i);
    assert.match(s.setCookie, /samesite=strict/i);
    const who = await fetch(url('/session'), withCookie(s));
    assert.deepEqual({ ...((await who.json()) as object), expiresAt: 0 }, { name: 'user:ui-read', scope: 'read', csrf: s.csrf, expiresAt: 0 });
    const devices = await fetch(url('/devices'), withCookie(s, { csrf: false }));
    assert.equal(devices.status, 200);
    assert.ok(((await devices.json()) as { deviceKey: string }[]).some((d) => d.deviceKey === DEVICE));
  });

  it('a write with the cookie needs the session\'s X-ACS-CSRF header and this server\'s Origin (403 ACS_ERR_CSRF)', async () => {
    const s = await signIn({ name: 'ui-write', password: 'password-write' });
    const bare = await fetch(tag('csrf'), withCookie(s, { method: 'POST', csrf: false }));
    assert.equal(bare.status, 403);
    assert.equal(((await bare.json()) as { code: string }).code, 'ACS_ERR_CSRF');
    const other = await fetch(tag('csrf'), withCookie(s, { method: 'POST', csrf: false, headers: { 'X-ACS-CSRF': 'not-it' } }));
    assert.equal(other.status, 403);
    const foreign = await fetch(tag('csrf'), withCookie(s, { method: 'POST', headers: { Origin: 'https://evil.example' } }));
    assert.equal(foreign.status, 403);
    const crossSite = await fetch(tag('csrf'), withCookie(s, { method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site' } }));
    assert.equal(crossSite.status, 403);
    assert.deepEqual((await t.acs.store.getDevice(DEVICE))?.tags, ['lab'], 'nothing written');
    const ok = await fetch(tag('csrf'), withCookie(s, { method: 'POST', headers: { Origin: t.nbiUrl } }));
    assert.equal(ok.status, 204);
    assert.deepEqual((await t.acs.store.getDevice(DEVICE))?.tags.sort(), ['csrf', 'lab']);
  });

  it('roles are scopes: read writes nothing, write is not admin, admin manages users', async () => {
    const read = await signIn({ name: 'ui-read', password: 'password-read' });
    const r = await fetch(tag('x'), withCookie(read, { method: 'POST' }));
    assert.equal(r.status, 403);
    assert.equal(((await r.json()) as { code: string }).code, 'ACS_ERR_FORBIDDEN');
    const write = await signIn({ name: 'ui-write', password: 'password-write' });
    assert.equal((await fetch(url('/users'), withCookie(write))).status, 403);
    assert.equal((await fetch(url('/tokens'), withCookie(write))).status, 403);
    const admin = await signIn({ name: 'ui-admin', password: 'password-admin' });
    const made = await fetch(url('/users'), withCookie(admin, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'ui-new', role: 'read', password: 'short' }) }));
    assert.equal(made.status, 400, 'a password under 8 characters');
    const listed = (await (await fetch(url('/users'), withCookie(admin))).json()) as { name: string; role: string }[];
    assert.deepEqual(listed.map((u) => `${u.name}:${u.role}`), ['ui-admin:admin', 'ui-read:read', 'ui-write:write']);
    assert.ok(!JSON.stringify(listed).includes('scrypt'), 'no hash in the answer');
  });

  it('signs in with an API token; revoking the token ends the session', async () => {
    const token = await newToken(t.acs.store, 'write');
    const s = await signIn({ token });
    const who = (await (await fetch(url('/session'), withCookie(s))).json()) as { name: string; scope: string };
    assert.equal(who.scope, 'write');
    assert.match(who.name, /^test-write-/);
    assert.equal((await fetch(url(`/tokens/${who.name}`), { method: 'DELETE', headers: { Authorization: `Bearer ${t.token}` } })).status, 200);
    const after = await fetch(url('/devices'), withCookie(s));
    assert.equal(after.status, 401);
    assert.match(after.headers.get('set-cookie') ?? '', /acs_session=;/);
    const bad = await fetch(url('/sign-in'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token }) });
    assert.equal(bad.status, 401, 'a revoked token cannot sign in');
  });

  it('sign-out ends the session; deleting a user ends theirs; the audit log names the user', async () => {
    const s = await signIn({ name: 'ui-write', password: 'password-write' });
    assert.equal((await fetch(tag('audited'), withCookie(s, { method: 'POST' }))).status, 204);
    assert.equal((await fetch(url('/sign-out'), withCookie(s, { method: 'POST' }))).status, 204);
    assert.equal((await fetch(url('/devices'), withCookie(s))).status, 401);
    const users = new UserStore(t.acs.store.sql);
    await users.create('ui-gone', 'read', 'password-gone', 'test');
    const gone = await signIn({ name: 'ui-gone', password: 'password-gone' });
    await users.remove('ui-gone');
    assert.equal((await fetch(url('/devices'), withCookie(gone))).status, 401);
    let audit: { token: string | null; method: string; route: string; status: number; message: string | null }[] = [];
    for (let i = 0; i < 30 && !audit.some((e) => e.route === '/devices/:id/tags/:tag' && e.token === 'user:ui-write'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      audit = (await (await t.nbi('/audit?limit=1000')).json()) as typeof audit;
    }
    assert.ok(audit.some((e) => e.token === 'user:ui-write' && e.method === 'POST' && e.route === '/devices/:id/tags/:tag' && e.status === 204));
    assert.ok(audit.some((e) => e.token === 'user:ui-write' && e.route === '/sign-in' && e.status === 200), 'the sign-in');
    assert.ok(audit.some((e) => e.token === null && e.route === '/sign-in' && e.status === 401 && /user nobody/.test(String(e.message))), 'a failed sign-in, with the name tried');
    assert.ok(audit.some((e) => e.token === 'user:ui-write' && e.status === 403 && /X-ACS-CSRF/.test(String(e.message))), 'a CSRF refusal');
  });

  it('after 10 wrong passwords for a name in a minute, sign-ins for it are refused (429, Retry-After) before any check', async () => {
    await new UserStore(t.acs.store.sql).create('ui-guessed', 'read', 'password-guessed', 'test');
    const attempt = (password: string) => fetch(url('/sign-in'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'ui-guessed', password }) });
    for (let i = 0; i < 10; i++) assert.equal((await attempt(`guess-${i}-xx`)).status, 401);
    const refused = await attempt('password-guessed');
    assert.equal(refused.status, 429);
    assert.equal(((await refused.json()) as { code: string }).code, 'ACS_ERR_RATE_LIMITED');
    assert.ok(Number(refused.headers.get('retry-after')) > 0 && Number(refused.headers.get('retry-after')) <= 60);
    await signIn({ name: 'ui-read', password: 'password-read' });
  });

  it('acs user create / list / password / delete', async () => {
    const lines: string[] = [];
    const out = (l: string) => lines.push(l);
    await runUserCommand(['create', '--name', 'cli-op', '--role', 'admin', '--password-stdin'], t.acs.store, async () => 'from-stdin-1', out);
    await runUserCommand(['list'], t.acs.store, async () => '', out);
    assert.ok(lines.some((l) => l.startsWith('cli-op\tadmin\t')), lines.join('\n'));
    await signIn({ name: 'cli-op', password: 'from-stdin-1' });
    await runUserCommand(['password', 'cli-op'], t.acs.store, async () => 'from-stdin-2', out);
    await signIn({ name: 'cli-op', password: 'from-stdin-2' });
    await assert.rejects(runUserCommand(['create', '--name', 'cli-op', '--password-stdin'], t.acs.store, async () => 'whatever-1', out), /exists already/);
    await runUserCommand(['delete', 'cli-op'], t.acs.store, async () => '', out);
    await assert.rejects(runUserCommand(['delete', 'cli-op'], t.acs.store, async () => '', out), /no user named cli-op/);
  });

  it('serves the UI under /ui/ beside the API: / redirects, pages get index.html (no-cache, CSP), assets are immutable', async () => {
    const root = await fetch(url('/'), { redirect: 'manual' });
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/ui/');
    const page = await fetch(url('/ui/devices/some-device'), { headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    const html = await page.text();
    const asset = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, html);
    const js = await fetch(url(asset));
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);
    assert.equal((await fetch(url(asset), { headers: { 'If-None-Match': js.headers.get('etag') ?? '' } })).status, 304);
    assert.equal((await fetch(url('/ui/assets/none.js'))).status, 404);
    assert.equal((await fetch(url('/ui/..%2f..%2fpackage.json'))).status, 404);
    assert.equal((await fetch(url('/devices'))).status, 401, 'the API stays guarded');
  });
});
