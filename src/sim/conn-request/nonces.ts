/**
 * Digest nonces of the simulated CPEs' connection-request server.
 *
 * A nonce is `<issued ms, base 36>.<random>.<HMAC>`: it needs no table to be
 * checked, and a fresh one is issued with every challenge (so each TCP
 * connection of the ACS gets its own). It is good for `lifetimeMs`; after
 * that a correct answer gets a 401 with stale=true (RFC 7616 §3.3), and the
 * ACS answers again with the new nonce without asking anyone for a password.
 *
 * Replays: the nc a nonce was used with must grow (RFC 7616 §3.4). Only nonces
 * still within their lifetime need remembering, since older ones are stale.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type NonceState = 'ok' | 'stale' | 'bad';

const PRUNE_EVERY = 1024;

export class NonceBook {
  private readonly secret = randomBytes(32);
  /** nonce -> [highest nc seen, issue time]. */
  private readonly used = new Map<string, [number, number]>();
  private uses = 0;

  constructor(
    private readonly lifetimeMs: number,
    private readonly now: () => number,
  ) {}

  issue(): string {
    const body = `${this.now().toString(36)}.${randomBytes(9).toString('base64url')}`;
    return `${body}.${this.sign(body)}`;
  }

  check(nonce: string): NonceState {
    const parts = nonce.split('.');
    if (parts.length !== 3) return 'bad';
    const want = Buffer.from(this.sign(`${parts[0]}.${parts[1]}`));
    const got = Buffer.from(parts[2]);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return 'bad';
    return this.now() - this.issuedAt(nonce) > this.lifetimeMs ? 'stale' : 'ok';
  }

  /** Records a use of a valid nonce with counter `nc`; false for a replay (nc not above the last one). */
  use(nonce: string, nc: number): boolean {
    const last = this.used.get(nonce);
    if (last && nc <= last[0]) return false;
    this.used.set(nonce, [nc, this.issuedAt(nonce)]);
    if (++this.uses % PRUNE_EVERY === 0) this.prune();
    return true;
  }

  /** How many nonces are remembered (for tests and memory checks). */
  get remembered(): number {
    return this.used.size;
  }

  prune(): void {
    const oldest = this.now() - this.lifetimeMs;
    for (const [nonce, [, issued]] of this.used) if (issued < oldest) this.used.delete(nonce);
  }

  private issuedAt(nonce: string): number {
    return parseInt(nonce.slice(0, nonce.indexOf('.')), 36);
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('base64url').slice(0, 22);
  }
}
