/**
 * Saved device searches (issue 13): GET /searches, GET / PUT / DELETE
 * /searches/:name, each principal's own and the shared ones, read scope to
 * list and use, write scope to save; the search text and sort checked as
 * GET /devices checks them (400 naming the field). Over HTTP against the real
 * server and MariaDB, as three API tokens.
 */
import { strict as assert } from 'node:assert';
import { MAX_SEARCHES } from '../../src/nbi/routes/searches';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { newToken, tokenFetch } from '../helpers/api-token';

type Fetch = (path: string, init?: RequestInit) => Promise<Response>;

interface Saved {
  name: string;
  shared: boolean;
  q: string;
  columns: string[];
  sort: string;
  createdAt: number;
  updatedAt: number;
  updatedBy: string;
}

const LAB = { q: 'Tags.lab IS NOT NULL', columns: ['id', 'productClass', 'Device.DeviceInfo.SoftwareVersion'], sort: '-LastInform' };
const path = (name: string, shared = false): string => `/searches/${encodeURIComponent(name)}${shared ? '?shared=1' : ''}`;

describe('REST API: saved device searches', function () {
  this.timeout(60_000);
  let t: TestAcs;
  /** Two writers (each with searches of their own) and a reader. */
  let alice: Fetch;
  let bob: Fetch;
  let reader: Fetch;

  before(async () => {
    t = await startTestAcs('nbi_searches');
    alice = tokenFetch(t.nbiUrl, await newToken(t.acs.store, 'write'));
    bob = tokenFetch(t.nbiUrl, await newToken(t.acs.store, 'write'));
    reader = tokenFetch(t.nbiUrl, await newToken(t.acs.store, 'read'));
  });
  after(async () => {
    await t?.stop();
  });

  const put = (as: Fetch, name: string, body: unknown, shared = false) => as(path(name, shared), { method: 'PUT', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  const names = async (as: Fetch): Promise<string[]> => ((await (await as('/searches')).json()) as Saved[]).map((s) => `${s.shared ? 'shared:' : ''}${s.name}`);

  it('saves a search (201), replaces it (200), and reads it back', async () => {
    const created = await put(alice, 'lab routers', LAB);
    assert.equal(created.status, 201);
    const first = (await created.json()) as Saved;
    assert.deepEqual({ ...first, createdAt: 0, updatedAt: 0, updatedBy: '' }, { name: 'lab routers', shared: false, ...LAB, createdAt: 0, updatedAt: 0, updatedBy: '' });
    assert.match(first.updatedBy, /^test-write-/);
    const replaced = await put(alice, 'lab routers', { ...LAB, sort: '' });
    assert.equal(replaced.status, 200);
    const got = (await (await alice(path('lab routers'))).json()) as Saved;
    assert.equal(got.sort, '');
    assert.equal(got.createdAt, first.createdAt);
    assert.ok(got.updatedAt >= first.updatedAt);
  });

  it("keeps each principal's own searches apart; a shared one is everyone's, beside an own one of the same name", async () => {
    assert.equal((await put(bob, 'lab routers', { q: '', columns: ['id'] })).status, 201, "bob's own, same name");
    assert.equal((await put(bob, 'lab routers', { ...LAB, q: 'DeviceID.ProductClass = "XX230v"' }, true)).status, 201, 'shared');
    assert.deepEqual(await names(alice), ['lab routers', 'shared:lab routers']);
    assert.deepEqual(await names(bob), ['lab routers', 'shared:lab routers']);
    assert.deepEqual(await names(reader), ['shared:lab routers']);
    assert.equal(((await (await alice(path('lab routers'))).json()) as Saved).q, LAB.q, "alice's own");
    assert.equal(((await (await alice(path('lab routers', true))).json()) as Saved).q, 'DeviceID.ProductClass = "XX230v"', 'the shared one');
    assert.equal((await reader(path('lab routers'))).status, 404, "the reader has none of its own");
  });

  it('lets a read token list and use searches, not save or delete them (403)', async () => {
    assert.equal((await reader(path('lab routers', true))).status, 200);
    const refused = await put(reader, 'mine', LAB);
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { code: string }).code, 'ACS_ERR_FORBIDDEN');
    assert.equal((await reader(path('lab routers', true), { method: 'DELETE' })).status, 403);
    assert.ok((await names(reader)).includes('shared:lab routers'), 'still there');
  });

  it('saves searches that run as GET /devices takes them', async () => {
    const saved = (await (await alice(path('lab routers', true))).json()) as Saved;
    const r = await alice(`/devices?q=${encodeURIComponent(saved.q)}&sort=${encodeURIComponent(saved.sort)}`);
    assert.equal(r.status, 200);
  });

  it('deletes (204), then there is none (404)', async () => {
    assert.equal((await bob(path('lab routers'), { method: 'DELETE' })).status, 204);
    assert.equal((await bob(path('lab routers'), { method: 'DELETE' })).status, 404);
    assert.deepEqual(await names(bob), ['shared:lab routers']);
    assert.deepEqual(await names(alice), ['lab routers', 'shared:lab routers'], "alice's own is hers");
    assert.equal((await alice(path('lab routers', true), { method: 'DELETE' })).status, 204, 'any writer may delete a shared one');
    assert.deepEqual(await names(bob), []);
  });

  it('refuses bad input: 400 naming the field, nothing stored', async () => {
    const cases: [string, unknown, string, RegExp][] = [
      ['x', { ...LAB, q: 'DeviceID.ProductClass = ' }, 'body.q', /^q is not a search: .*column/],
      ['x', { ...LAB, q: 'VirtualParameters.x = 1' }, 'body.q', /virtual parameters/],
      ['x', { ...LAB, q: 7 }, 'body.q', /^q must be a string/],
      ['x', { ...LAB, sort: 'Tags' }, 'body.sort', /^sort: .*no order by them/],
      ['x', { ...LAB, sort: 'Nonsense' }, 'body.sort', /^sort: unknown field "Nonsense"/],
      ['x', { ...LAB, columns: [] }, 'body.columns', /^columns must be at least 1 item/],
      ['x', { ...LAB, columns: ['id', 'id'] }, 'body.columns', /^columns must not name a column twice/],
      ['x', { ...LAB, columns: ['id', 'Device.WiFi.'] }, 'body.columns[1]', /^columns\[1\] must be a column/],
      ['x', { q: '', sort: '' }, 'body.columns', /^columns is required/],
      ['x', { ...LAB, owner: 'someone' }, 'body.owner', /owner is not a known field/],
      ['x', '[1]', 'body', /^body must be an object/],
      [' padded', LAB, 'path.name', /^path parameter name must be 1 to 128 characters/],
      ['bell\u0007', LAB, 'path.name', /no control characters/],
      ['n'.repeat(129), LAB, 'path.name', /^path parameter name must be at most 128 characters/],
    ];
    for (const [name, body, field, message] of cases) {
      const r = await put(alice, name, body);
      const answer = (await r.json()) as { error: string; code: string; field: string };
      const what = `${JSON.stringify(name)} ${JSON.stringify(body)}`;
      assert.equal(r.status, 400, what);
      assert.equal(answer.code, 'ACS_ERR_BAD_REQUEST', what);
      assert.equal(answer.field, field, what);
      assert.match(answer.error, message, what);
    }
    const shared = await alice('/searches/x?shared=maybe');
    assert.equal(shared.status, 400);
    assert.equal(((await shared.json()) as { field: string }).field, 'query.shared');
    assert.deepEqual(await names(alice), ['lab routers']);
  });

  it('is in the OpenAPI document: read scope to list and use, write to save and delete', async () => {
    const doc = (await (await reader('/openapi.json')).json()) as { paths: Record<string, Record<string, { 'x-acs-scope': string; requestBody?: unknown }>> };
    assert.deepEqual(Object.keys(doc.paths['/searches']), ['get']);
    const one = doc.paths['/searches/{name}'];
    assert.deepEqual(Object.fromEntries(Object.entries(one).map(([method, op]) => [method, op['x-acs-scope']])), { get: 'read', put: 'write', delete: 'write' });
    assert.ok(one.put.requestBody, 'PUT documents its body');
  });

  it(`keeps at most ${MAX_SEARCHES} searches per owner (409 past them); replacing one still works`, async () => {
    const carol = tokenFetch(t.nbiUrl, await newToken(t.acs.store, 'write'));
    for (let i = 0; i < MAX_SEARCHES; i++) assert.equal((await put(carol, `s${i}`, { q: '', columns: ['id'] })).status, 201);
    const over = await put(carol, 'one more', { q: '', columns: ['id'] });
    assert.equal(over.status, 409);
    assert.equal(((await over.json()) as { code: string }).code, 'ACS_ERR_CONFLICT');
    assert.equal((await put(carol, 's0', LAB)).status, 200);
    assert.equal((await names(carol)).length, MAX_SEARCHES);
  });
});
