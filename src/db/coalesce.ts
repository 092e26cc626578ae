/**
 * Writes many callers make at about the same time, sent as one statement.
 * While a batch is out, new items wait and go together in the next one, so a
 * busy database gets fewer, larger statements. Without a delay an item alone
 * goes at once; a write nobody waits for may take one (a batch then gathers
 * what arrives within it). Each caller's promise settles once the batches
 * holding its items are written.
 */
import type { Statement, StatementResult } from './sql';
import type { SqlAccess } from './types';

/** A caller of add(): settled once each of its `left` items is written or failed. */
interface Caller {
  left: number;
  failed: boolean;
  error: unknown;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class Coalescer<T> {
  /*
   * Waiting items and, at the same index, their callers. One promise per
   * call, not per item: a quiet session's webhook event (emitter.ts) made
   * ~10 promises and their microtasks on the front end's event loop.
   */
  private items: T[] = [];
  private callers: Caller[] = [];
  /** The batch being written (with its delay), if any. */
  private running: Promise<void> | null = null;
  /** Ends the running batch's delay. */
  private endDelay: (() => void) | null = null;
  private hurried = false;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly options: { max?: number; delayMs?: number } = {},
  ) {}

  /** Settles once all of `items` are written; rejects if the batch of one of them failed. */
  add(items: T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const caller: Caller = { left: items.length, failed: false, error: undefined, resolve, reject };
      for (const item of items) {
        this.items.push(item);
        this.callers.push(caller);
      }
      this.next();
    });
  }

  /** Settles once nothing waits and no batch is out (a closing owner's last writes are done). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Writes what waits, and what comes from now on, without delay (a closing owner). */
  hurry(): void {
    this.hurried = true;
    this.endDelay?.();
  }

  private next(): void {
    if (this.running || this.items.length === 0) return;
    this.running = this.writeBatch().finally(() => {
      this.running = null;
      this.next();
    });
  }

  private async writeBatch(): Promise<void> {
    const { max = 500, delayMs = 0 } = this.options;
    // A full batch waits for nothing more.
    if (delayMs > 0 && !this.hurried && this.items.length < max) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.endDelay = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.endDelay = null;
    }
    const batch = this.items.splice(0, max);
    const callers = this.callers.splice(0, max);
    try {
      await this.write(batch);
      settle(callers, false, undefined);
    } catch (err) {
      settle(callers, true, err);
    }
  }
}

function settle(callers: Caller[], failed: boolean, error: unknown): void {
  for (const c of callers) {
    if (failed && !c.failed) [c.failed, c.error] = [true, error];
    if (--c.left > 0) continue;
    if (c.failed) c.reject(c.error);
    else c.resolve();
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

interface Batched {
  statement: Statement;
  result?: StatementResult;
  error?: unknown;
}

/**
 * The `batched` name of the reads of one device that sessions make as they
 * start or end (credentials, pending events, open tasks of a device the facts
 * cache does not know): they go with those of other sessions in one packet. A
 * fan-out or a first-contact wave starts hundreds of sessions at once, and
 * each of these reads alone was a round trip.
 */
export const DEVICE_READS = 'device-reads';

/**
 * Runs one statement that concurrent callers (the REST API under load) send
 * many of: it goes with the others waiting, in one transaction sent as one
 * packet on MySQL (one round trip and one commit for the lot). If the lot
 * fails, each statement runs again alone, so a bad one fails only its caller.
 * Only for statements that stand alone (one read, or one single-row write).
 */
export async function batched(sql: SqlAccess, name: string, statement: Statement): Promise<StatementResult> {
  const item: Batched = { statement };
  await coalescerOf<Batched>(sql, name, (items) => runBatch(sql, items)).add([item]);
  if (item.error !== undefined) throw item.error;
  return item.result as StatementResult;
}

async function runBatch(sql: SqlAccess, items: Batched[]): Promise<void> {
  if (items.length > 1) {
    try {
      const results = await sql.transaction((db) => db.batch(items.map((i) => i.statement), { last: true }));
      items.forEach((item, k) => (item.result = results[k]));
      return;
    } catch {
      // One of them failed (or the connection): each runs alone below, and only its own error reaches its caller.
    }
  }
  await Promise.all(items.map((item) => runAlone(sql, item)));
}

async function runAlone(sql: SqlAccess, item: Batched): Promise<void> {
  try {
    [item.result] = await sql.autocommit((db) => db.batch([item.statement]));
  } catch (err) {
    item.error = err;
  }
}
