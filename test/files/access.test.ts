/**
 * The file server's access control (signed per-device URLs, per-device
 * credentials answered to a Digest or Basic challenge, FS_ACCESS=open), the
 * disk storage, sha256 checks on upload and conditional requests; then end
 * to end: a download task of a stored firmware, the real ACS signing the
 * URL as the RPC goes out, the simulator fetching it in Range requests, and
 * a CPE that drops the URL's query string getting it with its credentials.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createFileService } from '../../src/files';
import { deviceKeyOf } from '../../src/model/device-key';
import { downloadFile } from '../../src/sim/file-transfer';
import { Fleet } from '../../src/sim/fleet';
import { loadModel } from '../../src/sim/load-model';
import { parseQuirks } from '../../src/sim/quirks';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { describeEachDriver } from '../helpers/db';
import { freePort } from '../helpers/private-services';
import { until } from '../helpers/wait';
import { countRows, downloadOf, rawRequest, startFiles, type FileHarness } from './harness';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const KiB = 1024;
const DEVICE = '00D09E-HG8245-ACCESS1';

/** All files under a folder, recursively (what the disk storage holds). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describeEachDriver('file server access and disk storage', 'acs_test_files_access', (ctx) => {
  let t: FileHarness;
  const image = randomBytes(300 * KiB + 7);

  before(async () => {
    t = await startFiles(ctx.store, { storage: 'disk' });
    assert.equal((await t.nbi('/files/fw-3.0.bin', { method: 'PUT', body: image, headers: { fileType: '1 Firmware Upgrade Image', sha256: sha256(image) } })).status, 201);
  });
  after(async () => t?.close());

  describe('disk storage', () => {
    it('keeps the bytes as one file under FILES_DIR, none in the database', async () => {
      const stored = filesUnder(t.files.options.dir).filter((f) => !f.includes(`${path.sep}partial${path.sep}`));
      assert.equal(stored.length, 1);
      const rows = await ctx.store.sql.autocommit((db) => db.select("SELECT storage FROM file_contents c JOIN files f ON f.content_id = c.id WHERE f.name = 'fw-3.0.bin'"));
      assert.deepEqual(rows.map((r) => r.storage), ['disk']);
      assert.equal(await countRows(ctx.store.sql, 'file_chunks'), 0);
    });

    it('serves it byte-exact, and a range of it', async () => {
      const whole = await fetch(t.signedUrl('fw-3.0.bin'));
      assert.ok(Buffer.from(await whole.arrayBuffer()).equals(image));
      const part = await fetch(t.signedUrl('fw-3.0.bin'), { headers: { Range: 'bytes=1000-1999' } });
      assert.equal(part.status, 206);
      assert.ok(Buffer.from(await part.arrayBuffer()).equals(image.subarray(1000, 2000)));
    });

    it('deletes the file from disk once a replaced content is past its grace period', async () => {
      const quick = createFileService(ctx.store.sql, { urlBase: t.fsUrl, storage: 'disk', dir: t.files.options.dir, releasedGraceMs: 0 });
      await quick.store.putFile('cfg.bin', Buffer.from('v1'));
      const before = filesUnder(t.files.options.dir).length;
      await quick.store.putFile('cfg.bin', Buffer.from('v2'));
      await new Promise((r) => setTimeout(r, 5));
      await quick.store.collectGarbage();
      assert.equal(filesUnder(t.files.options.dir).length, before);
      const reader = await quick.store.getFile('cfg.bin');
      const chunks: Buffer[] = [];
      for await (const c of reader!.chunks()) chunks.push(c);
      assert.equal(Buffer.concat(chunks).toString(), 'v2');
    });

    it('streams an upload to disk as it comes: the partial file grows while the request is still open', async () => {
      const body = randomBytes(6 * 1024 * KiB + 3);
      const half = 3 * 1024 * KiB;
      const partial = path.join(t.files.options.dir, 'partial');
      const onDisk = () => filesUnder(partial).reduce((n, f) => n + statSync(f).size, 0);
      const u = new URL(`${t.nbiUrl}/files/stream.bin`);
      let answered: (status: number) => void = () => undefined;
      const status = new Promise<number>((resolve) => (answered = resolve));
      const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'PUT', headers: { Authorization: `Bearer ${t.token}`, sha256: sha256(body) } }, (res) => {
        res.resume();
        answered(res.statusCode ?? 0);
      });
      req.write(body.subarray(0, half));
      // Half sent and the request still open: at least two of its 1 MiB pieces are on disk already, not held in memory.
      await until('pieces written before the body ended', async () => onDisk() >= 2 * 1024 * KiB, 10_000);
      req.end(body.subarray(half));
      assert.equal(await status, 201);
      assert.equal(onDisk(), 0, 'renamed into place once whole');
      assert.ok(Buffer.from(await (await fetch(t.signedUrl('stream.bin'))).arrayBuffer()).equals(body));
    });

    it('leaves nothing on disk when an upload is refused past the size limit', async () => {
      const small = await startFiles(ctx.store, { storage: 'disk', dir: t.files.options.dir, maxBytes: 64 * KiB });
      try {
        const before = filesUnder(t.files.options.dir).length;
        const contents = await countRows(ctx.store.sql, 'file_contents');
        const res = await rawRequest(`${small.nbiUrl}/files/big.bin`, { method: 'PUT', headers: { Authorization: `Bearer ${small.token}` }, body: [randomBytes(40 * KiB), randomBytes(40 * KiB)] });
        assert.equal(res.status, 413);
        assert.equal(filesUnder(t.files.options.dir).length, before);
        assert.equal(await countRows(ctx.store.sql, 'file_contents'), contents);
      } finally {
        await small.close();
      }
    });

    it('reads a file stored in the database after the storage changed to disk', async () => {
      const db = createFileService(ctx.store.sql, { urlBase: t.fsUrl, storage: 'database' });
      await db.store.putFile('old.bin', Buffer.from('from the database'));
      assert.equal(await (await fetch(t.signedUrl('old.bin'))).text(), 'from the database');
    });
  });

  describe('sha256 on upload', () => {
    it('refuses a body that does not hash to the sha256 header: 400 naming both, nothing stored, the old file kept', async () => {
      assert.equal((await t.nbi('/files/checked.bin', { method: 'PUT', body: 'good' })).status, 201);
      const files = filesUnder(t.files.options.dir).length;
      const contents = await countRows(ctx.store.sql, 'file_contents');
      const res = await t.nbi('/files/checked.bin', { method: 'PUT', body: 'evil', headers: { sha256: sha256('good') } });
      assert.equal(res.status, 400);
      assert.match(((await res.json()) as { error: string }).error, new RegExp(`sha256 mismatch: the request says ${sha256('good')}.*hash to ${sha256('evil')}`));
      assert.equal(await (await fetch(t.signedUrl('checked.bin'))).text(), 'good');
      assert.equal(filesUnder(t.files.options.dir).length, files);
      assert.equal(await countRows(ctx.store.sql, 'file_contents'), contents);
    });

    it('takes RFC 9530 Content-Digest, and refuses a malformed sha256 with 400', async () => {
      const body = Buffer.from('digest me');
      const digest = createHash('sha256').update(body).digest('base64');
      assert.equal((await t.nbi('/files/digest.bin', { method: 'PUT', body, headers: { 'Content-Digest': `sha-256=:${digest}:` } })).status, 201);
      const wrong = await t.nbi('/files/digest.bin', { method: 'PUT', body: 'other', headers: { 'Content-Digest': `sha-256=:${digest}:` } });
      assert.equal(wrong.status, 400);
      const bad = await t.nbi('/files/digest.bin', { method: 'PUT', body, headers: { sha256: 'xyz' } });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: string }).error, /sha256 must be 64 hexadecimal digits/);
      assert.equal(await (await fetch(t.signedUrl('digest.bin'))).text(), 'digest me');
    });
  });

  describe('who may download', () => {
    it('refuses a plain URL with 401 and Digest and Basic challenges', async () => {
      const res = await fetch(t.files.fileUrl('fw-3.0.bin'));
      assert.equal(res.status, 401);
      const www = res.headers.get('www-authenticate') ?? '';
      assert.match(www, /Digest realm="acs-files"/);
      assert.match(www, /Basic realm="acs-files"/);
      assert.match(await res.text(), /no signed URL and no credentials/);
    });

    it('refuses a signed URL used for another file, another device, tampered or expired', async () => {
      const url = new URL(t.signedUrl('fw-3.0.bin', DEVICE));
      const other = new URL(url);
      other.pathname = '/checked.bin';
      assert.equal((await fetch(other)).status, 401);
      const device = new URL(url);
      device.searchParams.set('d', '00D09E-HG8245-OTHER');
      assert.equal((await fetch(device)).status, 401);
      const expiry = new URL(url);
      expiry.searchParams.set('e', (Number.parseInt(url.searchParams.get('e')!, 36) + 1).toString(36));
      assert.equal((await fetch(expiry)).status, 401);
      const old = createFileService(ctx.store.sql, { urlBase: t.fsUrl, urlTtlMs: -60_000 });
      await old.access.init();
      const expired = await fetch(downloadOf(old, 'fw-3.0.bin', DEVICE).URL);
      assert.equal(expired.status, 401);
      assert.match(await expired.text(), /expired/);
    });

    it('signs only URLs of this file server, and keeps credentials a task gave', async () => {
      const signed = downloadOf(t.files, 'fw-3.0.bin', DEVICE);
      assert.equal(signed.Username, DEVICE);
      assert.equal(signed.Password, t.files.access.passwordOf(DEVICE));
      const foreign = { ...signed, URL: 'http://fw.example.net/fw.bin', Username: '', Password: '' };
      assert.deepEqual(t.files.access.grant(foreign, DEVICE), foreign);
      const own = { ...signed, URL: t.files.fileUrl('fw-3.0.bin'), Username: 'ops', Password: 'secret' };
      const granted = t.files.access.grant(own, DEVICE);
      assert.match(granted.method === 'Download' ? granted.URL : '', /\?d=.*&e=.*&s=/);
      assert.deepEqual(granted.method === 'Download' ? [granted.Username, granted.Password] : [], ['ops', 'secret']);
    });

    it('serves a CPE that drops the query string once it answers the Digest challenge with its credentials', async () => {
      const rpc = downloadOf(t.files, 'fw-3.0.bin', DEVICE);
      const outcome = await downloadFile(rpc.URL, rpc.Username, rpc.Password, image.length, { dropQuery: true });
      assert.deepEqual(outcome.fault, { FaultCode: 0, FaultString: '' });
      assert.equal(outcome.sha256, sha256(image));
      assert.deepEqual(outcome.statuses, [401, 200]);
    });

    it('serves Basic credentials too, and refuses another device\'s password or a wrong one', async () => {
      const basic = (user: string, pass: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` });
      const url = t.files.fileUrl('fw-3.0.bin');
      assert.equal((await fetch(url, { headers: basic(DEVICE, t.files.access.passwordOf(DEVICE)) })).status, 200);
      assert.equal((await fetch(url, { headers: basic(DEVICE, t.files.access.passwordOf('00D09E-HG8245-OTHER')) })).status, 401);
      const wrong = await downloadFile(url, DEVICE, 'guess', 0);
      assert.equal(wrong.fault.FaultCode, 9012);
      assert.deepEqual(wrong.statuses, [401, 401]);
    });

    it('shares its key through the database: another process checks what this one signed', async () => {
      const other = createFileService(ctx.store.sql, { urlBase: t.fsUrl });
      await other.access.init();
      assert.equal(downloadOf(other, 'fw-3.0.bin', DEVICE).Password, t.files.access.passwordOf(DEVICE));
    });

    it('refuses ".." and encoded slashes on the file server path with 404, whatever the signature', async () => {
      const { port } = new URL(t.fsUrl);
      for (const p of ['/..', '/../fw-3.0.bin', '/%2E%2E', '/a%2Fb', '/..%2Ffw-3.0.bin']) {
        const res = await rawRequest(`http://127.0.0.1:${port}`, { method: 'GET', path: `${p}?d=x&e=zzzzzz&s=x` });
        assert.ok(res.status === 404 || res.status === 401, `${p}: ${res.status}`);
        assert.notEqual(res.status, 200);
      }
    });
  });

  describe('conditional requests', () => {
    it('answers If-None-Match and If-Modified-Since with 304, If-Match with another tag with 412', async () => {
      const url = t.signedUrl('fw-3.0.bin');
      const first = await fetch(url, { method: 'HEAD' });
      const etag = first.headers.get('etag')!;
      const modified = first.headers.get('last-modified')!;
      assert.equal((await fetch(url, { headers: { 'If-None-Match': etag } })).status, 304);
      assert.equal((await fetch(url, { headers: { 'If-None-Match': '"other", ' + etag } })).status, 304);
      assert.equal((await fetch(url, { headers: { 'If-Modified-Since': modified } })).status, 304);
      assert.equal((await fetch(url, { headers: { 'If-Modified-Since': new Date(Date.parse(modified) - 60_000).toUTCString() } })).status, 200);
      assert.equal((await fetch(url, { headers: { 'If-Match': '"other"' } })).status, 412);
      assert.equal((await fetch(url, { headers: { 'If-Match': etag, Range: 'bytes=0-9' } })).status, 206);
      assert.equal((await fetch(url, { headers: { 'If-Unmodified-Since': new Date(Date.parse(modified) - 60_000).toUTCString() } })).status, 412);
    });
  });

  it('FS_ACCESS=open serves a plain URL to anyone', async () => {
    const open = await startFiles(ctx.store, { storage: 'disk', access: 'open' });
    try {
      assert.equal((await open.nbi('/files/open.bin', { method: 'PUT', body: 'public' })).status, 201);
      assert.equal(await (await fetch(open.files.fileUrl('open.bin'))).text(), 'public');
      assert.equal(open.files.access.grant(downloadOf(t.files, 'open.bin', DEVICE), DEVICE).method, 'Download');
    } finally {
      await open.close();
    }
  });
});

describe('a firmware download end to end: task, signed URL, Range requests, a CPE that drops the query', function () {
  this.timeout(120_000);
  let t: TestAcs;
  const fleets: Fleet[] = [];
  const image = randomBytes(200 * KiB + 13);
  const model = loadModel(path.resolve(__dirname, '../../../shared/samples/device-models/device-00259E-EG8145V5-48575443A94196A5-2023-03-28T154335106Z.csv'));

  before(async () => {
    const fsPort = await freePort();
    t = await startTestAcs('files_e2e', { fsPort, fsUrl: `http://127.0.0.1:${fsPort}` });
    const res = await t.nbi('/files/fw-5.1.2.bin', { method: 'PUT', body: image, headers: { fileType: '1 Firmware Upgrade Image', sha256: sha256(image) } });
    assert.equal(res.status, 201);
  });
  after(async () => {
    await Promise.all(fleets.map((f) => f.close()));
    await t?.stop();
  });

  for (const [label, options] of [
    ['in 64 KiB Range requests with the signed URL', { rpcOptions: { downloadRangeBytes: 64 * KiB } }],
    ['whole, by a CPE that drops the query string and answers the challenge', { quirks: parseQuirks('drops-url-query') }],
  ] as const) {
    it(label, async () => {
      const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model, devices: 1, serialBase: `FSE2E${fleets.length}-`, concurrency: 1, report: () => undefined, ...options });
      fleets.push(fleet);
      await fleet.connectAll();
      const device = fleet.devices[0];
      const key = deviceKeyOf(device.deviceId());
      const task = await t.nbi(`/devices/${encodeURIComponent(key)}/tasks`, {
        method: 'POST',
        body: JSON.stringify({ name: 'download', fileName: 'fw-5.1.2.bin', fileType: '1 Firmware Upgrade Image' }),
      });
      assert.ok(task.status === 201 || task.status === 202, `${task.status} ${await task.text()}`);
      fleet.connect(device, '2 PERIODIC');
      await until('the download', async () => device.transferLog.length > 0, 30_000);
      const [fetched] = device.transferLog;
      assert.deepEqual(fetched.fault, { FaultCode: 0, FaultString: '' });
      assert.equal(fetched.sha256, sha256(image));
      assert.match(fetched.url, /\/fw-5\.1\.2\.bin\?d=.+&e=.+&s=.+$/);
      if ('rpcOptions' in options) assert.deepEqual(fetched.statuses, [206, 206, 206, 206]);
      else assert.deepEqual(fetched.statuses, [401, 200]);
      // The TransferComplete reaches the ACS and the task is done.
      await until('the task done', async () => {
        const tasks = (await (await t.nbi(`/devices/${encodeURIComponent(key)}/tasks`)).json()) as { status: string }[];
        return tasks.some((x) => x.status === 'done');
      }, 30_000);
    });
  }

  it('an upload task with fileName: the CPE sends its configuration to a single-use URL, kept in the file store and listed for the device', async () => {
    const fleet = await Fleet.create({ acsUrl: t.cwmpUrl, model, devices: 1, serialBase: 'FSUP-', concurrency: 1, report: () => undefined });
    fleets.push(fleet);
    await fleet.connectAll();
    const device = fleet.devices[0];
    const key = deviceKeyOf(device.deviceId());
    const tasksUrl = `/devices/${encodeURIComponent(key)}/tasks`;
    const tokens = async () => ((await (t.acs.store.sql.autocommit((db) => db.select('SELECT COUNT(*) AS n FROM upload_tokens'))))[0].n as number);
    const tokensBefore = Number(await tokens());
    for (const [fileName, message] of [['../etc.cfg', /fileName: file name contains "\/"/], ['', /fileName must not be empty/]] as const) {
      const refused = await t.nbi(tasksUrl, { method: 'POST', body: JSON.stringify({ name: 'upload', fileType: '1 Vendor Configuration File', fileName }) });
      assert.equal(refused.status, 400);
      assert.match(((await refused.json()) as { error: string }).error, message);
    }
    assert.equal(Number(await tokens()), tokensBefore, 'a refused task makes no upload URL');

    const name = `backup-${device.deviceId().SerialNumber}.cfg`;
    const created = await t.nbi(tasksUrl, { method: 'POST', body: JSON.stringify({ name: 'upload', fileType: '1 Vendor Configuration File', fileName: name }) });
    assert.ok(created.status === 201 || created.status === 202, `${created.status} ${await created.clone().text()}`);
    const { args } = (await created.json()) as { args: { url: string; fileName: string } };
    assert.match(args.url, /\/uploads\/[A-Za-z0-9_-]{32}$/);
    assert.equal(args.fileName, name);
    fleet.connect(device, '2 PERIODIC');
    await until('the task done', async () => {
      const tasks = (await (await t.nbi(tasksUrl)).json()) as { name: string; status: string }[];
      return tasks.some((x) => x.name === 'upload' && x.status === 'done');
    }, 30_000);
    const listed = (await (await t.nbi(`/files?deviceKey=${encodeURIComponent(key)}`)).json()) as { name: string; size: number; fileType: string; deviceKey: string }[];
    const kept = listed.find((f) => f.name === name);
    assert.ok(kept, `listed for the device: ${JSON.stringify(listed)}`);
    assert.equal(kept.fileType, '1 Vendor Configuration File');
    assert.ok(kept.size > 0, 'with the bytes the CPE sent');
    const body = await (await t.nbi(`/files/${encodeURIComponent(name)}`)).text();
    assert.equal(Buffer.byteLength(body), kept.size);
    assert.equal((await fetch(args.url, { method: 'PUT', body: 'again' })).status, 410, 'the URL was single-use');
  });
});
