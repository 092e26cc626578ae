/** One signed POST of a delivery to its receiver. */
import { Agent } from 'undici';
import { signature } from './sign';

export type PostOutcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/*
 * undici's dispatcher, not node:http nor fetch: in bench (w) fetch's web
 * streams and AbortSignals, then node:http's client (agent, parser, request
 * and response streams), were most of the worker's CPU per delivery. Its
 * `dispatch` takes a handler of callbacks: no stream, no promise, no headers
 * object per answer (src/bench/webhook-post.ts: ~80-130 µs of CPU per POST
 * with node:http, ~40-75 with this, on a quiet and a loaded machine).
 * One request at a time per connection (no pipelining: a POST sent behind
 * another on a connection the receiver then closes would fail unseen), at
 * most CONNECTIONS per receiver's origin: a job's deliveries to different
 * devices go at once, and 50 jobs run together. Redirects are not followed
 * (no interceptor): a 3xx is a failed attempt. The Agent keeps a pool per
 * origin while it has connections, and drops it when they are closed.
 */
const CONNECTIONS = 64;
const agent = new Agent({ connections: CONNECTIONS, pipelining: 1 });

/** A receiver's URL as parsed: a subscription's deliveries share one (a parse per POST showed in bench (w)'s profile). */
interface Target {
  origin: string;
  path: string;
  /** Credentials in the URL (https://user:pass@host/) are sent as Basic authorization, as node:http did; null: none. */
  authorization: string | null;
}
const targets = new Map<string, Target>();
const TARGETS_MAX = 1000;

function targetOf(url: string): Target {
  let target = targets.get(url);
  if (!target) {
    if (targets.size >= TARGETS_MAX) targets.clear();
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`not an http or https URL: ${url}`);
    const credentials = u.username || u.password ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` : null;
    const authorization = credentials === null ? null : `Basic ${Buffer.from(credentials).toString('base64')}`;
    targets.set(url, (target = { origin: u.origin, path: `${u.pathname}${u.search}`, authorization }));
  }
  return target;
}

export function post(url: string, id: string, event: string, body: string, secret: string, timeoutMs: number): Promise<PostOutcome> {
  return new Promise((resolve) => {
    let target: Target;
    try {
      target = targetOf(url);
    } catch (err) {
      resolve({ ok: false, status: null, error: (err as Error).message });
      return;
    }
    // undici adds Host and Content-Length (the body is a string); a flat list is its own form, no object to copy.
    const headers = [
      'content-type',
      'application/json',
      'user-agent',
      'acs-webhooks',
      'x-acs-delivery',
      id,
      'x-acs-event',
      event,
      'x-acs-signature',
      signature(secret, body, Math.floor(Date.now() / 1000)),
    ];
    if (target.authorization !== null) headers.push('authorization', target.authorization);
    const attempt = new Attempt(resolve, timeoutMs);
    agent.dispatch({ origin: target.origin, path: target.path, method: 'POST', headers, body }, attempt);
  });
}

type Abort = (reason: Error) => void;

/**
 * One POST's handler, in the callback form undici 7 runs natively (the newer
 * onRequestStart/onResponse* form is wrapped into it, with the answer's
 * headers parsed into an object, which nothing here reads). Settles once: by
 * the answer's end, an error, or the timeout, whichever is first.
 */
class Attempt {
  private status = 0;
  private abort: Abort | null = null;
  private done = false;
  private timedOut = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly resolve: (o: PostOutcome) => void,
    private readonly timeoutMs: number,
  ) {
    this.timer = setTimeout(onTimeout, timeoutMs, this);
  }

  /** The request is about to be written on a connection (it may have waited in the pool's queue). */
  onConnect(abort: Abort): void {
    // Timed out while queued: it is not sent at all.
    if (this.done) abort(new Error('timeout'));
    else this.abort = abort;
  }

  /** Also for a 1xx before the final answer (undici goes on reading); returns true: read on, no backpressure. */
  onHeaders(statusCode: number): boolean {
    if (statusCode >= 200) this.status = statusCode;
    return true;
  }

  /** The answer's body is read and thrown away: the status says it all. */
  onData(): boolean {
    return true;
  }

  onComplete(): void {
    const status = this.status;
    this.settle(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, status, error: `receiver answered ${status}` });
  }

  onError(err: Error & { code?: string }): void {
    if (this.timedOut) return this.settle({ ok: false, status: null, error: `no answer within ${this.timeoutMs} ms` });
    const why = `${err.message}${err.code && !err.message.includes(err.code) ? ` (${err.code})` : ''}`;
    // Headers arrived, the body did not (all of it): the status alone does not make a delivery.
    this.settle({ ok: false, status: null, error: this.status !== 0 ? `the answer was cut short: ${why}` : why });
  }

  timeout(): void {
    this.timedOut = true;
    if (this.abort) this.abort(new Error('timeout'));
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
