import { strict as assert } from 'node:assert';
import { startTestAcs, type TestAcs } from '../helpers/acs';

describe('northbound API (read-only)', function () {
  let t: TestAcs;
  before(async () => {
    t = await startTestAcs('nbi');
  });
  after(async () => t?.stop());

  it('answers an unknown device with 404 and a JSON message naming it', async () => {
    const res = await fetch(`${t.nbiUrl}/devices/00AA11-X-NOPE`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'no device with id 00AA11-X-NOPE', code: 'ACS_ERR_NOT_FOUND' });
  });

  it('refuses a bad limit with 400 naming the parameter', async () => {
    const res = await fetch(`${t.nbiUrl}/devices?limit=abc`);
    assert.equal(res.status, 400);
    assert.match(((await res.json()) as { error: string }).error, /limit must be an integer from 0 to 1000/);
  });

  it('answers an unknown route with 404 and a wrong method with 405', async () => {
    assert.equal((await fetch(`${t.nbiUrl}/nothing`)).status, 404);
    assert.equal((await fetch(`${t.nbiUrl}/devices`, { method: 'DELETE' })).status, 405);
  });

  it('accepts tags for a device with an empty ProductClass that never informed ("OUI--Serial")', async () => {
    await t.acs.store.setTags('00AA11--SNEMPTY', ['new'], []);
    const res = await fetch(`${t.nbiUrl}/devices/00AA11--SNEMPTY`);
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { productClass: string; tags: string[] }).tags, ['new']);
  });

  it('lists devices with paging, tags included in the detail', async () => {
    await t.acs.store.setTags('00AA11-Box%2D1-SN1', ['lab'], []);
    await t.acs.store.setTags('00AA11-Box%2D1-SN2', ['lab'], []);
    const page = (await (await fetch(`${t.nbiUrl}/devices?limit=1&offset=2`)).json()) as { deviceKey: string }[];
    assert.equal(page.length, 1);
    assert.equal(page[0].deviceKey, '00AA11-Box%2D1-SN2');
    const one = (await (await fetch(`${t.nbiUrl}/devices/${encodeURIComponent('00AA11-Box%2D1-SN1')}`)).json()) as { tags: string[] };
    assert.deepEqual(one.tags, ['lab']);
  });
});
