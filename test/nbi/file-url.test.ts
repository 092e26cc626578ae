/**
 * GET /files/:name/url (src/files/url-routes.ts): the file server URL of a
 * stored file, the `url` a firmware-upgrade workflow passes to the CPE. The
 * URL is FS_URL's, serves the file (FS_ACCESS=open here, so no signature is
 * needed to fetch it), and is the URL a download task naming the file gets.
 */
import { strict as assert } from 'node:assert';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { newToken, withToken } from '../helpers/api-token';
import { freePort } from '../helpers/private-services';

const IMAGE = Buffer.alloc(4096, 9);

describe('REST API: GET /files/:name/url', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let fsUrl: string;

  before(async () => {
    const fsPort = await freePort();
    fsUrl = `http://127.0.0.1:${fsPort}`;
    t = await startTestAcs('nbi_file_url', { fsPort, fsHost: '127.0.0.1', fsUrl, fsAccess: 'open' });
    const put = await t.nbi('/files/fw%202.1.0.bin', { method: 'PUT', body: IMAGE, headers: { fileType: '1 Firmware Upgrade Image', version: '2.1.0' } });
    assert.equal(put.status, 201);
  });
  after(() => t?.stop());

  it('answers the file server URL of the file, percent-encoded, which serves the file', async () => {
    const res = await t.nbi('/files/fw%202.1.0.bin/url');
    assert.equal(res.status, 200);
    const body = (await res.json()) as { name: string; url: string };
    assert.deepEqual(body, { name: 'fw 2.1.0.bin', url: `${fsUrl}/fw%202.1.0.bin` });
    const download = await fetch(body.url);
    assert.equal(download.status, 200);
    assert.deepEqual(Buffer.from(await download.arrayBuffer()), IMAGE);
  });

  it('is the URL a download task naming the file is given', async () => {
    const device = '00A0C9-Router-SNURL1';
    await t.acs.store.sql.transaction((db) => db.run(
      `INSERT INTO devices (device_key, manufacturer, oui, product_class, serial_number) VALUES (?, 'Maker', '00A0C9', 'Router', 'SNURL1')`, [device],
    ));
    const task = await t.nbi(`/devices/${device}/tasks`, { method: 'POST', body: JSON.stringify({ name: 'download', fileType: '1 Firmware Upgrade Image', fileName: 'fw 2.1.0.bin' }) });
    assert.equal(task.status, 202, await task.clone().text());
    const url = ((await (await t.nbi('/files/fw%202.1.0.bin/url')).json()) as { url: string }).url;
    assert.equal(((await task.json()) as { url: string }).url, url);
  });

  it('is a read: a read-scope token gets it, an anonymous request does not', async () => {
    const read = await newToken(t.acs.store, 'read');
    assert.equal((await fetch(`${t.nbiUrl}/files/fw%202.1.0.bin/url`, withToken(read))).status, 200);
    assert.equal((await fetch(`${t.nbiUrl}/files/fw%202.1.0.bin/url`)).status, 401);
  });

  it('404 for a file that is not stored, 400 naming the problem for a name no file can have', async () => {
    const missing = await t.nbi('/files/nothing.bin/url');
    assert.equal(missing.status, 404);
    assert.match(((await missing.json()) as { error: string }).error, /no file named nothing\.bin/);
    const bad = await t.nbi('/files/%20padded.bin/url');
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /white space/);
  });
});
