/**
 * The REST API's gate (issue 10 §1): no anonymous route but /health, scopes
 * (read < write < admin), tokens created by API and CLI, shown once, stored
 * hashed, revoked; a rate per token; the audit log; bad requests refused with
 * nothing changed. Over HTTP against the real server, MariaDB and Redis.
 */
import { strict as assert } from 'node:assert';
import { deviceKeyOf } from '../../src/model/device-key';
import { hashToken } from '../../src/nbi/auth/tokens';
import { runTokenCommand } from '../../src/nbi/auth/cli';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { newToken, withToken } from '../helpers/api-token';
import { inform, ScriptedCpe } from '../helpers/cpe';
import { sleep } from '../helpers/wait';

/** A concrete path for a route pattern: every :param becomes a plausible value. */
const concrete = (pattern: string): string => pattern.replace(/:id\b/g, '1').replace(/:[a-z]+/g, 'x');

interface Counts {
  tasks: number;
  tokens: number;
  devices: number;
  credentials: number;
}

describe('REST API: tokens, scopes, audit log', function () {
  this.timeout(120_000);
  let t: TestAcs;
  let readToken: string;
  let writeToken: string;

  before(async () => {
    t = await startTestAcs('nbi_auth');
    [readToken, writeToken] = [await newToken(t.acs.store, 'read'), await newToken(t.acs.store, 'write')];
    // One known device, so that routes naming it can succeed.
    const cpe = new ScriptedCpe(t.cwmpUrl);
    assert.equal((await cpe.post(inform('AUTH-1', ['0 BOOTSTRAP']))).envelope?.body.method, 'InformResponse');
    assert.equal((await cpe.post(null)).status, 204);
    cpe.close();
  });
  after(async () => {
    await t?.stop();
  });

  const url = (path: string): string => `${t.nbiUrl}${path}`;
  const body = async (r: Response): Promise<{ error?: string; code?: string } & Record<string, unknown>> => (await r.json()) as never;

  async function counts(): Promise<Counts> {
    const n = async (sql: string) => Number((await t.acs.store.sql.autocommit((db) => db.select(sql)))[0].n);
    return {
      tasks: await n('SELECT COUNT(*) AS n FROM tasks'),
      tokens: await n('SELECT COUNT(*) AS n FROM api_tokens'),
      devices: await n('SELECT COUNT(*) AS n FROM devices'),
      credentials: await n('SELECT COUNT(*) AS n FROM connection_requests'),
    };
  }

  it('lists the routes it guards, and /health and /ready are the only ones anyone may call', async () => {
    const paths = t.acs.nbiRoutes.map((r) => r.path);
    for (const p of ['/devices', '/devices/:id/tasks', '/tasks/:id/retry', '/tokens', '/audit', '/files/:name', '/workflows/runs', '/campaigns']) assert.ok(paths.includes(p), `${p} in ${paths.join(' ')}`);
    const health = await fetch(url('/health'));
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' });
    assert.equal((await fetch(url('/ready'))).status, 200);
  });

  it('refuses every route without a token, or with a wrong one (401), and changes nothing', async () => {
    const before = await counts();
    // The probes of load balancers and the web UI's sign-in are the anonymous routes.
    for (const route of t.acs.nbiRoutes.filter((r) => !['/health', '/ready', '/sign-in'].includes(r.path))) {
      for (const method of route.methods) {
        const init = { method, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}', headers: { 'Content-Type': 'application/json' } }) };
        for (const auth of [undefined, 'Bearer acs_not-a-token', 'Basic YWRtaW46YWRtaW4=', `Bearer ${hashToken(t.token)}`]) {
          const headers = new Headers(init.headers);
          if (auth) headers.set('Authorization', auth);
          const r = await fetch(url(concrete(route.path)), { ...init, headers });
          assert.equal(r.status, 401, `${method} ${route.path} with ${auth ?? 'no Authorization'}`);
          assert.equal((await body(r)).code, 'ACS_ERR_TOKEN');
        }
      }
    }
    assert.deepEqual(await counts(), before);
  });

  it('a read token reads but writes nothing (403 naming the scope); only admin reaches tokens and the audit log', async () => {
    const routes = t.acs.nbiRoutes.filter((r) => r.path !== '/health' && r.path !== '/sign-in');
    const isAdmin = (path: string) => ['/tokens', '/audit', '/webhooks', '/users'].some((p) => path.startsWith(p));
    const before = await counts();
    for (const [token, scope] of [[readToken, 'read'], [writeToken, 'write']] as const) {
      for (const route of routes) {
        for (const method of route.methods) {
          const init = { method, ...(method === 'GET' || method === 'DELETE' ? {} : { body: '{}', headers: { 'Content-Type': 'application/json' } }) };
          const r = await fetch(url(concrete(route.path)), withToken(token, init));
          // Anyone signed in may sign out; linting a text and a dry run change nothing (read scope).
          const readPost = ['/sign-out', '/lint', '/devices/:id/dry-run'].includes(route.path);
          if (isAdmin(route.path) || (scope === 'read' && method !== 'GET' && !readPost)) {
            assert.equal(r.status, 403, `${method} ${route.path} with a ${scope} token`);
            const b = await body(r);
            assert.equal(b.code, 'ACS_ERR_FORBIDDEN');
            assert.match(String(b.error), new RegExp(`has scope ${scope}; ${method} \\S+ needs (write|admin)`));
          } else {
            assert.ok(![401, 403].includes(r.status), `${method} ${route.path} with a ${scope} token: ${r.status}`);
            await r.arrayBuffer();
          }
        }
      }
      // The write token's requests may do what they say (a connection request records its attempt); the read token's may not.
      if (scope === 'read') assert.deepEqual(await counts(), before);
    }
  });

  it('an admin creates tokens by API: shown once, stored hashed, usable at once, revoked by name', async () => {
    const created = await t.nbi('/tokens', { method: 'POST', body: JSON.stringify({ name: 'billing', scope: 'write' }) });
    assert.equal(created.status, 201);
    const info = await body(created);
    const secret = String(info.token);
    assert.match(secret, /^acs_[A-Za-z0-9_-]{43}$/);
    assert.equal(info.scope, 'write');
    assert.equal(info.prefix, secret.slice(0, 10));
    const listed = await body(await t.nbi('/tokens'));
    assert.ok(!JSON.stringify(listed).includes(secret), 'the secret is in no listing');
    const stored = await t.acs.store.sql.autocommit((db) => db.select('SELECT token_hash FROM api_tokens WHERE name = ?', ['billing']));
    assert.deepEqual(stored, [{ token_hash: hashToken(secret) }], 'only its hash is stored');
    assert.equal((await fetch(url('/devices'), withToken(secret))).status, 200);

    assert.equal((await t.nbi('/tokens', { method: 'POST', body: JSON.stringify({ name: 'billing', scope: 'read' }) })).status, 409, 'names are unique');
    const bad = await t.nbi('/tokens', { method: 'POST', body: JSON.stringify({ name: 'x', scope: 'root' }) });
    assert.equal(bad.status, 400);
    assert.match(String((await body(bad)).error), /scope must be one of read, write, admin/);

    const revoked = await t.nbi('/tokens/billing', { method: 'DELETE' });
    assert.equal(revoked.status, 200);
    assert.equal(typeof (await body(revoked)).revokedAt, 'number');
    // Lookups are cached for 5 s per process: a revoked token stops working within that.
    let status = 200;
    for (let i = 0; i < 30 && status !== 401; i++) {
      status = (await fetch(url('/devices'), withToken(secret))).status;
      if (status !== 401) await sleep(250);
    }
    assert.equal(status, 401, 'revoked within 7.5 s');
    assert.equal((await t.nbi('/tokens/billing', { method: 'DELETE' })).status, 409, 'revoked once');
    assert.equal((await t.nbi('/tokens/nobody', { method: 'DELETE' })).status, 404);
  });

  it('acs token creates (printing the token once), lists and revokes; bad arguments name themselves', async () => {
    const lines: string[] = [];
    await runTokenCommand(['create', '--name', 'ops-cli', '--scope', 'admin'], t.acs.store, (l) => lines.push(l));
    const secret = lines[0];
    assert.match(secret, /^acs_/);
    assert.equal((await fetch(url('/tokens'), withToken(secret))).status, 200, 'an admin token from the CLI works over HTTP');
    lines.length = 0;
    await runTokenCommand(['list'], t.acs.store, (l) => lines.push(l));
    const row = lines.find((l) => l.startsWith('ops-cli\t'));
    assert.ok(row && row.includes('\tadmin\t') && row.includes(secret.slice(0, 10)) && row.endsWith('live'), row);
    assert.ok(!lines.join('\n').includes(secret), 'list never prints a secret');
    await runTokenCommand(['revoke', 'ops-cli'], t.acs.store, () => undefined);
    lines.length = 0;
    await runTokenCommand(['list'], t.acs.store, (l) => lines.push(l));
    assert.match(lines.find((l) => l.startsWith('ops-cli\t')) ?? '', /\trevoked \d{4}-/, 'listed as revoked');
    await assert.rejects(runTokenCommand(['revoke', 'ops-cli'], t.acs.store, () => undefined), /revoked already/);
    // The CLI's writes are in the audit log as the API's are, refusals too.
    type Entry = { token: string | null; method: string; route: string; target: string; status: number; message: string | null };
    let cli: Entry[] = [];
    for (let i = 0; i < 20 && cli.length < 3; i++) {
      cli = ((await body(await t.nbi('/audit?limit=1000'))) as unknown as Entry[]).filter((e) => e.method === 'CLI' && e.target === '/tokens/ops-cli');
      if (cli.length < 3) await sleep(100);
    }
    assert.deepEqual(
      cli.map((e) => [e.route, e.status, e.token?.startsWith('cli:')]).reverse(),
      [['acs token create', 201, true], ['acs token revoke', 200, true], ['acs token revoke', 409, true]],
    );
    await assert.rejects(runTokenCommand(['create'], t.acs.store, () => undefined), /--name is missing/);
    await assert.rejects(runTokenCommand(['create', '--name', 'y', '--scope', 'god'], t.acs.store, () => undefined), /scope must be one of/);
    await assert.rejects(runTokenCommand(['create', '--name', 'bad name'], t.acs.store, () => undefined), /name must be/);
    await assert.rejects(runTokenCommand(['frobnicate'], t.acs.store, () => undefined), /unknown command frobnicate/);
  });

  it('writes and refusals go to the audit log with the token name, route and outcome; anonymous requests do not', async () => {
    const device = encodeURIComponent(deviceKeyOf(inform('AUTH-1', []).DeviceId));
    const put = await fetch(url(`/devices/${device}/connection-request-credentials`), withToken(writeToken, { method: 'PUT', body: JSON.stringify({ username: 'u', password: 'p' }) }));
    assert.equal(put.status, 204, await put.clone().text());
    assert.equal((await fetch(url('/tokens'), withToken(readToken))).status, 403);
    assert.equal((await fetch(url('/tasks/987654'), { method: 'DELETE' })).status, 401);
    const writeName = (await body(await t.nbi('/tokens')) as unknown as { name: string; prefix: string }[]).find((x) => writeToken.startsWith(x.prefix))?.name;
    const readName = (await body(await t.nbi('/tokens')) as unknown as { name: string; prefix: string }[]).find((x) => readToken.startsWith(x.prefix))?.name;
    let entries: { token: string | null; method: string; route: string; target: string; status: number; message: string | null }[] = [];
    for (let i = 0; i < 20; i++) {
      entries = (await body(await t.nbi('/audit?limit=1000'))) as unknown as typeof entries;
      if (entries.some((e) => e.token === readName && e.route === '/tokens' && e.status === 403) && entries.some((e) => e.target.endsWith('/connection-request-credentials') && e.token === writeName && e.method === 'PUT' && e.status === 204)) break;
      await sleep(100);
    }
    // By its target: the scope walk above also left PUT entries of this token.
    const wrote = entries.find((e) => e.token === writeName && e.method === 'PUT' && e.target === `/devices/${device}/connection-request-credentials`);
    assert.ok(wrote, JSON.stringify(entries.slice(0, 5)));
    assert.equal(wrote.route, '/devices/:id/connection-request-credentials');
    assert.equal(wrote.target, `/devices/${device}/connection-request-credentials`);
    assert.equal(wrote.status, 204);
    const refused = entries.find((e) => e.token === readName && e.route === '/tokens');
    assert.equal(refused?.status, 403);
    assert.match(String(refused?.message), /needs admin/);
    assert.ok(!entries.some((e) => e.target === '/tasks/987654'), 'no row for an anonymous request');
    assert.ok(entries.some((e) => e.token === null && e.status === 401 && e.target === '/tasks/1'), 'a row for a request with a wrong token');
    assert.equal((await fetch(url('/audit'), withToken(writeToken))).status, 403, 'the audit log is admin only');
  });

  it('refuses bad requests with the problem named and nothing changed: 404, 405, 413, 400', async () => {
    const before = await counts();
    const unknown = await t.nbi('/nothing-here');
    assert.equal(unknown.status, 404);
    assert.match(String((await body(unknown)).error), /no route for GET \/nothing-here/);
    const wrong = await t.nbi('/tokens', { method: 'PATCH', body: '{}' });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'HEAD, GET, POST');
    assert.equal((await body(wrong)).code, 'ACS_ERR_METHOD_NOT_ALLOWED');
    const huge = await t.nbi('/tokens', { method: 'POST', body: JSON.stringify({ name: 'big', scope: 'read', pad: 'x'.repeat(1024 * 1024) }) });
    assert.equal(huge.status, 413);
    assert.match(String((await body(huge)).error), /larger than 1048576 bytes/);
    const broken = await t.nbi('/tokens', { method: 'POST', body: '{"name": ' });
    assert.equal(broken.status, 400);
    assert.match(String((await body(broken)).error), /body is not JSON/);
    assert.deepEqual(await counts(), before);
  });
});

describe('REST API: rate per token', function () {
  this.timeout(60_000);
  let t: TestAcs;
  before(async () => {
    t = await startTestAcs('nbi_rate', { nbiTokenRate: 5 });
  });
  after(async () => {
    await t?.stop();
  });

  it('answers 429 with Retry-After past the rate, per token, and serves again after a second', async () => {
    const statuses = await Promise.all(Array.from({ length: 12 }, () => t.nbi('/devices').then(async (r) => (await r.arrayBuffer(), r))));
    const limited = statuses.filter((r) => r.status === 429);
    assert.ok(limited.length >= 6, `${limited.length} of 12 refused`);
    assert.equal(limited[0].headers.get('retry-after'), '1');
    const other = await newToken(t.acs.store, 'read');
    assert.equal((await fetch(`${t.nbiUrl}/devices`, withToken(other))).status, 200, 'another token has its own rate');
    await sleep(1100);
    assert.equal((await t.nbi('/devices')).status, 200);
  });
});
