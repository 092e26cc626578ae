/** Small statistics the reports share: percentiles of a sample, the N largest of a stream of items. */

/** Percentile p (0-100) of sorted values, linearly interpolated between the two nearest ranks; null for no values. */
export function percentile(sorted: Float64Array | number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/** A growing list of numbers kept as doubles (8 bytes each, not a boxed array's). */
export class Samples {
  private data = new Float64Array(64);
  private n = 0;
  private sum = 0;

  push(v: number): void {
    if (this.n === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n++] = v;
    this.sum += v;
  }

  get count(): number {
    return this.n;
  }

  mean(): number | null {
    return this.n === 0 ? null : this.sum / this.n;
  }

  /** The values sorted (a view of the buffer: no copy). */
  sorted(): Float64Array {
    return this.data.subarray(0, this.n).sort();
  }
}

/**
 * The `limit` items of largest score seen: kept in an array cut back to
 * `limit` whenever it doubles, so memory stays O(limit) and the work
 * O(n log limit) amortised.
 */
export class TopN<T> {
  private items: { score: number; item: T }[] = [];
  seen = 0;
  constructor(private readonly limit: number) {}

  add(score: number, item: T): void {
    this.seen++;
    this.items.push({ score, item });
    if (this.items.length >= 2 * this.limit) this.cut();
  }

  /** Largest first. */
  result(): T[] {
    this.cut();
    return this.items.map((x) => x.item);
  }

  private cut(): void {
    this.items.sort((a, b) => b.score - a.score);
    this.items.length = Math.min(this.items.length, this.limit);
  }
}

/** A number rounded to `digits` decimals for a report cell (null stays null). */
export function round(v: number | null, digits = 3): number | null {
  if (v === null || !Number.isFinite(v)) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Orders group keys by name, the null group (no product class, untagged) last. */
export function byGroupKey<T>([a]: [string | null, T], [b]: [string | null, T]): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
