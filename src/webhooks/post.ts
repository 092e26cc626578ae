/** One signed POST of a delivery to its receiver. */
import { send, type Exchange, type Origin } from './connections';
import { signature } from './sign';

export type PostOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** A receiver's URL as parsed: a subscription's deliveries share one (a parse per POST showed in bench (w)'s profile). */
interface Target {
  origin: Origin;
  /** The request line's start and the fields every POST to it sends (the URL's path is percent-encoded by URL: no space, no CRLF). */
  head: string;
}
const targets = new Map<string, Target>();
const TARGETS_MAX = 1000;

function targetOf(url: string): Target {
  let target = targets.get(url);
  if (!target) {
    if (targets.size >= TARGETS_MAX) targets.clear();
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`not an http or https URL: ${url}`);
    const secure = u.protocol === 'https:';
    const origin = { key: u.origin, secure, host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port || (secure ? 443 : 80)) };
    // Credentials in the URL (https://user:pass@host/) are sent as Basic authorization.
    const credentials = u.username || u.password ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` : null;
    const authorization = credentials === null ? '' : `Authorization: Basic ${Buffer.from(credentials).toString('base64')}\r\n`;
    const head = `POST ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\nUser-Agent: acs-webhooks\r\n${authorization}`;
    targets.set(url, (target = { origin, head }));
  }
  return target;
}

/** Requests a connection to a fast receiver carries at once, unless told (WEBHOOK_PIPELINE). */
export const PIPELINE = 16;

/**
 * Resolves, never rejects: every failure is an outcome with its reason. `id`
 * and `event` are the ACS's own (no CR or LF). `pipeline`: requests its
 * connection may carry at once, this one among them (connections.ts).
 */
export function post(url: string, id: string, event: string, body: string, secret: string, timeoutMs: number, pipeline = PIPELINE): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let target: Target;
    try {
      target = targetOf(url);
    } catch (err) {
      resolve({ ok: false, status: null, error: (err as Error).message });
      return;
    }
    const request =
      `${target.head}X-ACS-Delivery: ${id}\r\nX-ACS-Event: ${event}\r\n` +
      `X-ACS-Signature: ${signature(secret, body, Math.floor(Date.now() / 1000))}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const attempt = new Attempt(request, Math.max(1, pipeline), resolve, timeoutMs);
    attempt.withdraw = send(target.origin, attempt);
  });
}

/** One POST's outcome: by its answer, a failure, or the timeout, whichever is first. */
class Attempt implements Exchange {
  withdraw: () => void = () => {};
  private done = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly request: string,
    readonly pipeline: number,
    private readonly resolve: (o: PostOutcome) => void,
    private readonly timeoutMs: number,
  ) {
    this.timer = setTimeout(onTimeout, timeoutMs, this);
  }

  answered(status: number): void {
    this.settle(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `receiver answered ${status}` });
  }

  failed(err: Error & { code?: string }, status: number): void {
    const why = `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;
    // The status came, the body did not (all of it): the status alone does not make a delivery.
    this.settle({ ok: false, status: null, error: status !== 0 ? `the answer was cut short: ${why}` : why });
  }

  timeout(): void {
    // Still waiting for a connection: never sent. Sent: its connection is closed, its answer not waited for.
    this.withdraw();
    this.settle({ ok: false, status: null, error: `no answer within ${this.timeoutMs} ms` });
  }

  private settle(o: PostOutcome): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.resolve(o);
  }
}

function onTimeout(a: Attempt): void {
  a.timeout();
}
