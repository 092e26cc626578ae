/**
 * The GenieACS-compatible PUT /files/:name receives a file as our own
 * PUT /files does (src/files/upload-body.ts): a `sha256` or Content-Digest
 * header is checked, FILES_MAX_BYTES holds, and a refused upload stores
 * nothing, neither under its name nor as leftover bytes.
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { startTestAcs, type TestAcs } from '../helpers/acs';
import { dirWith } from '../helpers/files';
import { freePort } from '../helpers/private-services';

const MAX_BYTES = 1024;
const sha256 = (b: Buffer, encoding: 'hex' | 'base64' = 'hex') => createHash('sha256').update(b).digest(encoding);

describe('GenieACS-compatible PUT /files/:name: digest and size checks', function () {
  this.timeout(60_000);
  let t: TestAcs;
  let base: string;
  let filesDir: string;

  const call = (p: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${base}${p}`, { ...init, headers: { Authorization: `Bearer ${t.token}`, ...(init.headers as Record<string, string>) } });
  const putFile = (name: string, body: Buffer, headers: Record<string, string> = {}) => call(`/files/${name}`, { method: 'PUT', body, headers });
  const errorOf = async (r: Response): Promise<string> => ((await r.json()) as { error: string }).error;

  /** Contents (rows and bytes on disk) no name serves: what a refused upload must not leave. */
  async function strayContents(): Promise<number> {
    const rows = await t.acs.store.sql.autocommit((db) =>
      db.select('SELECT COUNT(*) AS n FROM file_contents c WHERE NOT EXISTS (SELECT 1 FROM files f WHERE f.content_id = c.id)'),
    );
    return Number(rows[0].n);
  }

  const filesOnDisk = () => readdirSync(filesDir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);

  before(async () => {
    const port = await freePort();
    filesDir = dirWith({});
    t = await startTestAcs('genieacs_files_upload', { genieacsNbiPort: port, filesDir, filesStorage: 'disk', fsMaxBytes: MAX_BYTES });
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => t?.stop());

  it('refuses a body that does not hash to the sha256 header with 400, storing nothing', async () => {
    const res = await putFile('wrong.bin', Buffer.from('firmware'), { sha256: sha256(Buffer.from('other')) });
    assert.equal(res.status, 400);
    assert.match(await errorOf(res), /sha256 mismatch/);
    assert.equal((await call('/files/wrong.bin')).status, 404);
    assert.deepEqual(await (await call(`/files/?query=${encodeURIComponent('{"filename":"wrong.bin"}')}`)).json(), []);
    assert.equal(await strayContents(), 0);
    assert.deepEqual(filesOnDisk(), []);
  });

  it('stores a body that hashes to its sha256 header (any case), and keeps it when a wrong-digest replacement is refused', async () => {
    const firmware = Buffer.from('firmware image v1.0');
    assert.equal((await putFile('fw.bin', firmware, { sha256: sha256(firmware).toUpperCase() })).status, 200);
    const replaced = await putFile('fw.bin', Buffer.from('tampered'), { sha256: sha256(firmware) });
    assert.equal(replaced.status, 400);
    assert.deepEqual(Buffer.from(await (await call('/files/fw.bin')).arrayBuffer()), firmware);
    assert.equal(await strayContents(), 0);
  });

  it('checks an RFC 9530 Content-Digest as it checks sha256, and refuses a malformed sha256 with 400', async () => {
    const body = Buffer.from('config');
    assert.equal((await putFile('digest.cfg', body, { 'Content-Digest': `sha-256=:${sha256(body, 'base64')}:` })).status, 200);
    const wrong = await putFile('digest2.cfg', body, { 'Content-Digest': `sha-256=:${sha256(Buffer.from('x'), 'base64')}:` });
    assert.equal(wrong.status, 400);
    const malformed = await putFile('digest2.cfg', body, { sha256: 'xyz' });
    assert.equal(malformed.status, 400);
    assert.match(await errorOf(malformed), /64 hexadecimal digits/);
    assert.equal((await call('/files/digest2.cfg')).status, 404);
  });

  it('refuses a body past FILES_MAX_BYTES with 413, storing nothing', async () => {
    const res = await putFile('big.bin', Buffer.alloc(MAX_BYTES + 1));
    assert.equal(res.status, 413);
    assert.equal((await call('/files/big.bin')).status, 404);
    assert.equal(await strayContents(), 0);
  });
});
