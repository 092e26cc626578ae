import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { createFileService } from '../../src/files';
import { openStore } from '../../src/db';
import { downloadFile, uploadFile } from '../../src/sim/file-transfer';
import { describeEachDriver } from '../helpers/db';
import { countRows, rawRequest, startFiles, type FileHarness } from './harness';

const MiB = 1024 * 1024;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function nbiPut(t: FileHarness, name: string, body: Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return t.nbi(`/files/${encodeURIComponent(name)}`, { method: 'PUT', body, headers });
}

async function fsGet(t: FileHarness, name: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(t.signedUrl(name), { headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describeEachDriver('file server (database storage)', 'acs_test_files', (ctx) => {
  let t: FileHarness;
  // 3.5 MiB and a few bytes: four chunk rows, the last one short.
  const firmware = randomBytes(3.5 * MiB + 123);

  before(async () => {
    t = await startFiles(ctx.store);
  });
  after(async () => t?.close());

  describe('NBI upload, CPE download', () => {
    before(async () => {
      const res = await nbiPut(t, 'fw v1.2.bin', firmware, { fileType: '1 Firmware Upgrade Image', oui: '00D09E', productClass: 'HG8245', version: '1.2' });
      assert.equal(res.status, 201);
    });

    it('stores a 3.5 MiB file in 1 MiB rows and answers with its size and hashes', async () => {
      const [listed] = (await (await t.nbi(`/files?fileType=${encodeURIComponent('1 Firmware Upgrade Image')}`)).json()) as Record<string, unknown>[];
      assert.equal(listed.name, 'fw v1.2.bin');
      assert.equal(listed.size, firmware.length);
      assert.equal(listed.md5, md5(firmware));
      assert.equal(listed.sha256, sha256(firmware));
      assert.deepEqual([listed.fileType, listed.oui, listed.productClass, listed.version], ['1 Firmware Upgrade Image', '00D09E', 'HG8245', '1.2']);
      assert.equal(typeof listed.uploaded, 'number');
      const rows = await ctx.store.sql.autocommit((db) =>
        db.select('SELECT COUNT(*) AS n FROM file_chunks c JOIN files f ON f.content_id = c.content_id WHERE f.name = ?', ['fw v1.2.bin']),
      );
      assert.equal(Number(rows[0].n), 4);
    });

    it('serves it byte-exact on the file server with Content-Length, ETag and Content-Type', async () => {
      const res = await fsGet(t, 'fw v1.2.bin');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-length'), String(firmware.length));
      assert.equal(res.headers.get('etag'), `"${sha256(firmware)}"`);
      assert.equal(res.headers.get('content-type'), 'application/octet-stream');
      assert.ok(res.body.equals(firmware));
    });

    it('serves it byte-exact through the NBI too', async () => {
      const res = await t.nbi(`/files/${encodeURIComponent('fw v1.2.bin')}`);
      assert.equal(res.status, 200);
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(firmware));
    });

    it('answers HEAD with the headers and no body', async () => {
      const res = await rawRequest(t.signedUrl('fw v1.2.bin'), { method: 'HEAD' });
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-length'], String(firmware.length));
      assert.equal(res.headers['accept-ranges'], 'bytes');
      assert.equal(res.body.length, 0);
    });

    it('answers a single range across a chunk boundary with 206 and exactly those bytes', async () => {
      const res = await fsGet(t, 'fw v1.2.bin', { Range: `bytes=${MiB - 5}-${2 * MiB + 4}` });
      assert.equal(res.status, 206);
      assert.equal(res.headers.get('content-range'), `bytes ${MiB - 5}-${2 * MiB + 4}/${firmware.length}`);
      assert.ok(res.body.equals(firmware.subarray(MiB - 5, 2 * MiB + 5)));
      const tail = await fsGet(t, 'fw v1.2.bin', { Range: 'bytes=-10' });
      assert.ok(tail.body.equals(firmware.subarray(firmware.length - 10)));
      const resume = await fsGet(t, 'fw v1.2.bin', { Range: `bytes=${3 * MiB}-` });
      assert.ok(resume.body.equals(firmware.subarray(3 * MiB)));
    });

    it('answers a range past the end with 416, and ignores Range when If-Range names another version', async () => {
      const res = await fsGet(t, 'fw v1.2.bin', { Range: `bytes=${firmware.length}-` });
      assert.equal(res.status, 416);
      assert.equal(res.headers.get('content-range'), `bytes */${firmware.length}`);
      const stale = await fsGet(t, 'fw v1.2.bin', { Range: 'bytes=0-9', 'If-Range': '"old"' });
      assert.equal(stale.status, 200);
      assert.equal(stale.body.length, firmware.length);
    });

    it('lets the simulator download it, with the size a Download RPC would give', async () => {
      const outcome = await downloadFile(t.signedUrl('fw v1.2.bin'), 'cpe', 'secret', firmware.length);
      assert.deepEqual(outcome.fault, { FaultCode: 0, FaultString: '' });
      assert.equal(outcome.bytes, firmware.length);
    });

    it('is served by another process on the same database', async () => {
      const other = await openStore(ctx.url);
      try {
        const reader = await createFileService(other.sql, { urlBase: 'http://other:7567', storage: 'database' }).store.getFile('fw v1.2.bin');
        const chunks: Buffer[] = [];
        for await (const c of reader!.chunks()) chunks.push(c);
        assert.ok(Buffer.concat(chunks).equals(firmware));
      } finally {
        await other.close();
      }
    });
  });

  it('answers an unknown file with 404 (file server, NBI GET and DELETE) and a deeper path with 404', async () => {
    assert.equal((await fsGet(t, 'nope.bin')).status, 404);
    assert.equal((await fetch(`${t.fsUrl}/a/b`)).status, 404);
    assert.equal((await fetch(`${t.fsUrl}/`)).status, 404);
    const res = await t.nbi(`/files/nope.bin`);
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'no file named nope.bin', code: 'ACS_ERR_NOT_FOUND' });
    assert.equal((await t.nbi(`/files/nope.bin`, { method: 'DELETE' })).status, 404);
  });

  it('refuses other methods on the file server with 405', async () => {
    const res = await fetch(`${t.fsUrl}/x.bin`, { method: 'PUT', body: 'x' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.get('allow'), 'GET, HEAD');
  });

  it('replaces a file atomically: a reader that opened the old one reads all of the old one', async () => {
    const v1 = randomBytes(2 * MiB + 7);
    const v2 = randomBytes(MiB + 3);
    assert.equal((await nbiPut(t, 'replace.bin', v1, { fileType: '1 Firmware Upgrade Image' })).status, 201);
    const before = await t.files.store.getFile('replace.bin');
    assert.equal((await nbiPut(t, 'replace.bin', v2, { fileType: '3 Vendor Configuration File' })).status, 201);
    const after = await fsGet(t, 'replace.bin');
    assert.ok(after.body.equals(v2));
    const old: Buffer[] = [];
    for await (const c of before!.chunks()) old.push(c);
    assert.ok(Buffer.concat(old).equals(v1));
    const listed = await t.files.store.listFiles({ fileType: '3 Vendor Configuration File' });
    assert.deepEqual(listed.map((f) => [f.name, f.size]), [['replace.bin', v2.length]]);
  });

  it('cuts the connection of a download whose content vanishes mid-way (a short body, never a wrong one)', async () => {
    const big = randomBytes(4 * MiB);
    await t.files.store.putFile('vanish.bin', big);
    // What the garbage collector does to content released longer ago than the grace period: here, past the first chunk.
    await ctx.store.sql.transaction((db) =>
      db.run('DELETE FROM file_chunks WHERE content_id = (SELECT content_id FROM files WHERE name = ?) AND seq > 0', ['vanish.bin']),
    );
    const got = await new Promise<{ status: number; bytes: Buffer; complete: boolean }>((resolve) => {
      http.get(t.signedUrl('vanish.bin'), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', () => undefined);
        res.on('close', () => resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks), complete: res.complete }));
      });
    });
    assert.equal(got.status, 200);
    assert.equal(got.complete, false);
    assert.ok(got.bytes.length < big.length, `${got.bytes.length} bytes`);
    assert.ok(got.bytes.equals(big.subarray(0, got.bytes.length)));
    const outcome = await downloadFile(t.signedUrl('vanish.bin'), '', '', big.length);
    assert.notEqual(outcome.fault.FaultCode, 0);
    assert.match(t.lateErrors.map((e) => e.message).join('\n'), /chunk 1 of content [0-9a-f-]+ is gone/);
  });

  // SQLite is the one-process setup (a second connection would wait on its lock): two writers in one process there.
  it('two writers replacing one name at once (two processes on MySQL) leave one whole version, and release the other', async () => {
    const other = ctx.driver === 'mysql' ? await openStore(ctx.url) : ctx.store;
    try {
      const a = randomBytes(MiB + 11);
      const b = randomBytes(MiB + 22);
      const otherFiles = createFileService(other.sql, { urlBase: t.fsUrl, storage: 'database' });
      await Promise.all([t.files.store.putFile('race.bin', a), otherFiles.store.putFile('race.bin', b)]);
      const served = (await fsGet(t, 'race.bin')).body;
      assert.ok(served.equals(a) || served.equals(b));
      const unreleased = await ctx.store.sql.autocommit((db) =>
        db.select('SELECT COUNT(*) AS n FROM file_contents c WHERE released IS NULL AND NOT EXISTS (SELECT 1 FROM files f WHERE f.content_id = c.id)'),
      );
      assert.equal(Number(unreleased[0].n), 0);
    } finally {
      if (other !== ctx.store) await other.close();
    }
  });

  it('deletes a file: 204, then 404', async () => {
    await nbiPut(t, 'gone.bin', Buffer.from('bye'));
    assert.equal((await t.nbi(`/files/gone.bin`, { method: 'DELETE' })).status, 204);
    assert.equal((await fsGet(t, 'gone.bin')).status, 404);
  });

  it('stores an empty file and serves it with Content-Length 0', async () => {
    assert.equal((await nbiPut(t, 'empty.cfg', Buffer.alloc(0))).status, 201);
    const res = await fsGet(t, 'empty.cfg');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-length'), '0');
    assert.equal(res.body.length, 0);
  });

  describe('bad names and metadata', () => {
    const cases: [string, string, RegExp][] = [
      ['a slash (%2F)', 'a%2Fb.bin', /contains "\/" or "\\"/],
      ['a control character', 'a%01b', /control character/],
      ['256 characters', 'x'.repeat(256), /longer than 255 characters/],
      ['bad percent-encoding', '%E0%A4%A', /not valid percent-encoding/],
    ];
    for (const [what, raw, message] of cases) {
      it(`refuses a name with ${what}: 400 naming the problem, nothing stored`, async () => {
        const count = (await t.files.store.listFiles()).length;
        const res = await t.nbi(`/files/${raw}`, { method: 'PUT', body: 'data' });
        assert.equal(res.status, 400);
        assert.match(((await res.json()) as { error: string }).error, message);
        assert.equal((await t.files.store.listFiles()).length, count);
      });
    }

    it('refuses ".." (sent as a raw path: URL parsers would resolve it) with 400', async () => {
      const { port } = new URL(t.nbiUrl);
      const res = await rawRequest(`http://127.0.0.1:${port}`, { method: 'PUT', path: '/files/..', headers: { Authorization: `Bearer ${t.token}` }, body: [Buffer.from('x')] });
      assert.equal(res.status, 400);
      assert.match(res.body.toString(), /cannot be \\"\.\\" or \\"\.\.\\"/);
      await assert.rejects(t.files.store.putFile('..', Buffer.from('x')), /cannot be "\." or "\.\."/);
    });

    it('accepts 255 characters', async () => {
      assert.equal((await nbiPut(t, 'é'.repeat(255), Buffer.from('ok'))).status, 201);
      assert.equal((await fsGet(t, 'é'.repeat(255))).body.toString(), 'ok');
    });

    it('refuses a fileType over 64 characters and a bad list filter with 400', async () => {
      const res = await nbiPut(t, 'meta.bin', Buffer.from('x'), { fileType: 'X'.repeat(65) });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, /fileType must be at most 64 characters/);
      assert.equal(await t.files.store.getFile('meta.bin'), null);
      const list = await t.nbi(`/files?limit=-1`);
      assert.equal(list.status, 400);
    });
  });

  describe('CPE uploads', () => {
    const device = '00D09E-HG8245-SN%2D42';

    it('stores a PUT to a token URL (the simulator as CPE, with credentials) under the token\'s name and metadata', async () => {
      const name = `config-${device}-1700000000000.cfg`;
      const target = await t.files.uploadTarget({ device, fileType: '1 Vendor Configuration File', name });
      assert.match(target.url, new RegExp(`^${t.fsUrl}/uploads/[A-Za-z0-9_-]{32}$`));
      const config = '<config>wifi=on</config>\n'.repeat(100);
      const outcome = await uploadFile(target.url, 'cpe-user', 'cpe-pass', config);
      assert.deepEqual(outcome.fault, { FaultCode: 0, FaultString: '' });
      const [file] = await t.files.store.listFiles({ deviceKey: device });
      assert.equal(file.name, name);
      // Listed per device through the API too, and only under its device.
      const listed = (await (await t.nbi(`/files?deviceKey=${encodeURIComponent(device)}`)).json()) as { name: string; size: number; deviceKey: string }[];
      assert.deepEqual(listed.map((f) => [f.name, f.size, f.deviceKey]), [[name, Buffer.byteLength(config), device]]);
      assert.deepEqual(await (await t.nbi(`/files?deviceKey=${encodeURIComponent('00D09E-HG8245-OTHER')}`)).json(), []);
      assert.equal(file.size, Buffer.byteLength(config));
      assert.deepEqual([file.fileType, file.oui, file.productClass], ['1 Vendor Configuration File', '00D09E', 'HG8245']);
      // Restore: the same file back to the CPE.
      const back = await fsGet(t, name);
      assert.equal(back.body.toString(), config);
      const download = await downloadFile(t.signedUrl(name), '', '', file.size);
      assert.equal(download.fault.FaultCode, 0);
    });

    it('refuses a used token with 410 and an unknown one with 404', async () => {
      const target = await t.files.uploadTarget({ device, fileType: '1 Vendor Configuration File', name: 'once.cfg' });
      assert.equal((await fetch(target.url, { method: 'PUT', body: 'first' })).status, 200);
      const again = await fetch(target.url, { method: 'PUT', body: 'second' });
      assert.equal(again.status, 410);
      assert.match(await again.text(), /already used/);
      assert.equal((await fsGet(t, 'once.cfg')).body.toString(), 'first');
      const outcome = await uploadFile(target.url, '', '', 'third');
      assert.equal(outcome.fault.FaultCode, 9011);
      assert.equal((await fetch(`${t.fsUrl}/uploads/${'A'.repeat(32)}`, { method: 'PUT', body: 'x' })).status, 404);
      assert.equal((await fetch(`${t.fsUrl}/uploads/short`, { method: 'PUT', body: 'x' })).status, 404);
    });

    it('takes a POST too, and refuses an expired token with 410', async () => {
      const posted = await t.files.uploadTarget({ device, fileType: '2 Vendor Log File', name: 'log.txt' });
      assert.equal((await fetch(posted.url, { method: 'POST', body: 'log' })).status, 200);
      assert.equal((await t.files.store.getFile('log.txt'))?.file.fileType, '2 Vendor Log File');
      const short = createFileService(ctx.store.sql, { urlBase: t.fsUrl, uploadTtlMs: 1, storage: 'database' });
      const expired = await short.uploadTarget({ device, fileType: '1 Vendor Configuration File', name: 'late.cfg' });
      await new Promise((r) => setTimeout(r, 10));
      const res = await fetch(expired.url, { method: 'PUT', body: 'late' });
      assert.equal(res.status, 410);
      assert.match(await res.text(), /expired/);
      assert.equal(await t.files.store.getFile('late.cfg'), null);
    });

    it('frees the URL again when a CPE\'s upload breaks off, so its retry is stored', async () => {
      const target = await t.files.uploadTarget({ device, fileType: '1 Vendor Configuration File', name: 'retry.cfg' });
      const req = http.request(target.url, { method: 'PUT', headers: { 'Content-Length': '1000' } });
      req.on('error', () => undefined);
      req.write(Buffer.alloc(100, 1));
      await new Promise((r) => setTimeout(r, 100));
      req.destroy();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 20));
        status = (await fetch(target.url, { method: 'PUT', body: 'whole' })).status;
      }
      assert.equal(status, 200);
      assert.equal((await fsGet(t, 'retry.cfg')).body.toString(), 'whole');
    });

    it('refuses a bad name or file type when the upload URL is made', async () => {
      await assert.rejects(t.files.uploadTarget({ device, fileType: '1 Vendor Configuration File', name: 'a/b' }), /contains "\/"/);
      await assert.rejects(t.files.uploadTarget({ device, fileType: '', name: 'ok.cfg' }), /fileType is empty/);
    });
  });

  describe('size limit', () => {
    let small: FileHarness;
    before(async () => {
      small = await startFiles(ctx.store, { maxBytes: 1024 });
    });
    after(async () => small?.close());

    const leftovers = async () => [await countRows(ctx.store.sql, 'file_chunks'), await countRows(ctx.store.sql, 'file_contents')];

    it('refuses an oversize CPE upload with 413, stores nothing, and the token can be used again', async () => {
      const before = await leftovers();
      const target = await small.files.uploadTarget({ device: '00D09E-HG8245-BIG', fileType: '1 Vendor Configuration File', name: 'big.cfg' });
      const res = await fetch(target.url, { method: 'PUT', body: randomBytes(4096) });
      assert.equal(res.status, 413);
      assert.equal(await small.files.store.getFile('big.cfg'), null);
      assert.deepEqual(await leftovers(), before);
      assert.equal((await fetch(target.url, { method: 'PUT', body: 'fits' })).status, 200);
    });

    it('refuses an oversize chunked body (no Content-Length) with 413 once past the limit, leaving no chunk behind', async () => {
      const before = await leftovers();
      const target = await small.files.uploadTarget({ device: '00D09E-HG8245-BIG', fileType: '1 Vendor Configuration File', name: 'chunked.cfg' });
      const res = await rawRequest(target.url, { method: 'PUT', body: [randomBytes(600), randomBytes(600)] });
      assert.equal(res.status, 413);
      assert.equal(await small.files.store.getFile('chunked.cfg'), null);
      assert.deepEqual(await leftovers(), before);
    });

    it('refuses an oversize NBI upload with 413 and keeps the file it would have replaced', async () => {
      assert.equal((await nbiPut(small, 'keep.bin', Buffer.from('small'))).status, 201);
      const res = await nbiPut(small, 'keep.bin', randomBytes(2048));
      assert.equal(res.status, 413);
      assert.equal((await fsGet(small, 'keep.bin')).body.toString(), 'small');
    });
  });

  it('deletes replaced content once its grace period is over, and only that', async () => {
    const quick = createFileService(ctx.store.sql, { urlBase: t.fsUrl, releasedGraceMs: 0, storage: 'database' });
    const kept = randomBytes(MiB + 2);
    await quick.store.putFile('kept.bin', kept);
    await quick.store.putFile('gc.bin', randomBytes(MiB + 1));
    await quick.store.putFile('gc.bin', Buffer.from('v2'));
    await new Promise((r) => setTimeout(r, 5));
    await quick.store.collectGarbage();
    const orphans = await ctx.store.sql.autocommit((db) =>
      db.select('SELECT COUNT(*) AS n FROM file_chunks WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.content_id = file_chunks.content_id)'),
    );
    assert.equal(Number(orphans[0].n), 0);
    assert.equal((await fsGet(t, 'gc.bin')).body.toString(), 'v2');
    assert.ok((await fsGet(t, 'kept.bin')).body.equals(kept));
  });
});
