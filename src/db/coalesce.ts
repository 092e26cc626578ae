/**
 * Writes many callers make at about the same time, sent as one statement.
 * While a batch is out, new items wait and go together in the next one, so a
 * busy database gets fewer, larger statements. Without a delay an item alone
 * goes at once; a write nobody waits for may take one (a batch then gathers
 * what arrives within it). Each caller's promise settles with its batch.
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
    private readonly options: { max?: number; delayMs?: number } = {},
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
    const { max = 500, delayMs = 0 } = this.options;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const batch = this.waiting.splice(0, max);
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
export function coalescerOf<T>(owner: object, name: string, write: (items: T[]) => Promise<void>, options: { delayMs?: number } = {}): Coalescer<T> {
  let map = byOwner.get(owner);
  if (!map) byOwner.set(owner, (map = new Map()));
  let c = map.get(name) as Coalescer<T> | undefined;
  if (!c) map.set(name, (c = new Coalescer(write, options)));
  return c;
}
