/**
 * Digest nonces of the simulated CPEs' connection-request server.
 *
 * A nonce is a random UUID, recorded when issued: a fresh one goes with every
 * challenge (so each TCP connection of the ACS gets its own), and only a
 * recorded one is accepted. A table lookup, where a signed nonce would cost
 * two HMACs per connection request (one to issue, one to check), which were
 * a tenth of the simulator's CPU in a connection-request fan-out. A nonce is
 * good for `lifetimeMs`; for one more lifetime a correct answer gets a 401
 * with stale=true (RFC 7616 §3.3), and the ACS answers again with the new
 * nonce without asking anyone for a password; after that it is forgotten.
 *
 * Replays: the nc a nonce was used with must grow (RFC 7616 §3.4).
 */
import { randomUUID } from 'node:crypto';

export type NonceState = 'ok' | 'stale' | 'bad';

const PRUNE_EVERY = 1024;

interface Issued {
  at: number;
  /** The highest nc it was used with; 0 before its first use. */
  nc: number;
}

export class NonceBook {
  private readonly issued = new Map<string, Issued>();
  private issues = 0;

  constructor(
    private readonly lifetimeMs: number,
    private readonly now: () => number,
  ) {}

  issue(): string {
    const nonce = randomUUID();
    this.issued.set(nonce, { at: this.now(), nc: 0 });
    if (++this.issues % PRUNE_EVERY === 0) this.prune();
    return nonce;
  }

  check(nonce: string): NonceState {
    const entry = this.issued.get(nonce);
    if (!entry) return 'bad';
    return this.now() - entry.at > this.lifetimeMs ? 'stale' : 'ok';
  }

  /** Records a use of a valid nonce with counter `nc`; false for a replay (nc not above the last one). */
  use(nonce: string, nc: number): boolean {
    const entry = this.issued.get(nonce);
    if (!entry || nc <= entry.nc) return false;
    entry.nc = nc;
    return true;
  }

  /** How many nonces are remembered (for tests and memory checks). */
  get remembered(): number {
    return this.issued.size;
  }

  /** Forgets the nonces past their stale lifetime. */
  prune(): void {
    const oldest = this.now() - 2 * this.lifetimeMs;
    for (const [nonce, { at }] of this.issued) if (at < oldest) this.issued.delete(nonce);
  }
}
