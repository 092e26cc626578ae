/**
 * The packing of a row's values into one BLOB: a row per frame (or per
 * bucket) instead of a row per value is what keeps the store near 100 bytes
 * a frame (a row per value costs ~40 bytes of InnoDB overhead each).
 *
 *   byte 0        format version (1)
 *   varint        number of values n
 *   ceil(n/4)     2-bit tag per value, 4 to a byte, low bits first
 *   ...           the values, in order, as their tags say:
 *                   0 missing (NaN; nothing stored)
 *                   1 integer, zigzag varint (0 is one byte: idle error counters)
 *                   2 float32, little-endian
 *                   3 float64, little-endian
 *
 * A value is stored exactly unless the caller allows `lossy`: then a
 * non-integer is a float32 (7 significant digits: rates and averages).
 */
export const FORMAT = 1;

const enum Tag {
  Missing = 0,
  Int = 1,
  F32 = 2,
  F64 = 3,
}

/** Safe integers go as varints: at most 2^53 (8 bytes of varint), exact. */
function tagOf(v: number, lossy: boolean): Tag {
  if (Number.isNaN(v)) return Tag.Missing;
  if (Number.isSafeInteger(v)) return Tag.Int;
  if (!Number.isFinite(v)) return Tag.F64;
  if (Math.fround(v) === v) return Tag.F32;
  return lossy && Math.abs(v) < 3.4e38 ? Tag.F32 : Tag.F64;
}

function zigzagVarint(out: number[], v: number): void {
  // Arithmetic rather than bit operations: values reach 2^53, past 32 bits.
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 128) {
    out.push((z % 128) | 128);
    z = Math.floor(z / 128);
  }
  out.push(z);
}

/**
 * Packs `values` (NaN: missing). `lossy(i)` says whether value i may lose
 * digits past float32 precision (rates, averages) or must be exact (gauges).
 */
export function encode(values: readonly number[], lossy: (i: number) => boolean = () => false): Buffer {
  const tags = values.map((v, i) => tagOf(v, lossy(i)));
  const head: number[] = [FORMAT];
  zigzagVarint(head, values.length);
  const tagBytes = Buffer.alloc(Math.ceil(values.length / 4));
  tags.forEach((t, i) => (tagBytes[i >> 2] |= t << ((i & 3) * 2)));
  const body: number[] = [];
  // Body bytes and float buffers interleave in value order: collected as parts.
  const parts: Buffer[] = [Buffer.from(head), tagBytes];
  const flush = (): void => {
    if (body.length > 0) parts.push(Buffer.from(body.splice(0)));
  };
  tags.forEach((t, i) => {
    if (t === Tag.Int) zigzagVarint(body, values[i]);
    else if (t === Tag.F32 || t === Tag.F64) {
      flush();
      const b = Buffer.allocUnsafe(t === Tag.F32 ? 4 : 8);
      if (t === Tag.F32) b.writeFloatLE(values[i]);
      else b.writeDoubleLE(values[i]);
      parts.push(b);
    }
  });
  flush();
  return Buffer.concat(parts);
}

class Reader {
  pos = 0;
  constructor(private readonly buf: Buffer) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.buf.length) throw new Error('truncated series row');
      const b = this.buf[this.pos++];
      result += (b & 127) * scale;
      if (b < 128) return result;
      scale *= 128;
    }
  }

  zigzag(): number {
    const z = this.varint();
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  float(bytes: 4 | 8): number {
    if (this.pos + bytes > this.buf.length) throw new Error('truncated series row');
    const v = bytes === 4 ? this.buf.readFloatLE(this.pos) : this.buf.readDoubleLE(this.pos);
    this.pos += bytes;
    return v;
  }
}

/** The values of a packed row (NaN where missing); only those `keep` wants are read (a chart wants 2 series of 20), the others are NaN. */
export function decode(buf: Buffer, keep?: (i: number) => boolean): number[] {
  if (buf.length === 0 || buf[0] !== FORMAT) throw new Error(`series row of unknown format ${buf[0] ?? 'empty'}`);
  const r = new Reader(buf);
  r.pos = 1;
  const n = r.zigzag();
  const tagStart = r.pos;
  r.pos += Math.ceil(n / 4);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const t = (buf[tagStart + (i >> 2)] >> ((i & 3) * 2)) & 3;
    if (keep && !keep(i)) {
      out[i] = NaN;
      if (t === Tag.Int) r.zigzag();
      else if (t !== Tag.Missing) r.pos += t === Tag.F32 ? 4 : 8;
    } else out[i] = t === Tag.Missing ? NaN : t === Tag.Int ? r.zigzag() : r.float(t === Tag.F32 ? 4 : 8);
  }
  return out;
}
