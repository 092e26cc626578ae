import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { ChunkCutter } from '../../src/files/chunker';
import { parseRange } from '../../src/files/range';
import { fileUrl, nameProblem } from '../../src/files';

describe('file server pieces', () => {
  describe('parseRange (RFC 9110 §14.2, single ranges)', () => {
    const size = 1000;
    const cases: [string | undefined, ReturnType<typeof parseRange>][] = [
      [undefined, null],
      ['bytes=0-99', { start: 0, end: 99 }],
      ['bytes=900-', { start: 900, end: 999 }],
      ['bytes=990-5000', { start: 990, end: 999 }],
      ['bytes=-10', { start: 990, end: 999 }],
      ['bytes=-5000', { start: 0, end: 999 }],
      ['bytes=1000-', 'unsatisfiable'],
      ['bytes=-0', 'unsatisfiable'],
      ['bytes=50-10', null],
      ['bytes=0-1,5-6', null],
      ['items=0-1', null],
      ['bytes=-', null],
    ];
    for (const [header, expected] of cases) {
      it(`${header ?? '(none)'} → ${JSON.stringify(expected)}`, () => assert.deepEqual(parseRange(header, size), expected));
    }
  });

  describe('ChunkCutter', () => {
    it('cuts a stream of odd pieces into fixed chunks and hashes the whole', async () => {
      const data = randomBytes(10_000);
      async function* pieces() {
        for (let i = 0; i < data.length; i += 777) yield data.subarray(i, i + 777);
      }
      const cutter = new ChunkCutter(4096, 1 << 20);
      const out: Buffer[] = [];
      for await (const c of cutter.cut(pieces())) out.push(c);
      assert.deepEqual(out.map((c) => c.length), [4096, 4096, 1808]);
      assert.ok(Buffer.concat(out).equals(data));
      assert.equal(cutter.digest().size, 10_000);
    });

    it('throws ACS_ERR_BODY_TOO_LARGE (413) one byte past the limit', async () => {
      const cutter = new ChunkCutter(4096, 100);
      await assert.rejects(
        (async () => {
          for await (const _ of cutter.cut(Buffer.alloc(101))) void _;
        })(),
        (err: { code?: string; status?: number }) => err.code === 'ACS_ERR_BODY_TOO_LARGE' && err.status === 413,
      );
    });
  });

  describe('names and URLs', () => {
    it('accepts plain names and names with spaces, % and non-ASCII letters', () => {
      for (const name of ['fw.bin', 'fw v1.2.bin', 'config-00D09E-HG8245-SN%2D1-1700.cfg', 'ünïcode.img']) assert.equal(nameProblem(name), null);
    });

    it('refuses empty, traversal, control characters, lone surrogates and surrounding white space', () => {
      assert.match(nameProblem('') ?? '', /empty/);
      assert.match(nameProblem('../etc/passwd') ?? '', /"\/"/);
      assert.match(nameProblem('a\\b') ?? '', /or "\\"/);
      assert.match(nameProblem('a\nb') ?? '', /control character/);
      assert.match(nameProblem('a\u0085b') ?? '', /control character/);
      assert.match(nameProblem('a\ud800') ?? '', /not valid Unicode/);
      assert.match(nameProblem(' a') ?? '', /white space/);
    });

    it('builds CPE URLs with the name as one percent-encoded segment', () => {
      assert.equal(fileUrl('http://acs:7567/', 'config-00D09E-X-SN%2D1.cfg'), 'http://acs:7567/config-00D09E-X-SN%252D1.cfg');
      assert.equal(fileUrl('http://acs:7567', 'fw v1.bin'), 'http://acs:7567/fw%20v1.bin');
    });
  });
});
