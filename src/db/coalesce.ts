/**
 * Writes many callers make at about the same time, sent as one statement.
 * While a batch is out, new items wait and go together in the next one; no
 * timer, so an item alone goes at once and a busy database gets fewer, larger
 * statements. Each caller's promise settles with its batch.
 */
interface Waiting<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class Coalescer<T> {
  private waiting: Waiting<T>[] = [];
  private busy = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly max = 500,
  ) {}

  /** Settles once all of `items` are written (or their batch failed). */
  async add(items: T[]): Promise<void> {
    const written = items.map((item) => new Promise<void>((resolve, reject) => this.waiting.push({ item, resolve, reject })));
    void this.pump();
    await Promise.all(written);
  }

  private async pump(): Promise<void> {
    if (this.busy || this.waiting.length === 0) return;
    this.busy = true;
    const batch = this.waiting.splice(0, this.max);
    try {
      await this.write(batch.map((w) => w.item));
      for (const w of batch) w.resolve();
    } catch (err) {
      for (const w of batch) w.reject(err);
    } finally {
      this.busy = false;
      void this.pump();
    }
  }
}

// One map per owner; its values are Coalescer<T> for the T of their name (the cast in coalescerOf).
const byOwner = new WeakMap<object, Map<string, unknown>>();

/** The coalescer named `name` of `owner` (a store's SqlAccess), made with `write` on first use. */
export function coalescerOf<T>(owner: object, name: string, write: (items: T[]) => Promise<void>): Coalescer<T> {
  let map = byOwner.get(owner);
  if (!map) byOwner.set(owner, (map = new Map()));
  let c = map.get(name) as Coalescer<T> | undefined;
  if (!c) map.set(name, (c = new Coalescer(write)));
  return c;
}
